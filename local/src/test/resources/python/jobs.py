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


def flaky(marker, failures=1):
    """Fails on the first `failures` attempts (counting them in a marker file), then succeeds."""
    attempts = int(open(marker).read()) if os.path.exists(marker) else 0
    with open(marker, "w") as f:
        f.write(str(attempts + 1))
    if attempts < failures:
        print(f"attempt {attempts + 1}: failing")
        raise RuntimeError("first attempt fails" if attempts == 0 else f"attempt {attempts + 1} fails")
    print(f"attempt {attempts + 1}: fine" if attempts > 1 else "second attempt: fine")
    return "recovered"


_calls = 0


def counted(i):
    """Counts calls in a module global: a fresh child per job must always see 0 before its own call."""
    global _calls
    _calls += 1
    return {"calls": _calls, "container": os.environ.get("CONTAINER_ID"), "worker": os.getppid()}


def sleep_recording_pid(seconds, pid_file):
    with open(pid_file, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(seconds)


def odd_fails(i):
    if i % 2:
        raise ValueError(f"{i} is odd")
    return i


def which_python():
    import sys

    return {"packed": os.environ.get("SPOOL_PACKED_PYTHON"), "version": "%d.%d" % sys.version_info[:2]}


def hog(megabytes, seconds):
    block = bytearray(megabytes * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(seconds)
    return len(block)


def burn(seconds):
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        n += 1
    return n > 0
