"""Waiting for jobs through the server's long polls: never a poll per job, never a busy loop.

Jobs are read once after taking the newest cursor of their function's completion log, then the log is followed
(``completions?since=CURSOR`` holds the request until a job ends); only the jobs it names are taken. A function's
wait long-polls ``wait``. Ctrl-C while waiting cancels the jobs waited on (unless asked not to) and re-raises.
"""
from __future__ import annotations

import collections
import math
import time
from typing import Any, Deque, Dict, Iterator, List, Mapping, Optional, Sequence

from . import _operations
from ._http import LONG_POLL_SECONDS, Client
from ._values import parse_date
from .exceptions import BuildFailedError, ConflictError, WaitTimeoutError
from .progress import Progress
from .status import FunctionStatus, JobStatus

FULL_READ_SECONDS = 60.0
FUNCTION_CHECK_SECONDS = 20.0
EMPTY_CURSOR_POLL_SECONDS = 1.0
PROGRESS_WAIT_SECONDS = 2


class CompletionWaiter:
    """Yields the given jobs of one function as they end, in the order they ended, each once.

    ``jobs``: Job objects (updated in place and yielded themselves); ``timeout``: seconds in all, None for no
    limit (then WaitTimeoutError names the jobs still not done); ``progress``: see Progress.
    """

    def __init__(self, client: Client, function_id: str, jobs: Sequence[Any], timeout: Optional[float] = None,
                 progress: Optional[bool] = None, cancel_on_interrupt: bool = True,
                 title: Optional[str] = None) -> None:
        self._client = client
        self._function_id = function_id
        self._remaining: Dict[str, Any] = {}
        for job in jobs:
            if job.function_id != function_id:
                raise ValueError("job %s belongs to function %s, not %s: wait on it through its own function"
                                 % (job.id, job.function_id, function_id))
            self._remaining.setdefault(job.id, job)
        self._total = len(self._remaining)
        self._timeout = timeout
        self._cancel_on_interrupt = cancel_on_interrupt
        self._ready: Deque[Any] = collections.deque()
        self._counts: Dict[str, int] = collections.Counter()
        self._progress = Progress(title or "function %s" % function_id, self._total, progress)

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from self._follow()
        except KeyboardInterrupt:
            if self._cancel_on_interrupt and self._remaining:
                ids = list(self._remaining)
                _operations.run(self._client, self._function_id, "cancel", job_ids=ids)
                self._progress.note("interrupted: asked to cancel the %d job(s) still waited on" % len(ids))
            raise
        finally:
            self._progress.close()

    def _follow(self) -> Iterator[Any]:
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        cursor = self._newest_cursor()
        self._read_remaining()
        last_full_read = last_function_check = time.monotonic()
        done = 0
        self._progress.update(0, self._counts, force=True)
        while self._ready or self._remaining:
            while self._ready:
                job = self._ready.popleft()
                done += 1
                self._counts[str(job.status)] += 1
                self._progress.update(done, self._counts, force=not self._ready)
                yield job
            if not self._remaining:
                break
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise WaitTimeoutError("%d of the %d job(s) waited on are still not done after %s s"
                                       % (len(self._remaining), self._total, _seconds(self._timeout)),
                                       list(self._remaining.values()))
            left = None if deadline is None else deadline - now
            if cursor == "":
                # no job of the function has ended yet, and an empty cursor cannot be long-polled: look again soon
                time.sleep(EMPTY_CURSOR_POLL_SECONDS if left is None else min(EMPTY_CURSOR_POLL_SECONDS, left))
                cursor = self._newest_cursor()
                if cursor != "":
                    self._read_remaining()
                    last_full_read = time.monotonic()
                else:
                    last_function_check = self._check_function(last_function_check)
                continue
            wait = LONG_POLL_SECONDS if left is None else max(1, min(LONG_POLL_SECONDS, int(math.ceil(left))))
            reply = self._client.get("functions/%s/completions" % self._function_id,
                                     {"since": cursor, "timeout": wait}, wait=wait)
            cursor = reply.get("cursor") or cursor
            self._take([v for v in reply.get("jobs") or [] if v.get("id") in self._remaining])
            now = time.monotonic()
            if now - last_full_read >= FULL_READ_SECONDS:
                self._read_remaining()
                last_full_read = now
            if not self._ready:
                last_function_check = self._check_function(last_function_check, force=not reply.get("jobs"))

    def _newest_cursor(self) -> str:
        reply = self._client.get("functions/%s/completions" % self._function_id)
        return (reply or {}).get("cursor") or ""

    def _read_remaining(self) -> None:
        views = _operations.read_jobs(self._client, self._function_id, list(self._remaining))
        found = {v.get("id") for v in views}
        for job_id in [i for i in self._remaining if i not in found]:
            del self._remaining[job_id]  # deleted while waited on
            self._total -= 1
        self._take(views)

    def _take(self, views: List[Mapping[str, Any]]) -> None:
        ended = []
        for view in views:
            job = self._remaining.get(view.get("id"))
            if job is None:
                continue
            job._update(view)
            if JobStatus(view.get("status")).is_terminal:
                ended.append(job)
        ended.sort(key=_completion_order)
        for job in ended:
            del self._remaining[job.id]
            self._ready.append(job)

    def _check_function(self, last: float, force: bool = False) -> float:
        now = time.monotonic()
        if not force and now - last < FUNCTION_CHECK_SECONDS:
            return last
        view = self._client.get("functions/%s" % self._function_id)
        if FunctionStatus(view.get("status")) == FunctionStatus.BUILD_FAILED:
            raise BuildFailedError(self._function_id, view.get("statusReason"),
                                   "%d of the job(s) waited on" % len(self._remaining))
        return now


def _completion_order(job: Any) -> tuple:
    ended = parse_date(job._data.get("last_completion_date"))
    number = job.id.rsplit("-", 1)[-1]
    return (ended.timestamp() if ended else 0.0, int(number) if number.isdigit() else 0)


def _seconds(value: Optional[float]) -> str:
    return "%g" % value if value is not None else "?"


def wait_for_function(client: Client, function_id: str, timeout: Optional[float] = None,
                      progress: Optional[bool] = None, cancel_on_interrupt: bool = True,
                      title: Optional[str] = None) -> Dict[str, int]:
    """Waits until none of the function's jobs is pending or running; returns the job counts per status then.

    Raises WaitTimeoutError after ``timeout`` seconds and BuildFailedError if its build failed with jobs pending.
    """
    bar = Progress(title or "function %s" % function_id, None, progress)
    deadline = None if timeout is None else time.monotonic() + timeout
    poll = PROGRESS_WAIT_SECONDS if bar.enabled else LONG_POLL_SECONDS
    try:
        while True:
            now = time.monotonic()
            left = None if deadline is None else deadline - now
            wait = poll if left is None else max(0, min(poll, int(math.ceil(left))))
            try:
                reply = client.get("functions/%s/wait" % function_id, {"timeout": wait}, wait=wait)
            except ConflictError as e:
                view = client.get("functions/%s" % function_id)
                if FunctionStatus(view.get("status")) == FunctionStatus.BUILD_FAILED:
                    raise BuildFailedError(function_id, view.get("statusReason"), "its pending jobs") from e
                raise
            counts = {k: int(v) for k, v in (reply.get("jobStatistics") or {}).items()}
            _show(bar, counts)
            if reply.get("done"):
                return counts
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimeoutError("function %s still has %d job(s) pending or running after %s s"
                                       % (function_id, _unfinished(counts), _seconds(timeout)))
    except KeyboardInterrupt:
        if cancel_on_interrupt:
            asked = _operations.run(client, function_id, "cancel",
                                    job_filter={"status": ["PENDING", "RUNNING"]})
            bar.note("interrupted: asked to cancel %d pending or running job(s) of function %s"
                     % (asked, function_id))
        raise
    finally:
        bar.close()


_UNFINISHED = ("PENDING", "RUNNING", "CANCEL", "CANCELING")


def _unfinished(counts: Mapping[str, int]) -> int:
    return sum(counts.get(s, 0) for s in _UNFINISHED)


def _show(bar: Progress, counts: Mapping[str, int]) -> None:
    total = sum(counts.values())
    shown = {k: v for k, v in counts.items() if k not in _UNFINISHED or v}
    bar.update(total - _unfinished(counts), shown, total=total)

