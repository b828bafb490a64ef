"""Submitting jobs in bounded, idempotent batches: every argument is checked first, then each batch is sent with
an id of its own, so a batch repeated after a lost reply returns the same jobs and creates none."""
from __future__ import annotations

import json
import uuid
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ._http import Client
from .arguments import job_arguments
from ._operations import build_failure
from .exceptions import ApiError, InvalidArgumentsError, PartialSubmissionError
from .job import Job

BATCH_JOBS = 1000
BATCH_BYTES = 8 << 20


def checked_jobs(args: Iterable[Any], kwargs: Optional[Iterable[Any]]) -> List[Tuple[List[Any], Dict[str, Any]]]:
    """Every job's (positional, keyword) arguments as JSON data; InvalidArgumentsError names the first problem."""
    jobs: List[Tuple[List[Any], Dict[str, Any]]] = []
    kwargs_iter = iter(kwargs) if kwargs is not None else None
    for index, positional in enumerate(args):
        named = None
        if kwargs_iter is not None:
            try:
                named = next(kwargs_iter)
            except StopIteration:
                raise InvalidArgumentsError("kwargs has fewer entries (%d) than args: give one mapping per job"
                                            % index) from None
        jobs.append(job_arguments(positional, named, "args[%d]" % index))
    if kwargs_iter is not None:
        extra = sum(1 for _ in kwargs_iter)
        if extra:
            raise InvalidArgumentsError("kwargs has %d more entries than args (%d): give one mapping per job"
                                        % (extra, len(jobs)))
    return jobs


def checked_tags(tags: Optional[Iterable[str]]) -> List[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        return [tags]
    checked = list(tags)
    for tag in checked:
        if not isinstance(tag, str):
            raise InvalidArgumentsError("tags must be strings, not %r (%s)" % (tag, type(tag).__name__))
    return checked


def checked_environment(environment: Optional[Mapping[str, Any]], what: str = "environment") -> Dict[str, str]:
    if environment is None:
        return {}
    if not isinstance(environment, Mapping):
        raise InvalidArgumentsError("%s must be a mapping of variable names to strings, not %s"
                                    % (what, type(environment).__name__))
    checked: Dict[str, str] = {}
    for key, value in environment.items():
        if not isinstance(key, str) or not key:
            raise InvalidArgumentsError("%s has the name %r: variable names must be non-empty strings" % (what, key))
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidArgumentsError("%s[%r] is %s: values must be strings" % (what, key, type(value).__name__))
        checked[key] = str(value)
    return checked


def batches(jobs: Sequence[Tuple[List[Any], Dict[str, Any]]], max_jobs: int = BATCH_JOBS,
            max_bytes: int = BATCH_BYTES) -> List[Tuple[int, int]]:
    """The (start, end) slices of ``jobs`` that make batches of at most ``max_jobs`` jobs and about ``max_bytes``."""
    slices: List[Tuple[int, int]] = []
    start, size = 0, 0
    for i, job in enumerate(jobs):
        job_bytes = len(json.dumps(job, separators=(",", ":"))) + 2
        if i > start and (i - start >= max_jobs or size + job_bytes > max_bytes):
            slices.append((start, i))
            start, size = i, 0
        size += job_bytes
    if start < len(jobs):
        slices.append((start, len(jobs)))
    return slices


def submit(client: Client, function_id: str, args: Iterable[Any], kwargs: Optional[Iterable[Any]] = None,
           tags: Optional[Iterable[str]] = None, environment: Optional[Mapping[str, Any]] = None,
           max_jobs: int = BATCH_JOBS) -> List[Job]:
    """Submits one job per element of ``args`` (each a list or tuple of positional arguments), with the keyword
    arguments of the same element of ``kwargs``; returns the jobs in the same order.

    Nothing is sent if any argument is not JSON. A batch that fails after others went in raises
    PartialSubmissionError with the jobs that were created.
    """
    jobs = checked_jobs(args, kwargs)
    tag_list = checked_tags(tags)
    env = checked_environment(environment)
    slices = batches(jobs, max_jobs)
    prefix = uuid.uuid4().hex
    submitted: List[Job] = []
    for number, (start, end) in enumerate(slices):
        chunk = jobs[start:end]
        body: Dict[str, Any] = {"args": [a for a, _ in chunk]}
        if any(k for _, k in chunk):
            body["kwargs"] = [k for _, k in chunk]
        if tag_list:
            body["tags"] = tag_list
        if env:
            body["environment"] = env
        try:
            reply = client.json("PUT", "functions/%s/batches/%s-%d" % (function_id, prefix, number), body=body)
        except Exception as e:
            if not submitted:
                if isinstance(e, ApiError):
                    raise build_failure(client, function_id, e) or e
                raise
            raise PartialSubmissionError(
                "batch %d of %d (jobs %d to %d) failed: %s; the %d job(s) of the batches before it were submitted "
                "(see .jobs)" % (number + 1, len(slices), start, end - 1, e, len(submitted)), submitted) from e
        ids = reply.get("jobIds") or []
        for job_id, (positional, named) in zip(ids, chunk):
            view = {"id": job_id, "functionId": function_id, "status": "PENDING", "tags": tag_list,
                    "environment": env, "executionCount": 0}
            submitted.append(Job._of(client, view, positional, named))
    return submitted
