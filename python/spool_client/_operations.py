"""Bulk rerun, cancel and delete of a function's jobs (by ids or a filter), and reading many jobs by id."""
from __future__ import annotations

import uuid
from typing import Any, Dict, Iterator, List, Optional, Sequence

from ._http import Client
from .exceptions import ApiError, BuildFailedError, ConflictError
from .status import FunctionStatus

OPERATION_IDS = 5000
MAX_QUERY_CHARS = 6000
PAGE_SIZE = 1000


def run(client: Client, function_id: str, verb: str, job_ids: Optional[Sequence[str]] = None,
        job_filter: Optional[Dict[str, Any]] = None, delete_results: bool = False) -> int:
    """Runs ``verb`` (rerun, cancel, delete) on the jobs named or matched; returns how many it changed.

    Each request has its own id, so a request repeated after a lost reply does not act twice.
    """
    bodies: List[Dict[str, Any]] = []
    if job_ids is not None:
        ids = list(job_ids)
        for start in range(0, len(ids), OPERATION_IDS):
            bodies.append({"verb": verb, "jobIds": ids[start:start + OPERATION_IDS]})
    else:
        bodies.append({"verb": verb, "filter": job_filter or {}})
    affected = 0
    for body in bodies:
        if verb == "delete":
            body["deleteResults"] = bool(delete_results)
        try:
            reply = client.json("PUT", "functions/%s/operations/%s" % (function_id, uuid.uuid4().hex), body=body)
        except ConflictError as e:
            raise build_failure(client, function_id, e) or e
        affected += int((reply or {}).get("affected", 0))
    return affected


def build_failure(client: Client, function_id: str, error: ApiError) -> Optional[BuildFailedError]:
    """The BuildFailedError behind a refused submission or rerun, if the function's build failed."""
    if not isinstance(error, ConflictError):
        return None
    try:
        view = client.get("functions/%s" % function_id)
    except ApiError:
        return None
    if FunctionStatus(view.get("status")) == FunctionStatus.BUILD_FAILED:
        return BuildFailedError(function_id, view.get("statusReason"), "new jobs")
    return None


def id_chunks(ids: Sequence[str]) -> Iterator[List[str]]:
    """The ids in chunks whose comma-joined length keeps a request's query short enough for any server."""
    chunk: List[str] = []
    length = 0
    for job_id in ids:
        if chunk and (length + len(job_id) + 1 > MAX_QUERY_CHARS or len(chunk) >= PAGE_SIZE):
            yield chunk
            chunk, length = [], 0
        chunk.append(job_id)
        length += len(job_id) + 1
    if chunk:
        yield chunk


def read_jobs(client: Client, function_id: str, ids: Sequence[str]) -> List[Dict[str, Any]]:
    """The current views of the given jobs of one function (deleted jobs are left out), a chunk per request."""
    views: List[Dict[str, Any]] = []
    for chunk in id_chunks(ids):
        reply = client.get("functions/%s/jobs" % function_id, {"ids": ",".join(chunk), "pageSize": PAGE_SIZE})
        views.extend(reply.get("items") or [])
    return views
