"""Numeric kernels: fast.pyx is compiled by the function's build, run.py calls it."""
