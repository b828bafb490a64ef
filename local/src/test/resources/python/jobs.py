"""Functions that the integration tests run as Spool jobs."""

import os
import sys
import time


def hello(i):
    print(f"saying hello to {i}")
    print(f"hello {i} on stderr", file=sys.stderr)
    return f"hello {i}"


def echo(i):
    return {"i": i, "square": i * i}


def greet(name, punctuation=".", *, greeting="Hello"):
    return f"{greeting}, {name}{punctuation}"


def raw(n):
    return bytes(range(n))


class TileError(Exception):
    pass


def boom(tile):
    print(f"working on tile {tile}")
    raise TileError(f"tile {tile} is broken")


def stamp(i, seconds):
    start = time.time()
    time.sleep(seconds)
    return {"i": i, "start": start, "end": time.time(), "pid": os.getpid(), "worker": os.getppid()}


def sleepy(seconds):
    time.sleep(seconds)
    return seconds


def length(text, *, repeat=1):
    return len(text) * repeat


def flaky(marker):
    """Fails on the first attempt (and leaves a marker file), succeeds on the next."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        print("first attempt: failing")
        raise RuntimeError("first attempt fails")
    print("second attempt: fine")
    return "recovered"


def odd_fails(i):
    if i % 2:
        raise ValueError(f"{i} is odd")
    return i


def which_python():
    import sys

    return {"packed": os.environ.get("SPOOL_PACKED_PYTHON"), "version": "%d.%d" % sys.version_info[:2]}
