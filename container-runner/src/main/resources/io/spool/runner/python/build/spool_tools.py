"""Headlines and child processes for Spool's build: everything lands on this process's stdout.

The build log is this process's stdout and stderr, so a child's output (pip, Cython, the C compiler)
is copied line by line onto our stdout as it comes; the last lines are kept for the one-line summary
of a failure. Command lines are printed with the passwords of URLs masked.
"""
import collections
import os
import re
import subprocess
import sys
import time
from typing import Dict, List, NamedTuple, Optional, Sequence

_URL_PASSWORD = re.compile(r"(://[^/@\s:]*):[^/@\s]*@")
_TAIL_LINES = 200


def say(message: str) -> None:
    """Prints one timestamped headline."""
    print("[spool-build %s] %s" % (time.strftime("%H:%M:%S"), message), flush=True)


def redact(text: str) -> str:
    """Masks the password in every ``scheme://user:password@host`` of ``text``."""
    return _URL_PASSWORD.sub(r"\1:****@", text)


def show_command(argv: Sequence[str]) -> str:
    return redact(" ".join(argv))


class ToolResult(NamedTuple):
    status: int
    tail: List[str]


def run(argv: Sequence[str], env: Optional[Dict[str, str]] = None, cwd: Optional[str] = None) -> ToolResult:
    """Runs ``argv`` with its stdout and stderr copied onto ours; returns its status and last lines."""
    print("  $ %s" % show_command(argv), flush=True)
    sys.stderr.flush()
    try:
        process = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, env=env, cwd=cwd)
    except OSError as e:
        message = "cannot run %s: %s" % (argv[0], e.strerror or e)
        print(message, flush=True)
        return ToolResult(127, [message])
    tail = collections.deque(maxlen=_TAIL_LINES)  # type: collections.deque
    out = sys.stdout.buffer
    assert process.stdout is not None
    with process.stdout:
        for line in iter(process.stdout.readline, b""):
            out.write(line)
            out.flush()
            tail.append(line.decode("utf-8", "replace").rstrip())
    return ToolResult(process.wait(), list(tail))


def child_env(python_path: Sequence[str] = ()) -> Dict[str, str]:
    """This process's environment with PYTHONPATH set to exactly ``python_path`` (none when empty).

    A PYTHONPATH inherited from the container would make pip count packages outside the image as
    installed, so it is never passed on.
    """
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if python_path:
        env["PYTHONPATH"] = os.pathsep.join(python_path)
    env["PIP_ROOT_USER_ACTION"] = "ignore"  # containers often run as root; older pips ignore the key
    return env
