"""The worker's control channel: JSON Lines requests in, JSON Lines messages out.

Requests arrive one per line on stdin and are parsed into the small typed records below; anything
that is not a well-formed request raises ``ProtocolError`` with a one-line reason. Messages go out
through ``Channel``, which owns the private control fd: every message is one line, written whole
under a lock (so messages from different threads never interleave) and unbuffered.
"""
import json
import os
import select
import signal
import threading
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Union


class ProtocolError(Exception):
    """A request line that cannot be acted on; the message is the reason sent back."""

    def __init__(self, reason: str, job: Optional[str] = None) -> None:
        super().__init__(reason)
        self.job = job


class RunRequest(NamedTuple):
    job: str
    attempt: int
    args: List[Any]
    kwargs: Dict[str, Any]
    env: Dict[str, str]
    log: str
    result: str
    tmpdir: str
    result_max_bytes: int = 0  # the largest result stored, 0 for no limit
    log_max_bytes: int = 0  # the log keeps its last this many bytes, 0 for no limit


class KillRequest(NamedTuple):
    job: str
    signal: int


class PingRequest(NamedTuple):
    pass


class ShutdownRequest(NamedTuple):
    pass


Request = Union[RunRequest, KillRequest, PingRequest, ShutdownRequest]

_SNIPPET = 80


def parse_request(line: bytes) -> Request:
    """Parses one request line (without or with its newline); raises ProtocolError."""
    try:
        obj = json.loads(line)
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        snippet = line[:_SNIPPET].decode("utf-8", "replace").rstrip("\r\n")
        raise ProtocolError("malformed request, not JSON (%s): %r" % (e, snippet)) from None
    if not isinstance(obj, dict):
        raise ProtocolError("malformed request: expected a JSON object, got %s" % type(obj).__name__)
    kind = obj.get("type")
    if kind == "run":
        return _run_request(obj)
    if kind == "kill":
        return _kill_request(obj)
    if kind == "ping":
        return PingRequest()
    if kind == "shutdown":
        return ShutdownRequest()
    if kind is None:
        raise ProtocolError("malformed request: no 'type' (expected run, kill, ping or shutdown)")
    raise ProtocolError("unknown request type %s (expected run, kill, ping or shutdown)" % json.dumps(kind))


def _job_id(obj: Dict[str, Any]) -> str:
    job = obj.get("job")
    if not isinstance(job, str) or not job:
        raise ProtocolError("%s request needs a non-empty string 'job'" % obj["type"])
    return job


def _field(obj: Dict[str, Any], name: str, kind: type, default: Any, job: str) -> Any:
    value = obj.get(name, default)
    if value is None or not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProtocolError("run request for job '%s': '%s' must be a JSON %s" % (job, name, _JSON_NAMES[kind]), job)
    return value


_JSON_NAMES = {str: "string", int: "integer", list: "array", dict: "object"}


def _run_request(obj: Dict[str, Any]) -> RunRequest:
    job = _job_id(obj)
    env = _field(obj, "env", dict, {}, job)
    bad = [k for k, v in env.items() if not isinstance(v, str)]
    if bad:
        raise ProtocolError("run request for job '%s': env value of '%s' must be a string" % (job, bad[0]), job)
    paths = {}
    for name in ("log", "result", "tmpdir"):
        path = _field(obj, name, str, None, job)
        if not os.path.isabs(path):
            raise ProtocolError("run request for job '%s': '%s' must be an absolute path, got %r" % (job, name, path), job)
        paths[name] = path
    limits = {}
    for name in ("resultMaxBytes", "logMaxBytes"):
        limit = _field(obj, name, int, 0, job)
        if limit < 0:
            raise ProtocolError("run request for job '%s': '%s' must be 0 (no limit) or more, got %d"
                                % (job, name, limit), job)
        limits[name] = limit
    return RunRequest(
        job=job,
        attempt=_field(obj, "attempt", int, 1, job),
        args=_field(obj, "args", list, [], job),
        kwargs=_field(obj, "kwargs", dict, {}, job),
        env=env,
        log=paths["log"],
        result=paths["result"],
        tmpdir=paths["tmpdir"],
        result_max_bytes=limits["resultMaxBytes"],
        log_max_bytes=limits["logMaxBytes"],
    )


def _kill_request(obj: Dict[str, Any]) -> KillRequest:
    job = _job_id(obj)
    signum = obj.get("signal", int(signal.SIGKILL))
    if not isinstance(signum, int) or isinstance(signum, bool) or signum not in _VALID_SIGNALS:
        raise ProtocolError("kill request for job '%s': unknown signal %s" % (job, json.dumps(signum)), job)
    return KillRequest(job=job, signal=signum)


_VALID_SIGNALS = frozenset(int(s) for s in signal.Signals)


def read_lines(fd: int, wakeup_fd: int) -> Iterator[bytes]:
    """The lines that arrive on ``fd`` (each with its newline; a last one without) until EOF.

    It waits in select() on ``fd`` and on ``wakeup_fd``, the signal wakeup fd: a signal that
    arrives just before a wait still wakes it, so the signal's Python handler always runs (a
    blocking read would sleep through a signal that came before it started).
    """
    pending = b""
    while True:
        newline = pending.find(b"\n")
        if newline >= 0:
            line, pending = pending[:newline + 1], pending[newline + 1:]
            yield line
            continue
        ready, _, _ = select.select([fd, wakeup_fd], [], [])
        if wakeup_fd in ready:
            try:
                os.read(wakeup_fd, 512)
            except BlockingIOError:
                pass
        if fd in ready:
            data = os.read(fd, 65536)
            if not data:
                if pending:
                    yield pending
                return
            pending += data


class Channel:
    """Writes protocol messages to the private control fd, one whole line at a time."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()
        self._broken = False

    @property
    def fd(self) -> int:
        return self._fd

    def send(self, message: Dict[str, Any]) -> None:
        """Writes one message; once the reader has gone away, messages are dropped silently."""
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            if self._broken:
                return
            view = memoryview(data)
            try:
                while view:
                    view = view[os.write(self._fd, view):]
            except OSError:  # EPIPE and friends: the runner has gone
                self._broken = True
