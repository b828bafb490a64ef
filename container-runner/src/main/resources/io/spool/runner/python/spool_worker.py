"""Spool's Python worker: imports a job function once, then runs each job in a forked job process.

    python -u -B spool_worker.py --bundle DIR --entrypoint MODULE:FUNCTION [--check]

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

With ``--check`` (the function build's test of an entrypoint) it only imports the entrypoint as
above and speaks no protocol: it writes ``SPOOL_CHECK ok MODULE:FUNCTION`` on stdout and exits 0,
or the traceback (if any) on stderr, then ``SPOOL_CHECK failed <reason>`` on stdout, and exits 4.

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
from typing import Any, Callable, List, NoReturn, Optional, Set, Tuple

from spool_job import Supervisor
from spool_protocol import (Channel, KillRequest, LineBuffer, PingRequest, ProtocolError, RunRequest, ShutdownRequest,
                            parse_request)
from spool_results import describe_exception, type_name

EXIT_FATAL = 3
EXIT_CHECK_FAILED = 4
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
    parser.add_argument("--check", action="store_true", help="only import the entrypoint and report on stdout")
    return parser.parse_args(argv)


def wants_check(argv: List[str]) -> bool:
    """True when the arguments ask for ``--check`` (read as parse_args reads it, abbreviations included)."""
    parser = _ArgumentParser(prog="spool_worker.py", add_help=False)
    parser.add_argument("--check", action="store_true")
    try:
        return parser.parse_known_args(argv)[0].check
    except EntrypointError:  # only --check is known here, so it was given, wrongly: check() reports how
        return True


def protect_control_channel() -> int:
    """Keeps the original stdout as a private fd and points fd 1 at stderr; returns that fd."""
    sys.stdout.flush()
    control_fd = os.dup(1)  # not inheritable: programs the jobs exec never see it
    os.dup2(2, 1)
    return control_fd


def load_entrypoint(bundle: str, entrypoint: str) -> Callable[..., Any]:
    """Imports MODULE from the bundle and returns its callable FUNCTION (a dotted path is allowed).

    The reason of an EntrypointError names the file and line at fault, a file in the bundle by its
    path relative to the bundle; the traceback of an exception at import goes to stderr.
    """
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
        raise EntrypointError(_import_failure(module_name, e, bundle)) from e
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise EntrypointError("function '%s' is not defined in %s"
                                  % (attribute, _module_location(module, module_name, bundle))) from None
        except Exception as e:  # a module's __getattr__ or a property that fails
            traceback.print_exc()
            raise EntrypointError("cannot get '%s' from %s: %s"
                                  % (attribute, _module_location(module, module_name, bundle),
                                     describe_exception(e))) from e
    if not callable(target):
        kind = type_name(type(target))
        raise EntrypointError("'%s' in %s is not callable (it is %s %s)"
                              % (attribute, _module_location(module, module_name, bundle),
                                 "an" if kind[:1].lower() in "aeiou" else "a", kind))
    return target


def _import_failure(module_name: str, exc: BaseException, bundle: str) -> str:
    """The reason an import failed: where a syntax error is, or the exception and the frame that raised it."""
    if isinstance(exc, SyntaxError) and isinstance(exc.filename, str) and os.path.isfile(exc.filename):
        where = _file_name(exc.filename, bundle)
        if exc.lineno is not None:
            where += ", line %d" % exc.lineno
        return "%s in %s: %s" % (type_name(type(exc)), where, exc.msg)
    reason = "cannot import module '%s': %s" % (module_name, describe_exception(exc))
    frame = _raising_frame(exc, bundle)
    if frame is not None:
        reason += " (%s, line %d)" % frame
    return reason


def _raising_frame(exc: BaseException, bundle: str) -> Optional[Tuple[str, int]]:
    """The file and line of the innermost frame in the bundle that the exception passed through, else of the
    innermost frame outside the import machinery; None when there is neither (a module that is not there)."""
    machinery = os.path.dirname(os.path.abspath(importlib.__file__))
    innermost = None
    in_bundle = None
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None  # past load_entrypoint's own frame
    for frame, line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.startswith("<") or os.path.dirname(os.path.abspath(filename)) == machinery:
            continue
        innermost = (filename, line)
        if _bundle_path(filename, bundle) is not None:
            in_bundle = innermost
    chosen = in_bundle or innermost
    return None if chosen is None else (_file_name(chosen[0], bundle), chosen[1])


def _module_location(module: Any, module_name: str, bundle: str) -> str:
    """The module's file (relative to the bundle when it is in it), or a phrase for a module without one."""
    filename = getattr(module, "__file__", None)
    if filename:
        return _file_name(filename, bundle)
    if hasattr(module, "__path__"):
        return "module '%s' (a namespace package)" % module_name
    return "module '%s'" % module_name


def _bundle_path(filename: str, bundle: str) -> Optional[str]:
    """``filename`` relative to the bundle directory, or None when the file is not in it."""
    for path, directory in ((os.path.abspath(filename), bundle),
                            (os.path.realpath(filename), os.path.realpath(bundle))):
        if os.path.commonpath([path, directory]) == directory:
            return os.path.relpath(path, directory)
    return None


def _file_name(filename: str, bundle: str) -> str:
    """A file as a reason names it: relative to the bundle directory when it is in it, else as given."""
    relative = _bundle_path(filename, bundle)
    return filename if relative is None else relative


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


def check(argv: List[str]) -> int:
    """``--check``: loads the entrypoint as the worker does and reports on stdout; returns the exit status.

    What the import prints goes to stderr, so that the ``SPOOL_CHECK`` line is all of stdout, and it
    comes after the traceback for a reader of the two streams merged.
    """
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        args = parse_args(argv)
        load_entrypoint(args.bundle, args.entrypoint)
    except EntrypointError as e:
        sys.stderr.flush()
        out.write("SPOOL_CHECK failed %s\n" % " ".join(str(e).splitlines()))
        out.flush()
        return EXIT_CHECK_FAILED
    sys.stderr.flush()
    out.write("SPOOL_CHECK ok %s\n" % args.entrypoint)
    out.flush()
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if wants_check(arguments):
        return check(arguments)
    control_fd = protect_control_channel()
    channel = Channel(control_fd)
    try:
        args = parse_args(arguments)
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
