"""A job: one call of a function, its state, waiting for it, its result and log; and searches over jobs."""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from . import _operations
from ._http import Client, client_of
from ._values import snake
from .exceptions import ConflictError, JobNotSucceededError
from .results import decode
from .search import Attribute, Search
from .status import JobStatus
from .waiting import CompletionWaiter

_ALL_STATUSES = frozenset(JobStatus)


def _statistics(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {snake(k): v for k, v in value.items()}
    return value


class Job:
    """One call of a function: ``Job(function_id, args, kwargs).save()`` submits it, as ``function(*args)`` does.

    Its state is what the server said last: ``refresh()`` reads it again (waiting updates it too).
    """

    id = Attribute("The job's id: its function's id, a dash, its number.")
    function_id = Attribute("The id of the function the job calls.")
    status = Attribute("The job's JobStatus.", kind="status", convert=JobStatus)
    args = Attribute("The positional arguments (a list).", settable=True)
    kwargs = Attribute("The keyword arguments (a dict).", settable=True)
    tags = Attribute("Tags given at submission (a list of strings), searchable.", kind="tags", settable=True)
    environment = Attribute("Environment variables of this job, over its function's.", settable=True)
    execution_count = Attribute("Attempts made so far (retries and reruns count).")
    exit_code = Attribute("The exit code of the last attempt.")
    error_reason = Attribute("How the last attempt failed: the exception's type and message, or why it was stopped.")
    runtime = Attribute("Seconds the last attempt ran.")
    statistics = Attribute("Resource use of the last attempt: cpu_seconds, cpu_percent, peak_memory_bytes, "
                           "average_memory_bytes.", convert=_statistics)
    result_kind = Attribute("How the result is stored: 'json', 'bytes', or None for no result.")
    creation_date = Attribute("When the job was submitted.", kind="date")
    last_execution_date = Attribute("When its last attempt started.", kind="date")
    last_completion_date = Attribute("When its last attempt ended.", kind="date")

    def __init__(self, function_id: str, args: Optional[Sequence[Any]] = None,
                 kwargs: Optional[Mapping[str, Any]] = None, tags: Optional[Sequence[str]] = None,
                 environment: Optional[Mapping[str, str]] = None, client: Optional[Client] = None) -> None:
        self._client = client_of(client)
        self._data: Dict[str, Any] = {"function_id": function_id, "args": list(args or []),
                                      "kwargs": dict(kwargs or {}), "tags": list(tags or []),
                                      "environment": dict(environment or {})}
        self._saved = False
        self._arguments_known = True

    @classmethod
    def _of(cls, client: Client, view: Mapping[str, Any], args: Optional[List[Any]] = None,
            kwargs: Optional[Dict[str, Any]] = None) -> "Job":
        """A saved job from the server's view of it (and the arguments, where the caller knows them)."""
        job = cls.__new__(cls)
        job._client = client
        job._data = {}
        job._saved = True
        job._arguments_known = args is not None
        if args is not None:
            job._data["args"] = args
            job._data["kwargs"] = kwargs or {}
        job._update(view)
        return job

    def _update(self, view: Mapping[str, Any]) -> None:
        for key, value in view.items():
            name = snake(key)
            if name in ("args", "kwargs"):
                if value is None:
                    continue
                self._arguments_known = True
            self._data[name] = value

    def _get_attribute(self, attribute: Attribute) -> Any:
        if attribute.name in ("args", "kwargs") and self._saved and not self._arguments_known:
            self.refresh()
        value = self._data.get(attribute.name)
        return None if value is None else attribute.convert(value)

    def _set_attribute(self, attribute: Attribute, value: Any) -> None:
        if self._saved or not attribute.settable:
            raise AttributeError("Job.%s cannot be changed%s" % (
                attribute.name, " once the job is submitted" if attribute.settable else ": it is read-only"))
        self._data[attribute.name] = value

    def __repr__(self) -> str:
        if not self._saved:
            return "Job (not submitted) of function %s" % self.function_id
        return "Job %s: %s" % (self.id, self._data.get("status"))

    @property
    def client(self) -> Client:
        return self._client

    @property
    def function(self) -> Any:
        """The Function this job calls (read from the server)."""
        from .function import Function

        return Function.get(self.function_id, client=self._client)

    def _require_saved(self) -> str:
        if not self._saved:
            raise ConflictError("the job is not submitted yet: call save() (or call the function) first")
        return self.id

    @classmethod
    def get(cls, id: str, client: Optional[Client] = None) -> "Job":
        """The job with this id; NotFoundError if there is none."""
        c = client_of(client)
        return cls._of(c, c.get("jobs/%s" % id))

    @classmethod
    def search(cls, client: Optional[Client] = None) -> "JobSearch":
        """A search over your jobs; narrow it with ``.filter(Job.function_id == ...)`` (or use ``function.jobs``)."""
        return JobSearch(client_of(client))

    def save(self) -> "Job":
        """Submits the job (once: a submitted job has nothing to save)."""
        if self._saved:
            return self
        from .submission import submit

        job = submit(self._client, self.function_id, [self._data["args"]], [self._data["kwargs"]],
                     self._data.get("tags"), self._data.get("environment"))[0]
        self._data = job._data
        self._saved = True
        return self

    def refresh(self) -> "Job":
        """Reads the job's state (and arguments) from the server."""
        self._update(self._client.get("jobs/%s" % self._require_saved()))
        return self

    def wait_for_completion(self, timeout: Optional[float] = None, interval: Optional[float] = None,
                            progress: Optional[bool] = None, cancel_on_interrupt: bool = True) -> JobStatus:
        """Waits until the job has ended and returns its status (SUCCESS, FAILURE, TIMEOUT or CANCELED).

        Raises WaitTimeoutError after ``timeout`` seconds and BuildFailedError if its function's build failed (the
        job would never run). Ctrl-C cancels the job (unless ``cancel_on_interrupt=False``). ``interval`` is
        accepted for compatibility and unused: the wait follows the server's long poll.
        """
        self._require_saved()
        for _ in CompletionWaiter(self._client, self.function_id, [self], timeout, progress, cancel_on_interrupt,
                                  title="job %s" % self.id):
            pass
        return self.status

    def result(self, cast_type: Optional[type] = None) -> Any:
        """The job's return value: parsed JSON, bytes (for bytes and ``serialize()`` results), or None.

        With ``cast_type``, ``cast_type.deserialize(stored bytes)`` (ValueError if it has no ``deserialize``).
        Raises JobNotSucceededError if the job has not succeeded.
        """
        job_id = self._require_saved()
        try:
            reply = self._client.request("GET", "jobs/%s/result" % job_id)
        except ConflictError as e:
            self.refresh()
            if self.status != JobStatus.SUCCESS:
                raise JobNotSucceededError(job_id, self.status, self.error_reason) from e
            raise
        if reply.status == 204:
            return None
        kind = "json" if reply.is_json else "bytes"
        return decode(reply.body, kind, cast_type, "the result of job %s" % job_id)

    def result_blob(self) -> Any:
        """The stored result with its metadata (a Blob: tags, description, extra properties, geometry, ``data()``);
        None if the job returned None. Raises JobNotSucceededError if the job has not succeeded."""
        from .blob import Blob

        job_id = self._require_saved()
        if self.status != JobStatus.SUCCESS:
            self.refresh()
        if self.status != JobStatus.SUCCESS:
            raise JobNotSucceededError(job_id, self.status, self.error_reason)
        if self.result_kind is None:
            return None
        return Blob.get(self.function_id, job_id, client=self._client)

    def log(self, timestamps: bool = True, attempt: Optional[int] = None) -> str:
        """What the job printed (stdout and stderr) in its latest attempt, or in ``attempt`` (from 1)."""
        reply = self._client.request("GET", "jobs/%s/log" % self._require_saved(),
                                     {"timestamps": timestamps, "attempt": attempt})
        return reply.text()

    def cancel(self) -> JobStatus:
        """Cancels the job: PENDING becomes CANCELED at once, RUNNING goes CANCEL → CANCELING → CANCELED unless it
        ends first. Returns the status after the request."""
        self._update(self._client.json("PUT", "jobs/%s/actions/cancel" % self._require_saved()))
        return self.status

    def rerun(self) -> "Job":
        """Runs a FAILURE, TIMEOUT or CANCELED job again (ConflictError for a job in another status,
        BuildFailedError if its function's build failed)."""
        try:
            self._update(self._client.json("PUT", "jobs/%s/actions/rerun" % self._require_saved()))
        except ConflictError as e:
            raise _operations.build_failure(self._client, self.function_id, e) or e
        return self

    def delete(self, delete_result: bool = False) -> None:
        """Deletes the job and its logs (its result too if ``delete_result``); ConflictError while it runs."""
        self._client.request("DELETE", "jobs/%s" % self._require_saved(), {"deleteResult": delete_result})
        self._saved = False


class JobSearch(Search[Job]):
    """A search over jobs: ``function.jobs.filter(Job.status == JobStatus.FAILURE).sort("-runtime")``.

    The server filters by status, tags (``Job.tags == "t"``: has tag t), ids and function; other expressions
    (dates, numbers) are checked on the jobs read.
    """

    _SERVER_SORTS = {"id": "id", "status": "status", "creation_date": "creationDate",
                     "last_execution_date": "lastExecutionDate", "last_completion_date": "lastCompletionDate",
                     "execution_count": "executionCount", "runtime": "runtime"}

    def __init__(self, client: Client, function_id: Optional[str] = None) -> None:
        super().__init__(Job, client)
        self._function_id = function_id

    def _function_ids(self) -> List[str]:
        scoped = self._values("function_id")
        if self._function_id is not None:
            return [self._function_id] if scoped is None or self._function_id in scoped else []
        if scoped is not None:
            return sorted(scoped)
        from .function import Function

        return [f.id for f in Function.search(client=self._client)]

    def _statuses(self) -> Optional[List[str]]:
        """The statuses to ask the server for, None for all."""
        allowed = set(_ALL_STATUSES)
        for f in self._filters:
            if f.name != "status":
                continue
            if f.op == "==":
                allowed &= {f.value}
            elif f.op == "in":
                allowed &= set(f.value)
            elif f.op == "!=":
                allowed -= {f.value}
        if allowed == set(_ALL_STATUSES):
            return None
        return [s.value for s in JobStatus if s in allowed]

    def _tags(self) -> List[str]:
        return sorted({f.value for f in self._filters if f.name == "tags" and f.op == "=="})

    def _query(self) -> Dict[str, Any]:
        statuses = self._statuses()
        tags = self._tags()
        return {"status": ",".join(statuses) if statuses is not None else None,
                "tag": ",".join(tags) if tags else None}

    def _sources(self) -> List[Tuple[str, Optional[List[str]]]]:
        ids = self._values("id")
        sources: List[Tuple[str, Optional[List[str]]]] = []
        for function_id in self._function_ids():
            if ids is None:
                sources.append((function_id, None))
            else:
                mine = sorted(i for i in ids if i.startswith(function_id + "-"))
                sources.extend((function_id, chunk) for chunk in _operations.id_chunks(mine))
        return sources

    def _fetch(self, sort: Optional[Tuple[str, bool]]) -> Iterator[Job]:
        if self._statuses() == []:
            return iter(())
        sources = self._sources()
        pages = (job for source in sources for job in self._pages(source, sort))
        if sort is not None and len(sources) > 1:
            name = next(k for k, v in self._SERVER_SORTS.items() if v == sort[0])
            return iter(sorted(pages, key=lambda j: _key(getattr(j, name)), reverse=sort[1]))
        return pages

    def _pages(self, source: Tuple[str, Optional[List[str]]], sort: Optional[Tuple[str, bool]]) -> Iterator[Job]:
        function_id, ids = source
        query = dict(self._query())
        query["ids"] = ",".join(ids) if ids is not None else None
        query["pageSize"] = _operations.PAGE_SIZE if self._limit is None else max(1, min(self._limit, 1000))
        if sort is not None:
            query["sort"], query["order"] = sort[0], "desc" if sort[1] else "asc"
        token = None
        while True:
            query["pageToken"] = token
            reply = self._client.get("functions/%s/jobs" % function_id, query)
            for view in reply.get("items") or []:
                yield Job._of(self._client, view)
            token = reply.get("nextPageToken")
            if not token:
                return

    def _server_count(self) -> Optional[int]:
        if not self._only_filters_on(("status", "function_id")) or self._function_id is None:
            return None
        if self._statuses() == []:
            return 0
        reply = self._client.get("functions/%s/jobs" % self._function_id, dict(self._query(), pageSize=1))
        total = reply.get("total")
        return int(total) if total is not None else None

    def _operation_filter(self, function_id: str) -> Optional[Dict[str, Any]]:
        """The server's operation filter for this search on ``function_id``; None if it cannot express it."""
        scoped = self._values("function_id")
        if self._limit is not None:
            return None
        if (self._function_id not in (None, function_id)) or (scoped is not None and scoped != {function_id}):
            return None
        if not all((f.name == "status" and f.op in ("==", "in", "!=")) or (f.name == "tags" and f.op == "==")
                   or (f.name == "id" and f.op in ("==", "in")) or (f.name == "function_id" and f.op == "==")
                   for f in self._filters):
            return None
        body: Dict[str, Any] = {}
        statuses = self._statuses()
        if statuses is not None:
            body["status"] = statuses
        if self._tags():
            body["tags"] = self._tags()
        ids = self._values("id")
        if ids is not None:
            body["ids"] = sorted(ids)
        return body


def _key(value: Any) -> Tuple[int, Any]:
    if value is None:
        return (0, 0)
    if hasattr(value, "timestamp"):
        return (1, value.timestamp())
    return (1, value)
