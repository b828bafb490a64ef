"""Running one job in a forked child, and supervising that child from the worker.

``Supervisor`` (worker side) forks a child per run request, reports ``started``, waits for the
child on a thread, reports ``done`` and delivers kills to the child's process group. What the
job's processes print goes through a pipe to a log pump (spool_logs), a thread of the worker that
writes it to the log file, each line timestamped, capped at the request's ``logMaxBytes``.
``run_child`` (child side) makes the child a job's process: its own session, stdin from /dev/null,
stdout and stderr into the log pipe, the request's env and TMPDIR. It calls the function,
stores the return value and tells the worker the outcome through a pipe (one small JSON object)
before ``os._exit``. A child that dies without writing an outcome is judged by its wait status.
No thread but the main one exists across a fork: the waiter of the previous job, which has
stopped that job's pump before it reported ``done``, is joined before the next fork.
"""
import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
import traceback
from typing import Any, Callable, Dict, Iterator, NamedTuple, NoReturn, Optional, Sequence, Tuple

from spool_logs import LogFile, LogPump
from spool_protocol import Channel, RunRequest
from spool_results import ResultError, describe_exception, store_result

# An outcome never exceeds PIPE_BUF (4096 on Linux): written at once, it cannot block the child.
_OUTCOME_LIMIT = 4000
_PR_SET_PDEATHSIG = 1

Outcome = Tuple[Optional[str], Optional[str]]  # (resultKind, error)


def _load_prctl() -> Optional[Callable[..., int]]:
    """libc's prctl on Linux, to make a job's process die with the worker; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


class _Job(NamedTuple):
    job: str
    pid: int


class Supervisor:
    """Runs one job at a time in a forked child; thread-safe for kill/stop against the waiter."""

    def __init__(self, channel: Channel, function: Callable[..., Any]) -> None:
        self._channel = channel
        self._function = function
        self._lock = threading.Lock()
        self._running: Optional[_Job] = None
        self._waiter: Optional[threading.Thread] = None

    def start(self, request: RunRequest) -> None:
        """Forks the job's child and reports ``started``; a refused request gets an ``error``."""
        with self._lock:
            busy = self._running
        if busy is not None:
            self._refuse(request, "job '%s' is still running" % busy.job)
            return
        if self._waiter is not None:
            # It has reported done, after its job's pump stopped: no other thread runs across fork.
            self._waiter.join()
            self._waiter = None
        try:
            log = LogFile(request.log, request.log_max_bytes)
        except OSError as e:
            self._refuse(request, "cannot open log file '%s': %s" % (request.log, describe_exception(e)))
            return
        # A SIGTERM (which raises in this thread) waits until the job is supervised and its threads have started.
        with _sigterm_deferred():
            self._fork(request, log)

    def _fork(self, request: RunRequest, log: LogFile) -> None:
        read_fd, write_fd = os.pipe()
        output_read, output_write = os.pipe()
        _flush_stdio()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError as e:
            for fd in (read_fd, write_fd, output_read, output_write):
                os.close(fd)
            log.close()
            self._refuse(request, "cannot fork: %s" % describe_exception(e))
            return
        if pid == 0:
            worker_fds = (read_fd, output_read, log.fd, self._channel.fd)
            run_child(self._function, request, write_fd, output_write, worker_fds, parent)
        os.close(write_fd)
        os.close(output_write)
        pump = LogPump(output_read, log, name="log-" + request.job)
        pump.start()
        job = _Job(request.job, pid)
        with self._lock:
            self._running = job
        self._channel.send({"type": "started", "job": job.job, "pid": pid})
        self._waiter = threading.Thread(target=self._wait, args=(job, read_fd, pump), name="wait-" + job.job,
                                        daemon=True)
        self._waiter.start()

    def kill(self, job_id: str, signum: int) -> None:
        """Signals the running job's process group; a job that is not running is ignored."""
        with self._lock:
            job = self._running
            if job is not None and job.job == job_id:
                _signal_job(job.pid, signum)

    def stop(self) -> None:
        """Kills the running job, if any, and waits until its ``done`` has been reported."""
        with self._lock:
            if self._running is not None:
                _signal_job(self._running.pid, signal.SIGKILL)
        if self._waiter is not None:
            self._waiter.join()
            self._waiter = None

    def _refuse(self, request: RunRequest, reason: str) -> None:
        self._channel.send({"type": "error", "job": request.job, "error": "cannot run job '%s': %s" % (request.job, reason)})

    def _wait(self, job: _Job, read_fd: int, pump: LogPump) -> None:
        try:
            status, usage = self._reap(job)
            outcome = _read_outcome(read_fd)
        finally:
            os.close(read_fd)
            # Processes that escaped the job's group may hold the log pipe open: drain briefly, then stop.
            pump.finish()
        self._channel.send(done_message(job.job, status, outcome, usage))

    def _reap(self, job: _Job) -> Tuple[int, Any]:
        """Waits for the job's child; returns its wait status and its resource usage (with its waited-for children's)."""
        if hasattr(os, "waitid"):
            # Wait without reaping: while the child is a zombie its pid and process group id stay
            # reserved, so neither a kill nor the clean-up below can reach an unrelated process.
            os.waitid(os.P_PID, job.pid, os.WEXITED | os.WNOWAIT)
            with self._lock:
                self._running = None
                _signal_group(job.pid, signal.SIGKILL)  # what is left of the job: its grandchildren
            return os.wait4(job.pid, 0)[1:]
        _, status, usage = os.wait4(job.pid, 0)
        with self._lock:
            self._running = None
        return status, usage


def usage_of(rusage: Any) -> Dict[str, Any]:
    """What a reaped child used: CPU seconds (user and system) and its largest resident set, in bytes."""
    # ru_maxrss is in kibibytes on Linux, in bytes on macOS
    scale = 1 if sys.platform == "darwin" else 1024
    return {"cpuSeconds": round(rusage.ru_utime + rusage.ru_stime, 6), "maxRssBytes": int(rusage.ru_maxrss) * scale}


def done_message(job_id: str, status: int, outcome: Optional[Outcome], rusage: Any = None) -> Dict[str, Any]:
    """The ``done`` message for a child's wait status, the outcome it reported (if any) and its resource usage."""
    message: Dict[str, Any] = {"type": "done", "job": job_id, "exitCode": 0, "signal": None, "resultKind": None, "error": None}
    if rusage is not None:
        message["usage"] = usage_of(rusage)
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        message.update(exitCode=-signum, signal=signum, error="killed by signal %d (%s)" % (signum, _signal_name(signum)))
        return message
    code = os.WEXITSTATUS(status)
    message["exitCode"] = code
    if outcome is None:
        message["error"] = "exited with status %d" % code + (" before the function returned" if code == 0 else "")
    elif code != 0 and outcome[1] is None:
        message["error"] = "exited with status %d" % code
    else:
        message["resultKind"], message["error"] = outcome
    return message


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return "unknown signal"


def _signal_group(pid: int, signum: int) -> bool:
    try:
        os.killpg(pid, signum)
        return True
    except ProcessLookupError:
        return False
    except OSError:
        return True


def _signal_job(pid: int, signum: int) -> None:
    # Before the child's setsid() its process group does not exist yet: signal the child alone.
    if not _signal_group(pid, signum):
        try:
            os.kill(pid, signum)
        except OSError:
            pass


def _read_outcome(read_fd: int) -> Optional[Outcome]:
    # Non-blocking: a grandchild may hold the pipe open, but the child wrote before it exited.
    os.set_blocking(read_fd, False)
    try:
        data = os.read(read_fd, 65536)
        obj = json.loads(data)
        return obj["kind"], obj["error"]
    except (OSError, ValueError, TypeError, KeyError):
        return None


@contextlib.contextmanager
def _sigterm_deferred() -> Iterator[None]:
    """Blocks SIGTERM in this thread (and the threads it starts) for the duration; the child must unblock it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


class _SetupError(Exception):
    pass


def run_child(function: Callable[..., Any], request: RunRequest, outcome_fd: int, output_fd: int,
              worker_fds: Sequence[int], parent: int) -> NoReturn:
    """The forked child: sets up the job's process, runs the job, reports, and never returns.

    ``output_fd`` becomes the job's stdout and stderr; ``worker_fds`` are the worker's own, closed.
    """
    outcome: Outcome = (None, "internal error in the worker's child")
    try:
        try:
            _setup(request, output_fd, worker_fds, parent)
        except _SetupError as e:
            outcome = (None, str(e))
        else:
            outcome = _call(function, request)
    except BaseException as e:  # nothing may escape into the worker's code in the child
        outcome = (None, "internal error in the worker's child: %s" % describe_exception(e))
    finally:
        _flush_stdio()
        try:
            os.write(outcome_fd, _encode_outcome(outcome))
        finally:
            os._exit(0 if outcome[1] is None else 1)


def _encode_outcome(outcome: Outcome) -> bytes:
    kind, error = outcome
    while True:
        data = json.dumps({"kind": kind, "error": error}).encode("utf-8")
        if len(data) <= _OUTCOME_LIMIT or error is None:
            return data
        error = error[: len(error) // 2] + "... (truncated)"


def _setup(request: RunRequest, output_fd: int, worker_fds: Sequence[int], parent: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # blocked in the worker across the fork
    wakeup_fd = signal.set_wakeup_fd(-1)  # the worker's: its signals are not the job's
    if wakeup_fd >= 0:
        os.close(wakeup_fd)
    os.setsid()
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:  # the worker died before prctl took effect
            os._exit(1)
    for fd in worker_fds:
        os.close(fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    # The worker's sys.stdin may hold read-ahead control lines: give the job a fresh reader.
    sys.stdin = sys.__stdin__ = open(0, "r", closefd=False)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    os.environ.update(request.env)
    try:
        os.makedirs(request.tmpdir, exist_ok=True)
    except OSError as e:
        raise _SetupError("cannot create tmpdir '%s': %s" % (request.tmpdir, describe_exception(e))) from e
    for name in ("TMPDIR", "TMP", "TEMP"):
        os.environ[name] = request.tmpdir
    tempfile.tempdir = None
    _reseed_numpy()


def _reseed_numpy() -> None:
    """Every job forks from the same memory: without a reseed, numpy's global generator would
    hand each job the same random numbers (the stdlib's ``random`` reseeds itself after fork)."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:
            numpy.random.seed()
        except Exception:
            pass


def _call(function: Callable[..., Any], request: RunRequest) -> Outcome:
    try:
        value = function(*request.args, **request.kwargs)
    except SystemExit as e:
        return _exit_outcome(e.code)
    except BaseException as e:
        traceback.print_exc()
        return None, describe_exception(e)
    try:
        return store_result(value, request.result, request.result_max_bytes), None
    except ResultError as e:  # the runner writes the reason at the end of the log
        return None, str(e)


def _exit_outcome(code: Any) -> Outcome:
    """``sys.exit(code)`` inside the function: 0 or None is success without a result."""
    if code is None or (isinstance(code, int) and code == 0):
        return "none", None
    if isinstance(code, int):
        return None, "exited with status %d" % code
    print(code, file=sys.stderr)  # what Python itself does with sys.exit("message")
    return None, "exited with status 1: %s" % code
