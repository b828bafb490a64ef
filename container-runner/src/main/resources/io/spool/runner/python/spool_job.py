"""Job processes: forked children of the worker that run jobs, and the worker's supervision of them.

A job runs in a *job process*, a child forked from the worker after the entrypoint was imported,
in one of two modes (the run request's ``process``):

* ``fresh`` (the default): one process per job, so nothing a job does to its module's globals
  reaches another job. The process is forked *ahead* of its request: at start-up, after ``ready``,
  and after each job's ``done``; it waits on its socket, runs the one job it is handed, reports and
  exits. Its ``usage`` is what ``wait4`` says the reaped process and its waited-for children used.
* ``reused``: a process runs jobs one after another (the entrypoint's module is still imported
  once, in the worker), as a multiprocessing.Pool or Hadoop Streaming worker does. It is replaced
  after a job that failed (an error, a non-zero exit, a death), was killed (any ``kill`` request
  for it), left processes or threads running, after ``maxJobsPerProcess`` jobs and when its
  resident set after a job is above ``processMemoryBytes``; also when a ``fresh`` request comes.
  Around each job it restores what a fresh process would have given the next job: os.environ, the
  working directory, tempfile.tempdir, and fds 1 and 2 (between jobs they are the worker's
  stderr, as in the worker). Its ``usage`` per job is the difference of getrusage(RUSAGE_SELF) +
  getrusage(RUSAGE_CHILDREN) over the job, and the job's peak resident set (VmHWM, reset through
  /proc/self/clear_refs before the job, or a larger ru_maxrss of a child the job waited for;
  without /proc, ru_maxrss: the process's lifetime peak). numpy's global generator is reseeded
  when a process starts, not per job.

Either way a job gets stdin from /dev/null, stdout and stderr on a pipe of its own (the write end
passed to the job process with SCM_RIGHTS with its request), whose lines the worker timestamps into
the job's log (spool_logs.LogPipe), the request's env and a TMPDIR of its own; ``sys.exit`` in the
function is a success without a result for 0 or None and a failure otherwise, and the result is
stored as spool_results says. A process that a job forked and that returns from the function
exits at once, without a result or a report. The job process is a session (and process group)
leader that dies with the worker (PR_SET_PDEATHSIG on Linux); a ``kill`` signals its group, and
what is left of the group when the job process exits, or is replaced, is killed. In reused mode a
job's leftover processes are found cheaply: the process's own children
(/proc/self/task/PID/children on Linux, about 5 microseconds) and whatever still holds the job's
pipe open after the drain. A scan of /proc for the other members of its process group would cost
about 1 ms of CPU on a machine with a hundred processes (more on a busy node) and is not made: a
descendant whose parent has exited and that has closed the job's stdout and stderr is not found;
it is killed with the group when the process is replaced or the worker ends.

``Supervisor`` is the worker's side: single-threaded, it is driven by the worker's select loop
(spool_worker) through the fds it registers in the loop's selector (the job process's socket, the
job's pipe), ``check`` (when a signal, SIGCHLD, woke the loop), ``tick`` and ``timeout``. No
thread but the main one ever exists in the worker, so a fork never copies a lock held elsewhere.
``JobProcess`` is the child's side.
"""
import array
import json
import os
import resource
import selectors
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from typing import Any, Callable, Dict, List, NoReturn, Optional, Sequence, Tuple

from spool_logs import DRAIN_SECONDS, LogFile, LogPipe
from spool_protocol import PROCESS_FRESH, PROCESS_REUSED, Channel, LineBuffer, RunRequest, decode_run, encode_run
from spool_results import ResultError, describe_exception, store_result

_ERROR_LIMIT = 4000  # the longest report a job process sends, error included (longer errors are cut)
_RECEIVE_SIZE = 1 << 16
_PR_SET_PDEATHSIG = 1
_FD_SIZE = array.array("i").itemsize
_RSS_SCALE = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in kibibytes on Linux, in bytes on macOS

# Why a job process runs no other job: ``replaced`` in ``done``.
REPLACED_FRESH = "fresh"
REPLACED_FAILED = "failed"
REPLACED_KILLED = "killed"
REPLACED_SHUTDOWN = "shutdown"
REPLACED_LEFTOVER_PROCESSES = "leftover-processes"
REPLACED_LEFTOVER_THREADS = "leftover-threads"
REPLACED_MAX_JOBS = "max-jobs"
REPLACED_MEMORY = "memory"

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


class _Child:
    """The worker's handle on a job process."""

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid = pid
        self.sock = sock
        self.listening = True  # its socket is in the selector (until EOF or close)
        self.lines = LineBuffer()
        self.reports: List[Dict[str, Any]] = []
        self.mode: Optional[str] = None  # the mode of the jobs it has run
        self.jobs = 0
        self.rss_bytes = 0  # its resident set after its last job
        self.cpu_seconds = 0.0  # its CPU, its waited-for children's included, at the end of its last job


class _Job:
    """The job being run, from its hand-over to its ``done``."""

    def __init__(self, request: RunRequest, child: _Child, pipe: LogPipe) -> None:
        self.request = request
        self.child = child
        self.pipe = pipe
        self.pipe_open = True  # its pipe is in the selector (until EOF or the end of the drain)
        self.ended = False  # its function has returned (a report came) or its process has been reaped
        self.report: Optional[Dict[str, Any]] = None
        self.status: Optional[int] = None  # the wait status, once the process has been reaped during the job
        self.rusage: Any = None
        self.kill_reason: Optional[str] = None
        self.leftover: Optional[str] = None
        self.drain_deadline: Optional[float] = None


class Supervisor:
    """Runs one job at a time in a job process and keeps a process ready for the next; see the module's doc."""

    def __init__(self, channel: Channel, function: Callable[..., Any], selector: selectors.BaseSelector,
                 worker_fds: Sequence[int]) -> None:
        """``worker_fds``: the worker's own fds (control channel, signal wakeup pipe), closed in every child."""
        self._channel = channel
        self._function = function
        self._selector = selector
        self._worker_fds = tuple(worker_fds)
        self._child: Optional[_Child] = None
        self._job: Optional[_Job] = None
        self._stopping = False

    @property
    def busy(self) -> bool:
        """True from a job's hand-over until its ``done`` has been sent."""
        return self._job is not None

    def prepare(self) -> None:
        """Forks the process for the next job, unless there is one; a failure is left to the next run request."""
        if self._child is not None or self._stopping:
            return
        try:
            self._child = self._fork()
        except OSError as e:
            print("spool_worker: cannot fork the next job's process: %s" % describe_exception(e), file=sys.stderr)

    def start(self, request: RunRequest) -> None:
        """Hands the job to a job process and reports ``started``; a refused request gets an ``error``."""
        if self._job is not None:
            self._refuse(request, "job '%s' is still running" % self._job.request.job)
            return
        try:
            child = self._child_for(request)  # forked, if need be, before the job's fds exist
        except OSError as e:
            self._refuse(request, "cannot fork: %s" % describe_exception(e))
            return
        try:
            log = LogFile(request.log, request.log_max_bytes)
        except OSError as e:
            self._refuse(request, "cannot open log file '%s': %s" % (request.log, describe_exception(e)))
            return
        read_fd, write_fd = os.pipe()
        try:
            child = self._hand_over(child, request, write_fd, (log.fd, read_fd, write_fd))
        except OSError as e:
            os.close(read_fd)
            log.close()
            self._refuse(request, "cannot start the job's process: %s" % describe_exception(e))
            return
        finally:
            os.close(write_fd)
        job = _Job(request, child, LogPipe(read_fd, log))
        self._job = job
        self._selector.register(read_fd, selectors.EVENT_READ, lambda: self._on_output(job))
        self._channel.send({"type": "started", "job": request.job, "pid": child.pid})

    def kill(self, job_id: str, signum: int) -> None:
        """Signals the running job's process group; a job that is not running is ignored."""
        job = self._job
        if job is None or job.request.job != job_id:
            return
        if not job.ended:
            _signal_job(job.child.pid, signum)
        if job.kill_reason is None:
            job.kill_reason = REPLACED_KILLED

    def stop(self) -> None:
        """Kills the running job, if any (its ``done`` follows through the loop); forks no more processes."""
        self._stopping = True
        job = self._job
        if job is not None:
            if not job.ended:
                _signal_job(job.child.pid, signal.SIGKILL)
            if job.kill_reason is None:
                job.kill_reason = REPLACED_SHUTDOWN

    def close(self) -> None:
        """Kills and reaps the job process; call it when no job runs."""
        self._stopping = True
        if self._child is not None:
            self._retire(self._child)

    def timeout(self) -> Optional[float]:
        """How long the loop may wait before ``tick`` has something to do; None for as long as it likes."""
        job = self._job
        if job is None:
            return None
        times = [t for t in (job.pipe.due() if job.pipe_open else None, job.drain_deadline) if t is not None]
        return max(0.0, min(times) - time.monotonic()) if times else None

    def tick(self) -> None:
        """Writes out a partial line that has waited long enough; ends a drain that has lasted long enough."""
        job = self._job
        if job is None:
            return
        now = time.monotonic()
        if job.pipe_open:
            job.pipe.tick(now)
        if job.drain_deadline is not None and now >= job.drain_deadline:
            if job.request.process == PROCESS_REUSED and job.leftover is None:
                job.leftover = REPLACED_LEFTOVER_PROCESSES  # something of the job holds its pipe open
            self._finish(job)

    def check(self) -> None:
        """Reaps the job process if it has exited (call it when SIGCHLD may have come)."""
        child = self._child
        if child is None:
            return
        reaped = _reap_if_exited(child.pid)
        if reaped is None:
            return
        self._read_reports(child)
        self._close_child(child)
        job = self._job
        if job is not None and job.child is child and not job.ended:
            job.status, job.rusage = reaped
            job.report = child.reports[-1] if child.reports else None
            self._end(job)

    # -- the job's course --

    def _child_for(self, request: RunRequest) -> _Child:
        """The idle job process if it may run ``request``, else a new one (the idle one retired); raises OSError."""
        child = self._child
        if child is not None and not _fits(child, request):
            self._retire(child)
        if self._child is None:
            self._child = self._fork()
        return self._child

    def _hand_over(self, child: _Child, request: RunRequest, output_fd: int, job_fds: Sequence[int]) -> _Child:
        """Sends the request and the job's output fd to ``child`` or, if it has died, to a new process; raises OSError.

        ``job_fds``: the job's fds in the worker, which a new process must not keep."""
        try:
            _send_run(child.sock, request, output_fd)
        except OSError:  # it died while it waited (its SIGCHLD not yet seen): reap it and fork another, once
            self._retire(child)
            child = self._child = self._fork(job_fds)
            _send_run(child.sock, request, output_fd)
        child.mode = request.process
        child.jobs += 1
        return child

    def _on_output(self, job: _Job) -> None:
        if job is not self._job or not job.pipe_open:
            return
        if not job.pipe.read():
            self._selector.unregister(job.pipe.fd)
            job.pipe_open = False
            if job.ended:
                self._finish(job)

    def _on_report(self, child: _Child) -> None:
        if not child.listening:
            return
        self._read_reports(child)
        job = self._job
        if (job is not None and job.child is child and not job.ended and child.reports
                and job.request.process == PROCESS_REUSED):
            job.report = child.reports.pop()
            self._end(job)

    def _read_reports(self, child: _Child) -> None:
        """Reads the reports the process has sent so far, without waiting."""
        while child.listening:
            try:
                data = child.sock.recv(_RECEIVE_SIZE, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._unlisten(child)
                return
            for line in child.lines.feed(data):
                try:
                    child.reports.append(json.loads(line))
                except ValueError:
                    print("spool_worker: unreadable report from job process %d: %r" % (child.pid, line[:200]),
                          file=sys.stderr)

    def _end(self, job: _Job) -> None:
        """The job's function has ended: drain its pipe for a while, then report ``done``."""
        job.ended = True
        report = job.report or {}
        if job.status is None and job.leftover is None:
            job.leftover = report.get("leftover")
            if job.leftover is not None:
                _signal_job(job.child.pid, signal.SIGKILL)  # its leftovers may hold the pipe: end them now
        job.drain_deadline = time.monotonic() + DRAIN_SECONDS
        if not job.pipe_open:
            self._finish(job)

    def _finish(self, job: _Job) -> None:
        if job is not self._job:
            return
        if job.pipe_open:
            self._selector.unregister(job.pipe.fd)
            job.pipe_open = False
        job.pipe.close()
        replaced = self._replacement(job)
        self._job = None
        self._channel.send(self._done(job, replaced))
        if replaced is not None and self._child is job.child:
            self._retire(job.child)
        self.prepare()

    def _replacement(self, job: _Job) -> Optional[str]:
        """Why the job's process runs no other job, or None if it can."""
        request, child = job.request, job.child
        if request.process == PROCESS_FRESH:
            return REPLACED_FRESH
        if job.kill_reason is not None:
            return job.kill_reason
        if job.status is not None or job.report is None or job.report.get("error") is not None:
            return REPLACED_FAILED
        if job.leftover is not None:
            return job.leftover
        child.rss_bytes = int(job.report.get("rssBytes") or 0)
        child.cpu_seconds = float(job.report.get("cpuTotal") or 0.0)
        if 0 < request.max_jobs_per_process <= child.jobs:
            return REPLACED_MAX_JOBS
        if 0 < request.process_memory_bytes < child.rss_bytes:
            return REPLACED_MEMORY
        return None

    def _done(self, job: _Job, replaced: Optional[str]) -> Dict[str, Any]:
        child = job.child
        report = job.report
        outcome: Optional[Outcome] = None if report is None else (report.get("kind"), report.get("error"))
        if job.status is not None:
            message = done_message(job.request.job, job.status, outcome, job.rusage)
            if child.mode == PROCESS_REUSED:  # the process's lifetime: take off what its earlier jobs used
                message["usage"]["cpuSeconds"] = round(max(0.0, message["usage"]["cpuSeconds"] - child.cpu_seconds), 6)
        else:
            assert report is not None and outcome is not None
            kind, error = outcome
            message = {"type": "done", "job": job.request.job, "exitCode": 0 if error is None else 1,
                       "signal": None, "resultKind": kind if error is None else None, "error": error,
                       "usage": report.get("usage")}
        message["process"] = {"pid": child.pid, "jobs": child.jobs, "replaced": replaced}
        return message

    def _refuse(self, request: RunRequest, reason: str) -> None:
        self._channel.send({"type": "error", "job": request.job, "error": "cannot run job '%s': %s" % (request.job, reason)})

    # -- job processes --

    def _fork(self, job_fds: Sequence[int] = ()) -> _Child:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        _flush_stdio()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            ours.close()
            theirs.close()
            raise
        if pid == 0:
            worker_fds = self._worker_fds + tuple(job_fds) + (ours.detach(),)
            JobProcess(self._function, theirs, worker_fds, parent).serve()
        theirs.close()
        child = _Child(pid, ours)
        self._selector.register(ours, selectors.EVENT_READ, lambda: self._on_report(child))
        return child

    def _unlisten(self, child: _Child) -> None:
        if child.listening:
            child.listening = False
            self._selector.unregister(child.sock)

    def _close_child(self, child: _Child) -> None:
        self._unlisten(child)
        child.sock.close()
        if self._child is child:
            self._child = None

    def _retire(self, child: _Child) -> None:
        """Kills the process and what is left of its group, and reaps it."""
        self._close_child(child)
        _signal_job(child.pid, signal.SIGKILL)
        try:
            os.waitpid(child.pid, 0)
        except ChildProcessError:  # reaped already
            pass


def _fits(child: _Child, request: RunRequest) -> bool:
    """Whether an idle job process may run ``request``: an unused one may, a reused one within its limits."""
    if child.jobs == 0:
        return True
    return (request.process == PROCESS_REUSED and child.mode == PROCESS_REUSED
            and not 0 < request.max_jobs_per_process <= child.jobs
            and not 0 < request.process_memory_bytes < child.rss_bytes)


def _send_run(sock: socket.socket, request: RunRequest, output_fd: int) -> None:
    data = encode_run(request)
    sent = sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [output_fd]))])
    if sent < len(data):
        sock.sendall(data[sent:])


def _reap_if_exited(pid: int) -> Optional[Tuple[int, Any]]:
    """The wait status and resource usage of ``pid`` if it has exited (it is then reaped), else None."""
    try:
        if hasattr(os, "waitid"):
            # Look without reaping: while the process is a zombie its pid and process group id stay
            # reserved, so the kill of what is left of its group cannot reach an unrelated process.
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
                return None
            _signal_group(pid, signal.SIGKILL)
            return os.wait4(pid, 0)[1:]
        reaped, status, rusage = os.wait4(pid, os.WNOHANG)
        return None if reaped == 0 else (status, rusage)
    except ChildProcessError:
        return None


def usage_of(rusage: Any) -> Dict[str, Any]:
    """What a reaped child used: CPU seconds (user and system) and its largest resident set, in bytes."""
    return {"cpuSeconds": round(rusage.ru_utime + rusage.ru_stime, 6),
            "maxRssBytes": int(rusage.ru_maxrss) * _RSS_SCALE}


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


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


class _SetupError(Exception):
    pass


class JobProcess:
    """The forked child: runs the jobs the worker sends on its socket (fresh: one) and never returns."""

    def __init__(self, function: Callable[..., Any], sock: socket.socket, worker_fds: Sequence[int],
                 parent: int) -> None:
        """``worker_fds`` are the worker's own, closed here; ``parent`` is the worker's pid."""
        self._function = function
        self._sock = sock
        self._worker_fds = worker_fds
        self._parent = parent
        self._pid = os.getpid()
        self._lines = LineBuffer()
        self._home = -1  # a copy of the worker's stderr: fds 1 and 2 between jobs
        self._baseline: Optional[Tuple[Dict[str, str], str]] = None  # os.environ and cwd before the first reused job
        self._peak_resettable = sys.platform.startswith("linux")

    def serve(self) -> NoReturn:
        code = 1
        try:
            self._become_job_process()
            code = self._serve()
        except BaseException:  # nothing may escape into the worker's code in the child
            try:
                traceback.print_exc()
            except BaseException:
                pass
        finally:
            os._exit(code)

    def _become_job_process(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGCHLD):  # the worker's handlers, not the job's
            signal.signal(signum, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        os.setsid()
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
            if os.getppid() != self._parent:  # the worker died before prctl took effect
                os._exit(1)
        for fd in self._worker_fds:
            os.close(fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        # The worker's sys.stdin may hold read-ahead control lines: give the jobs a fresh reader.
        sys.stdin = sys.__stdin__ = open(0, "r", closefd=False)
        self._home = os.dup(2)
        _reseed_numpy()

    def _serve(self) -> int:
        """Runs the jobs it is sent until the worker closes the socket; returns the exit status."""
        while True:
            received = self._receive()
            if received is None:
                return 0
            request, output_fd = received
            report = self._run(request, output_fd)
            self._sock.sendall((json.dumps(report, separators=(",", ":")) + "\n").encode("utf-8"))
            if request.process == PROCESS_FRESH:
                return 0 if report["error"] is None else 1

    def _receive(self) -> Optional[Tuple[RunRequest, int]]:
        """The next run request and its output fd; None once the worker has closed the socket."""
        fds: List[int] = []
        lines: List[bytes] = []
        while not lines:
            data, ancillary, _, _ = self._sock.recvmsg(_RECEIVE_SIZE, socket.CMSG_SPACE(4 * _FD_SIZE))
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    received = array.array("i")
                    received.frombytes(payload[:len(payload) - len(payload) % _FD_SIZE])
                    fds.extend(received)
            if not data:
                for fd in fds:
                    os.close(fd)
                return None
            lines = self._lines.feed(data)
        if len(lines) != 1 or len(fds) != 1:
            raise RuntimeError("job process %d: expected one run request with one fd, got %d lines and %d fds"
                               % (self._pid, len(lines), len(fds)))
        return decode_run(lines[0]), fds[0]

    def _run(self, request: RunRequest, output_fd: int) -> Dict[str, Any]:
        """Runs one job with fds 1 and 2 on ``output_fd``; returns the report for the worker."""
        reused = request.process == PROCESS_REUSED
        if reused:
            if self._baseline is None:
                self._baseline = dict(os.environ), os.getcwd()
            cpu_before = _cpu_seconds()
            children_peak_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            self._reset_peak()
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.close(output_fd)
        try:
            try:
                self._enter(request)
            except _SetupError as e:
                outcome: Outcome = (None, str(e))
            else:
                outcome = _call(self._function, request, self._pid)
        except BaseException as e:
            outcome = (None, "internal error in the worker's child: %s" % describe_exception(e))
        finally:
            _flush_stdio()
            os.dup2(self._home, 1)  # the job's pipe sees EOF once its own processes have closed it too
            os.dup2(self._home, 2)
        report: Dict[str, Any] = {"kind": outcome[0], "error": _shortened(outcome[1])}
        if reused:
            self._leave()
            cpu = _cpu_seconds()
            peak, resident = self._memory()
            children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            if children_peak > children_peak_before:  # a process the job waited for had the largest set so far
                peak = max(peak, children_peak * _RSS_SCALE)
            report.update(usage={"cpuSeconds": round(cpu - cpu_before, 6), "maxRssBytes": peak},
                          rssBytes=resident, cpuTotal=cpu, leftover=self._leftover())
        return report

    def _enter(self, request: RunRequest) -> None:
        """The job's env and its TMPDIR (created)."""
        os.environ.update(request.env)
        try:
            os.makedirs(request.tmpdir, exist_ok=True)
        except OSError as e:
            raise _SetupError("cannot create tmpdir '%s': %s" % (request.tmpdir, describe_exception(e))) from e
        for name in ("TMPDIR", "TMP", "TEMP"):
            os.environ[name] = request.tmpdir
        tempfile.tempdir = None

    def _leave(self) -> None:
        """Gives the next job what the process had before this one: os.environ, the cwd, tempfile's directory."""
        assert self._baseline is not None
        baseline, cwd = self._baseline
        environ = os.environ
        for name in [name for name in environ if name not in baseline]:
            del environ[name]
        for name, value in baseline.items():
            if environ.get(name) != value:
                environ[name] = value
        tempfile.tempdir = None
        try:
            os.chdir(cwd)
        except OSError:
            pass

    def _reset_peak(self) -> None:
        """Makes VmHWM the current resident set (Linux 4.0 and later)."""
        if not self._peak_resettable:
            return
        try:
            fd = os.open("/proc/self/clear_refs", os.O_WRONLY)
            try:
                os.write(fd, b"5")
            finally:
                os.close(fd)
        except OSError:
            self._peak_resettable = False

    def _memory(self) -> Tuple[int, int]:
        """(the peak resident set since ``_reset_peak``, the resident set now) in bytes.

        Without /proc both are the process's lifetime peak (ru_maxrss)."""
        if self._peak_resettable:
            try:
                with open("/proc/self/status", "rb") as f:
                    status = f.read()
                return _status_bytes(status, b"VmHWM:"), _status_bytes(status, b"VmRSS:")
            except (OSError, ValueError):
                pass
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _RSS_SCALE
        return peak, peak

    def _leftover(self) -> Optional[str]:
        """What the job left running in this process: threads, or child processes (on Linux); None if nothing."""
        if threading.active_count() > 1:
            return REPLACED_LEFTOVER_THREADS
        try:
            with open("/proc/%d/task/%d/children" % (self._pid, self._pid), "rb") as f:
                if f.read().strip():
                    return REPLACED_LEFTOVER_PROCESSES
        except OSError:  # not Linux, or a kernel without CONFIG_PROC_CHILDREN: not checked
            pass
        return None


def _cpu_seconds() -> float:
    """User and system CPU of this process and of the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _status_bytes(status: bytes, field: bytes) -> int:
    """A ``kB`` field of /proc/PID/status, in bytes."""
    start = status.index(field) + len(field)
    return int(status[start:status.index(b"kB", start)]) * 1024


def _shortened(error: Optional[str]) -> Optional[str]:
    while error is not None and len(error.encode("utf-8")) > _ERROR_LIMIT:
        error = error[: len(error) // 2] + "... (truncated)"
    return error


def _reseed_numpy() -> None:
    """Every job process forks from the same memory: without a reseed, numpy's global generator would
    hand each of them the same random numbers (the stdlib's ``random`` reseeds itself after fork)."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:
            numpy.random.seed()
        except Exception:
            pass


def _call(function: Callable[..., Any], request: RunRequest, pid: int) -> Outcome:
    raised: Optional[BaseException] = None
    value: Any = None
    try:
        value = function(*request.args, **request.kwargs)
    except BaseException as e:
        raised = e
    if os.getpid() != pid:  # a fork the job made came back here: it is not the job's process
        _flush_stdio()
        os._exit(0 if raised is None else 1)
    if isinstance(raised, SystemExit):
        return _exit_outcome(raised.code)
    if raised is not None:
        traceback.print_exception(type(raised), raised, raised.__traceback__)
        return None, describe_exception(raised)
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
