"""Functions behind the web UI's browser test: jobs that fail once, jobs that nap, a job that talks."""

import os
import time


def flaky(n):
    """Odd numbers fail on their first attempt (a marker file remembers it) and succeed when rerun."""
    marker = os.path.join(os.environ["SPOOL_UI_STATE"], f"tried-{n}")
    first = not os.path.exists(marker)
    open(marker, "w").close()
    if n % 2 and first:
        raise RuntimeError(f"odd input {n} fails the first time")
    return {"n": n, "square": n * n}


def nap(seconds):
    time.sleep(seconds)
    return seconds


def talk(lines, pause):
    for i in range(lines):
        print(f"talking, line {i}", flush=True)
        time.sleep(pause)
    return lines
