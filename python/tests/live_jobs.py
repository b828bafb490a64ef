"""What the live tests' jobs run: one entrypoint, ``run(op, *args)``, with the behaviours the tests need."""
import os
import time

from spool_client import ComputeResult, Serializable

GREETING = "hello"


class Pair(Serializable):
    """Two numbers stored as the bytes b"a,b"."""

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def serialize(self):
        return ("%d,%d" % (self.a, self.b)).encode()

    @classmethod
    def deserialize(cls, data):
        a, b = data.decode().split(",")
        return cls(int(a), int(b))


def run(op, *args, **kwargs):
    if op == "square":
        print("%s: squaring %s" % (GREETING, args[0]))
        return args[0] * args[0]
    if op == "flaky":
        marker = os.path.join(args[0], "%s.attempts" % args[1])
        with open(marker, "a") as f:
            f.write("x")
        if os.path.getsize(marker) < 2:
            raise RuntimeError("first attempt of %s fails, as planned" % args[1])
        return "ok after %d attempts" % os.path.getsize(marker)
    if op == "fail":
        raise ValueError("always fails")
    if op == "sleep":
        time.sleep(args[0])
        return None
    if op == "pair":
        return Pair(args[0], args[0] + 1)
    if op == "tagged":
        return ComputeResult({"n": args[1]}, description="tagged %d" % args[1], tags=[args[0]],
                             extra_properties={"n": args[1]})
    if op == "echo":
        return {"args": list(args), "kwargs": kwargs}
    raise ValueError("unknown op %r" % op)

