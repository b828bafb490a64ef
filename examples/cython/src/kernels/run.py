"""The entrypoint: calls the compiled kernel and says whether it really is compiled."""

from kernels import fast


def sum_of_squares(n):
    return {"n": n, "sum": fast.sum_of_squares(n), "compiled": not fast.__file__.endswith(".pyx")}
