"""The hello function of Spool's demo: one job per call, a string back, something printed to both streams."""

import sys


def hello(i):
    print(f"saying hello to {i}")
    print(f"(stderr) hello {i} is on its way", file=sys.stderr)
    return f"hello {i}"
