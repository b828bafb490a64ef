"""Scratch space: a job writes big temporary files in its TMPDIR, which Spool deletes when the attempt ends."""

import os
import tempfile

CHUNK = 1024 * 1024


def fill(megabytes):
    """Writes `megabytes` MiB to a file in TMPDIR and returns where, and how big it was."""
    tmpdir = os.environ["TMPDIR"]
    fd, path = tempfile.mkstemp(prefix="scratch-", suffix=".bin")
    with os.fdopen(fd, "wb") as f:
        for _ in range(megabytes):
            f.write(os.urandom(CHUNK))
    print("wrote %d MiB to %s" % (megabytes, path))
    return {"tmpdir": tmpdir, "path": path, "bytes": os.path.getsize(path),
            "in_tmpdir": os.path.dirname(path) == tmpdir}
