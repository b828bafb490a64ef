"""Spool's Python worker: imports a job function once, then runs each job in a forked job process.

    python -u -B spool_worker.py --bundle DIR --entrypoint MODULE:FUNCTION

The Java runner drives it over JSON Lines: requests on stdin, messages on the original stdout,
which the worker keeps for itself (fd 1 is pointed at stderr, so nothing the user's code prints
can reach the protocol). On start it writes ``ready`` or, if the entrypoint cannot be loaded,
``fatal`` and exits with status 3. Then it serves ``run``, ``kill``, ``ping`` and ``shutdown``
requests until ``shutdown``, EOF on stdin (exit status 0) or SIGTERM (143); a running job is
killed on the way out and its ``done`` reported. It runs one job at a time and refuses a ``run``
while a job runs.

A job runs in a job process forked from the worker: a fresh one per job, forked ahead of its
request so that the fork is off the job's path, or, for requests with ``"process": "reused"``, one
that runs job after job until it has to be replaced. The worker is a single-threaded select loop
over stdin, the signal wakeup fd (SIGTERM, SIGCHLD), the job process's socket and the job's output
pipe, with the job log's partial-line timer as its timeout; no other thread exists, so no fork
copies a lock that another thread holds.

See spool_protocol (the messages), spool_job (job processes and their modes), spool_logs (a job's
log) and spool_results (its result). The ``spool`` package beside this script is what jobs import
(``from spool import ComputeResult``): this script's directory is first on sys.path.
"""
import argparse
import gc
import importlib
import os
import platform
import selectors
import signal
import sys
import traceback
from typing import Any, Callable, List, NoReturn, Optional, Set

from spool_job import Supervisor
from spool_protocol import (Channel, KillRequest, LineBuffer, PingRequest, ProtocolError, RunRequest, ShutdownRequest,
                            parse_request)
from spool_results import describe_exception

EXIT_FATAL = 3
EXIT_TERMINATED = 128 + signal.SIGTERM
_READ_SIZE = 1 << 16


class EntrypointError(Exception):
    """The worker cannot start; the message is the one-line reason sent as ``fatal``."""


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise EntrypointError("bad worker arguments: %s (%s)" % (message, self.format_usage().strip()))


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = _ArgumentParser(prog="spool_worker.py", description="Runs Spool jobs in forked children.")
    parser.add_argument("--bundle", required=True, help="directory put first on sys.path")
    parser.add_argument("--entrypoint", required=True, help="MODULE:FUNCTION to import and call")
    return parser.parse_args(argv)


def protect_control_channel() -> int:
    """Keeps the original stdout as a private fd and points fd 1 at stderr; returns that fd."""
    sys.stdout.flush()
    control_fd = os.dup(1)  # not inheritable: programs the jobs exec never see it
    os.dup2(2, 1)
    return control_fd


def load_entrypoint(bundle: str, entrypoint: str) -> Callable[..., Any]:
    """Imports MODULE from the bundle and returns its callable FUNCTION (a dotted path is allowed)."""
    module_name, _, attribute = entrypoint.partition(":")
    if not module_name or not attribute:
        raise EntrypointError("entrypoint '%s' must have the form MODULE:FUNCTION" % entrypoint)
    bundle = os.path.abspath(bundle)
    if not os.path.isdir(bundle):
        raise EntrypointError("bundle directory '%s' does not exist" % bundle)
    sys.path.insert(0, bundle)
    try:
        module = importlib.import_module(module_name)
    except (Exception, SystemExit) as e:
        traceback.print_exc()
        raise EntrypointError("cannot import module '%s': %s" % (module_name, describe_exception(e))) from e
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            where = getattr(module, "__file__", None) or "a namespace package"
            raise EntrypointError("function '%s' is not defined in module '%s' (%s)" % (attribute, module_name, where)) from None
    if not callable(target):
        raise EntrypointError("'%s.%s' is not callable" % (module_name, attribute))
    return target


def new_selector() -> selectors.BaseSelector:
    """A selector without an fd of its own (poll), so that a forked job process has none of it to close."""
    return selectors.PollSelector() if hasattr(selectors, "PollSelector") else selectors.SelectSelector()


class Signals:
    """The signals caught since start; the handler only notes them (the wakeup fd wakes the loop)."""

    def __init__(self) -> None:
        self.caught: Set[int] = set()

    def handle(self, signum: int, frame: Any) -> None:
        self.caught.add(signum)


def serve(channel: Channel, supervisor: Supervisor, selector: selectors.BaseSelector, requests_fd: int,
          wakeup_fd: int, signals: Signals) -> None:
    """Answers requests until shutdown, EOF or SIGTERM; always leaves no job running.

    It waits in select() on the requests, on ``wakeup_fd`` (the signal wakeup fd: a signal that
    arrives just before a wait still wakes it) and on the fds the supervisor has registered, whose
    callbacks are their keys' data.
    """
    lines = LineBuffer()
    selector.register(requests_fd, selectors.EVENT_READ)
    selector.register(wakeup_fd, selectors.EVENT_READ)
    stopping = False
    try:
        supervisor.prepare()
        while not (stopping and not supervisor.busy):
            for key, _ in selector.select(supervisor.timeout()):
                if key.fd == requests_fd:
                    if stopping:  # it was ready when the loop began to stop: its requests are not answered
                        continue
                    data = os.read(requests_fd, _READ_SIZE)
                    complete = lines.feed(data) if data else [lines.rest()]
                    stopping = not _answer(channel, supervisor, complete) or not data
                elif key.fd == wakeup_fd:
                    try:
                        os.read(wakeup_fd, 512)
                    except BlockingIOError:
                        pass
                    supervisor.check()
                    stopping = stopping or signal.SIGTERM in signals.caught
                else:
                    key.data()
                if stopping and requests_fd in selector.get_map():
                    selector.unregister(requests_fd)
                    supervisor.stop()
            supervisor.tick()
    finally:
        supervisor.close()


def _answer(channel: Channel, supervisor: Supervisor, lines: List[bytes]) -> bool:
    """Acts on request lines; False once one of them is ``shutdown`` (the lines after it are dropped)."""
    for line in lines:
        if not line.strip():
            continue
        try:
            request = parse_request(line)
        except ProtocolError as e:
            message = {"type": "error", "error": str(e)}
            if e.job is not None:
                message["job"] = e.job
            channel.send(message)
            continue
        if isinstance(request, RunRequest):
            supervisor.start(request)
        elif isinstance(request, KillRequest):
            supervisor.kill(request.job, request.signal)
        elif isinstance(request, PingRequest):
            channel.send({"type": "pong"})
        elif isinstance(request, ShutdownRequest):
            return False
    return True


def main(argv: Optional[List[str]] = None) -> int:
    control_fd = protect_control_channel()
    channel = Channel(control_fd)
    try:
        args = parse_args(argv)
        function = load_entrypoint(args.bundle, args.entrypoint)
    except EntrypointError as e:
        print("spool_worker: fatal: %s" % e, file=sys.stderr)
        channel.send({"type": "fatal", "error": str(e)})
        return EXIT_FATAL
    gc.freeze()  # the imported module is shared by every job process: keep the collector off its pages
    wakeup_read, wakeup_write = os.pipe()
    for fd in (wakeup_read, wakeup_write):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wakeup_write)
    signals = Signals()
    for signum in (signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signum, signals.handle)
    selector = new_selector()
    supervisor = Supervisor(channel, function, selector, (control_fd, wakeup_read, wakeup_write))
    channel.send({"type": "ready", "pid": os.getpid(), "python": platform.python_version()})
    serve(channel, supervisor, selector, sys.stdin.fileno(), wakeup_read, signals)
    return EXIT_TERMINATED if signal.SIGTERM in signals.caught else 0


if __name__ == "__main__":
    sys.exit(main())
