# cython: language_level=3
"""Fibonacci numbers in a typed loop that Cython turns into C."""


def fib(int n):
    """The n-th Fibonacci number (fib(0) = 0, fib(1) = 1), for n up to 92."""
    cdef long long a = 0
    cdef long long b = 1
    cdef int i
    for i in range(n):
        a, b = b, a + b
    return a
