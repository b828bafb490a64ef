"""Jobs that show which process they ran in and what earlier jobs left in the module."""
import os

CALLS = 0


def count(fail=False):
    """Counts the calls this process has run (module global) and says which process it is."""
    global CALLS
    CALLS += 1
    if fail:
        raise RuntimeError("failing as asked, after %d calls in process %d" % (CALLS, os.getpid()))
    return {"calls": CALLS, "pid": os.getpid()}
