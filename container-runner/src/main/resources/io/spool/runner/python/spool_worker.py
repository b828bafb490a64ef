"""Spool's Python worker: imports a job function once, then runs each job in a forked child.

    python -u -B spool_worker.py --bundle DIR --entrypoint MODULE:FUNCTION

The Java runner drives it over JSON Lines: requests on stdin, messages on the original stdout,
which the worker keeps for itself (fd 1 is pointed at stderr, so nothing the user's code prints
can reach the protocol). On start it writes ``ready`` or, if the entrypoint cannot be loaded,
``fatal`` and exits with status 3. Then it serves ``run``, ``kill``, ``ping`` and ``shutdown``
requests until ``shutdown``, EOF on stdin or SIGTERM; a running job is killed on the way out.
See spool_protocol (the messages), spool_job (a job's process), spool_logs (its log) and
spool_results (its result). The ``spool`` package beside this script is what jobs import
(``from spool import ComputeResult``): this script's directory is first on sys.path.
"""
import argparse
import gc
import importlib
import os
import platform
import signal
import sys
import traceback
from typing import Any, Callable, Iterable, List, NoReturn, Optional

from spool_job import Supervisor
from spool_protocol import (Channel, KillRequest, PingRequest, ProtocolError, RunRequest, ShutdownRequest, parse_request,
                            read_lines)
from spool_results import describe_exception

EXIT_FATAL = 3
EXIT_TERMINATED = 128 + signal.SIGTERM


class EntrypointError(Exception):
    """The worker cannot start; the message is the one-line reason sent as ``fatal``."""


class _Terminated(BaseException):
    pass


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


def serve(channel: Channel, supervisor: Supervisor, requests: Iterable[bytes]) -> None:
    """Answers requests until shutdown or EOF; always leaves no job running."""
    try:
        for line in requests:
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
                break
    finally:
        supervisor.stop()


def _on_sigterm(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Terminated()


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
    gc.freeze()  # the imported module is shared by every child: keep the collector off its pages
    wakeup_read, wakeup_write = os.pipe()
    for fd in (wakeup_read, wakeup_write):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGTERM, _on_sigterm)
    channel.send({"type": "ready", "pid": os.getpid(), "python": platform.python_version()})
    try:
        serve(channel, Supervisor(channel, function), read_lines(sys.stdin.fileno(), wakeup_read))
    except _Terminated:
        return EXIT_TERMINATED
    return 0


if __name__ == "__main__":
    sys.exit(main())
