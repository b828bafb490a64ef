"""Functions whose results and logs the integration tests of results, blobs and logs check."""

import io
import os
import sys
import time

from spool import ComputeResult


def as_dict(i):
    print("tile", i)
    return {"i": i, "name": f"tile-{i}", "nested": {"ok": True, "values": [1, 2, 3]}}


def floats(n):
    return [i / 4 for i in range(n)]


def raw(n):
    return bytes(range(n))


class NpyArray:
    """A numpy array stored as .npy bytes through the Serializable protocol."""

    def __init__(self, value):
        self.value = value

    def serialize(self):
        import numpy
        buffer = io.BytesIO()
        numpy.save(buffer, self.value)
        return buffer.getvalue()

    @classmethod
    def deserialize(cls, data):
        import numpy
        return cls(numpy.load(io.BytesIO(data)))


def npy(n):
    import numpy
    return NpyArray(numpy.arange(n, dtype=numpy.float64) * 1.5)


def npy_bytes(n):
    """The bytes `npy(n)` stores, as a JSON list of ints, to compare with."""
    return list(npy(n).serialize())


def annotated(i):
    return ComputeResult(
        {"count": i},
        description=f"tile {i} of the test",
        tags=["tile", f"row-{i % 2}"],
        extra_properties={"row": i % 2, "label": "t", "score": 0.5},
        geometry={"type": "Point", "coordinates": [i, -i]},
        expires="2031-01-02T03:04:05Z",
    )


def annotated_wkt(i):
    return ComputeResult(b"\x00\x01", geometry=f"POINT ({i} 1)", tags=["wkt"])


def long_description(n):
    return ComputeResult("v", description="d" * n)


class Opaque:
    pass


def opaque():
    return Opaque()


class TextSerializer:
    def serialize(self):
        return "not bytes"


def serialize_str():
    return TextSerializer()


def big(n):
    return b"x" * n


def chatty(lines):
    for i in range(lines):
        print(f"line {i:06d} " + "." * 50)
    return lines


def slow_printer(seconds):
    print("started and waiting", flush=True)
    print("on stderr too", file=sys.stderr, flush=True)
    time.sleep(seconds)
    print("done")
    return "ok"


def nap(i, millis):
    time.sleep(millis / 1000)
    return i


def value(i):
    if not isinstance(i, int):
        raise ValueError(f"{i!r} is not a number")
    return {"i": i, "pad": "p" * 64}


def tagged(i):
    if i % 7 == 0:
        raise ValueError(f"{i} is a multiple of 7")
    return i


def interval(millis):
    """Sleeps and returns when it ran, [start, end] in seconds since the epoch."""
    start = time.time()
    time.sleep(millis / 1000)
    return [start, time.time()]


def container_of(millis):
    """Sleeps and returns the YARN container that ran the job."""
    time.sleep(millis / 1000)
    return os.environ.get("CONTAINER_ID", "")
