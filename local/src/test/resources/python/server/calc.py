"""A function that the Spool server's tests create through the REST API, from an uploaded bundle."""

import time


def square(x, lines=0, pause=0.0):
    for i in range(lines):
        print(f"line {i} of job {x}", flush=True)
        time.sleep(pause)
    if x < 0:
        raise ValueError(f"negative input: {x}")
    print(f"square of {x}")
    return x * x
