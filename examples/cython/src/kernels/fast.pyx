# cython: language_level=3
"""A typed loop that Cython turns into C."""


def sum_of_squares(long n):
    """0**2 + 1**2 + ... + (n-1)**2, in a C loop."""
    cdef long long total = 0
    cdef long i
    for i in range(n):
        total += i * i
    return total
