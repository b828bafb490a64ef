"""Starts the real Spool worker as a subprocess and speaks its protocol, for the tests.

The worker's directory comes from SPOOL_WORKER_DIR (set by the Maven build), or is found from
this file's place in the source tree. The worker runs on the same Python as the tests.
"""
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from typing import Any, Dict, Optional

WORKER_DIR = os.environ.get("SPOOL_WORKER_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "resources", "io", "spool", "runner", "python")
TIMEOUT = 20.0


def write_bundle(root: str, files: Dict[str, str]) -> str:
    """Writes ``{relative path: source}`` under ``root/bundle`` and returns that directory."""
    bundle = os.path.join(root, "bundle")
    for name, source in files.items():
        path = os.path.join(bundle, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(source))
    return bundle


def process_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (orphans may never be reaped in a container)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")


def without_usage_and_process(done: Dict[str, Any]) -> Dict[str, Any]:
    """A ``done`` message without its ``usage`` and ``process`` (which every job's has, with figures of its own)."""
    assert "usage" in done, "a done message without usage: %r" % done
    assert "process" in done, "a done message without process: %r" % done
    return {key: value for key, value in done.items() if key not in ("usage", "process")}


def strip_timestamps(log: str) -> list:
    """The lines of a log (each with its newline) without their timestamps; fails on a line that has none."""
    lines = []
    for line in log.splitlines(keepends=True):
        match = TIMESTAMP.match(line)
        if match is None:
            raise AssertionError("log line without a timestamp: %r in:\n%s" % (line, log))
        lines.append(line[match.end():])
    return lines


def wait_until(condition, timeout: float = TIMEOUT, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


class Worker:
    """One worker process; every line it writes on stdout must be a JSON object."""

    def __init__(self, root: str, bundle: str, entrypoint: str) -> None:
        self.root = root
        self.stderr_path = os.path.join(root, "worker.stderr")
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-B", os.path.join(WORKER_DIR, "spool_worker.py"),
             "--bundle", bundle, "--entrypoint", entrypoint],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, cwd=root)
        self._lines: "queue.Queue[Optional[bytes]]" = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in iter(self.proc.stdout.readline, b""):
            self._lines.put(line)
        self._lines.put(None)

    def stderr(self) -> str:
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: Dict[str, Any]) -> None:
        self.send_raw((json.dumps(message) + "\n").encode("utf-8"))

    def next(self, timeout: float = TIMEOUT) -> Dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no message from the worker within %ss; stderr:\n%s" % (timeout, self.stderr()))
        if line is None:
            raise AssertionError("the worker closed stdout; stderr:\n" + self.stderr())
        try:
            message = json.loads(line)
        except ValueError:
            raise AssertionError("the worker wrote a line that is not JSON: %r" % line)
        if not isinstance(message, dict) or "type" not in message:
            raise AssertionError("the worker wrote a line that is not a message: %r" % line)
        return message

    def expect(self, kind: str, timeout: float = TIMEOUT) -> Dict[str, Any]:
        message = self.next(timeout)
        if message["type"] != kind:
            raise AssertionError("expected a %r message, got %r; stderr:\n%s" % (kind, message, self.stderr()))
        return message

    def no_message(self, within: float = 0.3) -> None:
        try:
            line = self._lines.get(timeout=within)
        except queue.Empty:
            return
        raise AssertionError("unexpected message from the worker: %r" % line)

    def paths(self, job: str) -> Dict[str, str]:
        base = os.path.join(self.root, "jobs", job)
        return {"log": os.path.join(base, "log"), "result": os.path.join(base, "result"), "tmpdir": os.path.join(base, "tmp")}

    def start_job(self, job: str, *args: Any, **options: Any) -> Dict[str, Any]:
        """Sends a run request; returns the ``started`` message.

        Options: kwargs, env, attempt, timeout, and fields (more fields of the request, like resultMaxBytes).
        """
        request = {"type": "run", "job": job, "attempt": options.get("attempt", 1), "args": list(args),
                   "kwargs": options.get("kwargs", {}), "env": options.get("env", {})}
        request.update(self.paths(job))
        request.update(options.get("fields", {}))
        self.send(request)
        started = self.expect("started")
        assert started["job"] == job, started
        return started

    def run(self, job: str, *args: Any, **options: Any) -> Dict[str, Any]:
        """Runs a job to its end; returns the ``done`` message."""
        self.start_job(job, *args, **options)
        done = self.expect("done", options.get("timeout", TIMEOUT))
        assert done["job"] == job, done
        return done

    def read_log(self, job: str) -> str:
        """The job's log without the timestamp at the start of each line (checked to be there)."""
        return "".join(strip_timestamps(self.read_raw_log(job)))

    def read_raw_log(self, job: str) -> str:
        with open(self.paths(job)["log"], encoding="utf-8") as f:
            return f.read()

    def read_metadata(self, job: str) -> Dict[str, Any]:
        with open(self.paths(job)["result"] + ".meta", "rb") as f:
            return json.loads(f.read())

    def read_result(self, job: str) -> bytes:
        with open(self.paths(job)["result"], "rb") as f:
            return f.read()

    def wait(self, timeout: float = TIMEOUT) -> int:
        return self.proc.wait(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._stderr.close()


class WorkerTestCase:
    """Mixin: a temp dir per test and a ``start`` that launches a worker on a bundle."""

    def setUp(self) -> None:  # type: ignore[misc]
        self._tmp = tempfile.TemporaryDirectory(prefix="spool-worker-test-")
        self.root = os.path.realpath(self._tmp.name)
        self._workers = []

    def tearDown(self) -> None:  # type: ignore[misc]
        for worker in self._workers:
            worker.close()
        self._tmp.cleanup()

    def start(self, files: Dict[str, str], entrypoint: str, ready: bool = True) -> Worker:
        bundle = write_bundle(self.root, files)
        worker = Worker(self.root, bundle, entrypoint)
        self._workers.append(worker)
        if ready:
            worker.expect("ready")
        return worker
