"""The worker's control channel: JSON Lines requests in, JSON Lines messages out.

Requests arrive one per line on stdin (``LineBuffer`` cuts what is read into lines) and are parsed
into the small typed records below; anything that is not a well-formed request raises
``ProtocolError`` with a one-line reason. Messages go out through ``Channel``, which owns the
private control fd: every message is one line, written whole under a lock and unbuffered.

Requests:

* ``run``: ``job``, ``attempt``, ``args``, ``kwargs``, ``env``, the absolute paths ``log``,
  ``result`` and ``tmpdir``, the limits ``resultMaxBytes`` and ``logMaxBytes`` (0: none), and the
  job's process: ``process`` is ``fresh`` (the default: a process of its own, forked ahead of the
  request) or ``reused`` (a process that runs the jobs one after another, replaced after
  ``maxJobsPerProcess`` jobs and when its resident set passes ``processMemoryBytes`` after a job;
  0 for no limit). See spool_job.
* ``kill``: ``job``, ``signal`` (default 9): signals the job's process group if the job runs.
* ``ping`` (answered ``pong``), ``shutdown``.

Messages: ``ready {pid, python}`` or ``fatal {error}`` first; ``started {job, pid}`` (the process
that runs the job); ``done {job, exitCode, signal, resultKind, error, usage{cpuSeconds,
maxRssBytes}, process{pid, jobs, replaced}}`` or ``error {job, error}`` (a refused request);
``pong``.

The run request also travels from the worker to the job's process, on a socket, as one line of its
own encoding (``encode_run``/``decode_run``).
"""
import json
import os
import signal
import threading
from typing import Any, Dict, List, NamedTuple, Optional, Union

PROCESS_FRESH = "fresh"
PROCESS_REUSED = "reused"
PROCESS_MODES = (PROCESS_FRESH, PROCESS_REUSED)


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
    process: str = PROCESS_FRESH  # fresh: a process per job; reused: one process for job after job
    max_jobs_per_process: int = 0  # reused: the jobs a process runs before it is replaced, 0 for no limit
    process_memory_bytes: int = 0  # reused: a larger resident set after a job replaces the process, 0 for no limit


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
    process = _field(obj, "process", str, PROCESS_FRESH, job)
    if process not in PROCESS_MODES:
        raise ProtocolError("run request for job '%s': 'process' must be %s, got %s"
                            % (job, " or ".join(json.dumps(m) for m in PROCESS_MODES), json.dumps(process)), job)
    limits = {}
    for name in ("resultMaxBytes", "logMaxBytes", "maxJobsPerProcess", "processMemoryBytes"):
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
        process=process,
        max_jobs_per_process=limits["maxJobsPerProcess"],
        process_memory_bytes=limits["processMemoryBytes"],
    )


def encode_run(request: RunRequest) -> bytes:
    """A parsed run request as one line (with its newline), for the job's process."""
    return (json.dumps(request._asdict(), separators=(",", ":")) + "\n").encode("utf-8")


def decode_run(line: bytes) -> RunRequest:
    """The run request that ``encode_run`` made into ``line``."""
    return RunRequest(**json.loads(line))


def _kill_request(obj: Dict[str, Any]) -> KillRequest:
    job = _job_id(obj)
    signum = obj.get("signal", int(signal.SIGKILL))
    if not isinstance(signum, int) or isinstance(signum, bool) or signum not in _VALID_SIGNALS:
        raise ProtocolError("kill request for job '%s': unknown signal %s" % (job, json.dumps(signum)), job)
    return KillRequest(job=job, signal=signum)


_VALID_SIGNALS = frozenset(int(s) for s in signal.Signals)


class LineBuffer:
    """Cuts bytes, however they arrive, into lines (each with its newline)."""

    def __init__(self) -> None:
        self._chunks: List[bytes] = []  # what came after the last newline, joined only when a newline comes

    def feed(self, data: bytes) -> List[bytes]:
        """The lines that ``data`` completes, in order."""
        self._chunks.append(data)
        if b"\n" not in data:
            return []
        *lines, rest = b"".join(self._chunks).split(b"\n")
        self._chunks = [rest] if rest else []
        return [line + b"\n" for line in lines]

    def rest(self) -> bytes:
        """What came after the last newline (a last line without one, at EOF); the buffer is emptied."""
        rest = b"".join(self._chunks)
        self._chunks = []
        return rest


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
