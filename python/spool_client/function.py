"""A function: a Python entrypoint, its code, requirements and resources, the jobs it runs; searches over them."""
from __future__ import annotations

import collections
import concurrent.futures
import time
import uuid
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _operations, bundle
from ._http import Client, client_of
from .exceptions import BuildFailedError, ConflictError, WaitTimeoutError
from .progress import Progress
from .job import Job, JobSearch
from .search import Attribute, Search, attributes_of
from .status import FunctionStatus, JobStatus
from .submission import checked_environment, submit
from .waiting import CompletionWaiter, wait_for_function

RESULT_PREFETCH = 8
_LOCAL_ONLY = ("requirements", "include_modules", "include_data")


class Function:
    """A Python function that Spool runs as jobs.

    ``entrypoint``: a function object (its file is shipped, pruned to its imports, definitions and constants, so a
    function defined in the running script works; in a notebook, its own source), ``"pkg.mod.func"`` (importable
    from ``include_modules`` or the image) or ``"file.py:func"`` (that file shipped whole). See ``spool_client.bundle``
    for exactly what is shipped.

    ``requirements``: pip requirement lines, or the path of a requirements file. ``include_modules``: local packages
    and modules to ship, by import name. ``include_data``: glob patterns of data files, relative to the current
    directory or the included modules' roots. ``cpus`` (e.g. 0.5), ``memory`` (MiB, or "512Mi", "2Gi"),
    ``maximum_concurrency``, ``timeout`` (seconds per attempt), ``retry_count``, ``environment``, ``auto_start``,
    ``enabled``: as their attributes say; unset ones take the cluster's defaults.

    ``save()`` creates it (upload, build); afterwards assign attributes and ``save()`` again to change them.
    Calling it submits a job; ``map`` submits many.
    """

    id = Attribute("The function's id, assigned when it is saved.")
    name = Attribute("Its display name (default: the entrypoint function's name).", mutable=True, kind="text")
    entrypoint = Attribute("What jobs call: a function, 'pkg.mod.func' or 'file.py:func'; after saving, the "
                           "server's form of it.", settable=True)
    image = Attribute("The Python runtime jobs run in, e.g. 'python3.11:latest'.", settable=True)
    cpus = Attribute("CPUs per job.", mutable=True)
    memory = Attribute("Memory per job in MiB (set as a number or text such as '512Mi', '2Gi').", mutable=True)
    maximum_concurrency = Attribute("The most jobs running at once.", mutable=True)
    timeout = Attribute("Seconds one attempt may run before it is stopped (TIMEOUT).", mutable=True)
    retry_count = Attribute("How often a failed job is retried before it is FAILURE.", mutable=True)
    requirements = Attribute("pip requirement lines, or the path of a requirements file (kept locally).",
                             settable=True)
    include_modules = Attribute("Local packages and modules shipped, by import name (kept locally).", settable=True)
    include_data = Attribute("Glob patterns of data files shipped (kept locally).", settable=True)
    environment = Attribute("Environment variables of every job.", mutable=True)
    enabled = Attribute("Whether new submissions and reruns are accepted.", mutable=True)
    auto_start = Attribute("Whether it becomes READY by itself once built (else STOPPED).", mutable=True)
    queue = Attribute("The YARN queue its jobs run in.", mutable=True)
    priority = Attribute("The YARN priority of its application master.", mutable=True)
    node_label = Attribute("The YARN node label expression of its containers.", mutable=True)
    status = Attribute("Its FunctionStatus.", kind="status", convert=FunctionStatus)
    status_reason = Attribute("Why it is in its status, where that needs saying (a failed build).")
    owner = Attribute("The user it belongs to.")
    creation_date = Attribute("When it was created.", kind="date")
    modified_date = Attribute("When it last changed.", kind="date")
    job_statistics = Attribute("Its jobs' counts per status, as last read.")

    def __init__(self, entrypoint: Union[None, str, Callable[..., Any]] = None,
                 requirements: Union[None, str, Sequence[str]] = None, include_data: Optional[Sequence[str]] = None,
                 include_modules: Optional[Sequence[str]] = None, name: Optional[str] = None,
                 image: Optional[str] = None, cpus: Union[None, float, str] = None,
                 memory: Union[None, int, str] = None, maximum_concurrency: Optional[int] = None,
                 timeout: Optional[int] = None, retry_count: Optional[int] = None,
                 environment: Optional[Mapping[str, str]] = None, auto_start: Optional[bool] = None,
                 enabled: Optional[bool] = None, client: Optional[Client] = None, **extra: Any) -> None:
        if "function" in extra:
            if entrypoint is not None:
                raise TypeError("give the entrypoint once: as entrypoint or as function, not both")
            entrypoint = extra.pop("function")
        self._client = client_of(client)
        self._saved = False
        self._modified: Dict[str, Any] = {}
        self._data: Dict[str, Any] = {}
        given = dict(entrypoint=entrypoint, requirements=requirements, include_data=include_data,
                     include_modules=include_modules, name=name, image=image, cpus=cpus, memory=memory,
                     maximum_concurrency=maximum_concurrency, timeout=timeout, retry_count=retry_count,
                     environment=environment, auto_start=auto_start, enabled=enabled)
        attributes = attributes_of(Function)
        for key, value in extra.items():
            if key not in attributes or not attributes[key].settable:
                raise TypeError("Function() got an unexpected argument %r; the attributes that can be set are %s"
                                % (key, ", ".join(sorted(n for n, a in attributes.items() if a.settable))))
            given[key] = value
        for key, value in given.items():
            if value is not None:
                setattr(self, key, value)

    @classmethod
    def _of(cls, client: Client, view: Mapping[str, Any]) -> "Function":
        f = cls.__new__(cls)
        f._client = client
        f._saved = True
        f._modified = {}
        f._data = {}
        f._update(view)
        return f

    def _update(self, view: Mapping[str, Any]) -> None:
        attributes = {a.api_name: name for name, a in attributes_of(Function).items()}
        for key, value in view.items():
            if key in attributes:
                self._data[attributes[key]] = value

    def _get_attribute(self, attribute: Attribute) -> Any:
        value = self._data.get(attribute.name)
        return None if value is None else attribute.convert(value)

    def _set_attribute(self, attribute: Attribute, value: Any) -> None:
        if not attribute.settable:
            raise AttributeError("Function.%s is read-only" % attribute.name)
        if self._saved and not attribute.mutable:
            raise AttributeError("Function.%s cannot be changed once the function is saved; the attributes that "
                                 "can are %s" % (attribute.name, ", ".join(sorted(
                                     n for n, a in attributes_of(Function).items() if a.mutable))))
        if attribute.name == "environment" and value is not None:
            value = checked_environment(value)
        self._data[attribute.name] = value
        if self._saved:
            self._modified[attribute.name] = value

    def __repr__(self) -> str:
        if not self._saved:
            return "Function %r (not saved)" % (self._data.get("name") or self._data.get("entrypoint"),)
        return "Function %s %r: %s" % (self.id, self.name, self._data.get("status"))

    @property
    def client(self) -> Client:
        return self._client

    @property
    def is_modified(self) -> bool:
        """Whether attributes were changed since the function was last saved."""
        return not self._saved or bool(self._modified)

    def _require_saved(self) -> str:
        if not self._saved:
            raise ConflictError("the function is not saved yet: call save() first")
        return self.id

    # --- lifecycle -------------------------------------------------------------------------------------------

    @classmethod
    def get(cls, id: str, client: Optional[Client] = None, **params: Any) -> "Function":
        """The function with this id (with its job counts); NotFoundError if there is none."""
        c = client_of(client)
        return cls._of(c, c.get("functions/%s" % id))

    @classmethod
    def search(cls, client: Optional[Client] = None) -> "FunctionSearch":
        """A search over your functions: ``Function.search().filter(Function.status == ...).sort("-creation_date")``."""
        return FunctionSearch(client_of(client))

    @classmethod
    def list(cls, page_size: int = 100, client: Optional[Client] = None, **params: Any) -> "FunctionSearch":
        """All your functions (a search; iterate it or ``collect()``)."""
        return cls.search(client)

    def save(self) -> "Function":
        """Creates the function (bundles and uploads its code, then it builds), or saves changed attributes."""
        if self._saved:
            if self._modified:
                body = {getattr(Function, name).api_name: value for name, value in self._modified.items()}
                self._update(self._client.json("PUT", "functions/%s" % self.id, body=body))
                self._modified = {}
            return self
        if self._data.get("entrypoint") is None:
            raise ValueError("the function has no entrypoint: give a function, 'pkg.mod.func' or 'file.py:func'")
        made = bundle.build(self._data["entrypoint"], self._data.get("include_modules"),
                            self._data.get("include_data"))
        spec: Dict[str, Any] = {"entrypoint": made.entrypoint, "includeModules": made.include_modules}
        if made.include_data:
            spec["includeData"] = made.include_data
        requirements = bundle.requirement_lines(self._data.get("requirements"))
        if requirements:
            spec["requirements"] = requirements
        for name, attribute in attributes_of(Function).items():
            value = self._data.get(name)
            if attribute.settable and value is not None and name not in _LOCAL_ONLY + ("entrypoint", "enabled"):
                spec[attribute.api_name or name] = value
        bundle_id = "py-" + uuid.uuid4().hex
        self._client.request("PUT", "bundles/%s" % bundle_id, body=made.zip(), content_type="application/zip")
        spec["bundle"] = bundle_id
        view = self._client.json("POST", "functions", body=spec)
        local = {k: self._data.get(k) for k in _LOCAL_ONLY}
        wanted_enabled = self._data.get("enabled")
        self._saved = True
        self._update(view)
        self._data.update(local)
        if wanted_enabled is False:
            self.disable()
        return self

    def refresh(self) -> "Function":
        """Reads the function's state and job counts from the server (unsaved changes are dropped)."""
        self._update(self._client.get("functions/%s" % self._require_saved()))
        self._modified = {}
        return self

    def _action(self, action: str) -> "Function":
        self._update(self._client.json("PUT", "functions/%s/actions/%s" % (self._require_saved(), action)))
        return self

    def start(self) -> "Function":
        """Makes a STOPPED function READY: its pending jobs start."""
        return self._action("start")

    def stop(self) -> "Function":
        """Makes a READY function STOPPED: no new job starts; running jobs finish."""
        return self._action("stop")

    def enable(self) -> "Function":
        """Accepts new submissions and reruns again."""
        return self._action("enable")

    def disable(self) -> "Function":
        """Refuses new submissions and reruns (ConflictError) until ``enable()``; jobs already in run."""
        return self._action("disable")

    def delete(self, delete_results: bool = False) -> None:
        """Deletes the function, its jobs and logs (its results too if ``delete_results``); ConflictError while any
        of its jobs runs."""
        self._client.request("DELETE", "functions/%s" % self._require_saved(), {"deleteResults": delete_results})
        self._saved = False

    def build_log(self, timestamps: bool = True) -> str:
        """What the build printed (pip, the Cython compiler); so far, while it builds."""
        return self._client.request("GET", "functions/%s/build-log" % self._require_saved(),
                                    {"timestamps": timestamps}).text()

    # --- jobs ------------------------------------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Job:
        """Submits one job calling the entrypoint with these arguments (JSON values); returns it."""
        return submit(self._client, self._require_saved(), [args], [kwargs])[0]

    def map(self, args: Iterable[Iterable[Any]], kwargs: Optional[Iterable[Mapping[str, Any]]] = None,
            tags: Optional[Sequence[str]] = None, environment: Optional[Mapping[str, str]] = None) -> List[Job]:
        """Submits one job per element of ``args`` (each a tuple or list of positional arguments:
        ``f.map((i,) for i in range(20))``), with the keyword arguments of the same element of ``kwargs``.

        Sent in idempotent batches of at most 1000 jobs; nothing is sent if any argument is not JSON
        (InvalidArgumentsError). ``tags`` and ``environment`` apply to every job.
        """
        return submit(self._client, self._require_saved(), args, kwargs, tags, environment)

    @property
    def jobs(self) -> JobSearch:
        """A search over this function's jobs."""
        return JobSearch(self._client, self._require_saved())

    def as_completed(self, jobs: Iterable[Job], timeout: Optional[float] = None, interval: Optional[float] = None,
                     progress: Optional[bool] = None, cancel_on_interrupt: bool = True) -> Iterator[Job]:
        """Yields the given jobs as they end (in the order they end), each once, updated.

        Raises WaitTimeoutError once ``timeout`` seconds have passed with jobs not done, BuildFailedError if the
        build failed. Ctrl-C cancels the jobs not yet done (unless ``cancel_on_interrupt=False``).
        """
        return iter(CompletionWaiter(self._client, self._require_saved(), list(jobs), timeout, progress,
                                     cancel_on_interrupt, title="function %s" % self.id))

    def wait_for_completion(self, timeout: Optional[float] = None, interval: Optional[float] = None,
                            progress: Optional[bool] = None, cancel_on_interrupt: bool = True) -> Dict[str, int]:
        """Waits until none of its jobs is pending or running (with none submitted: until it is built); returns the
        job counts per status (jobs of a failed build end FAILURE with its reason). WaitTimeoutError after ``timeout``
        s; BuildFailedError if the build fails with no job submitted; Ctrl-C
        cancels its pending and running jobs (unless ``cancel_on_interrupt=False``)."""
        function_id = self._require_saved()
        if self.status in (FunctionStatus.AWAITING_BUNDLE, FunctionStatus.BUILDING):
            self._wait_built(timeout, progress)
        counts = wait_for_function(self._client, function_id, timeout, progress, cancel_on_interrupt,
                                   title="function %s" % function_id)
        self.refresh()
        return counts

    def _wait_built(self, timeout: Optional[float], progress: Optional[bool]) -> None:
        """Waits for the build when no job is pending (the server's wait returns at once then)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = Progress("function %s building" % self.id, None, progress)
        try:
            while self.refresh().status in (FunctionStatus.AWAITING_BUNDLE, FunctionStatus.BUILDING):
                counts = self.job_statistics or {}
                if counts.get("PENDING", 0) or counts.get("RUNNING", 0):
                    return
                if deadline is not None and time.monotonic() >= deadline:
                    raise WaitTimeoutError("function %s is still %s after %g s" % (self.id, self.status, timeout))
                bar.update(0)
                time.sleep(1.0)
            if self.status == FunctionStatus.BUILD_FAILED:
                raise BuildFailedError(self.id, self.status_reason)
        finally:
            bar.close()

    def iter_results(self, cast_type: Optional[type] = None) -> Iterator[Any]:
        """The results of its successful jobs in submission order (None where a job returned None), read a few
        ahead of the consumer."""
        jobs = self.jobs.filter(Job.status == JobStatus.SUCCESS)
        pending: Deque[Tuple[Job, Optional[concurrent.futures.Future]]] = collections.deque()
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="spool-results") as pool:
                for job in jobs:
                    future = pool.submit(job.result, cast_type) if job.result_kind is not None else None
                    pending.append((job, future))
                    if len(pending) >= RESULT_PREFETCH:
                        yield _value(pending.popleft())
                while pending:
                    yield _value(pending.popleft())
        finally:
            self._client.release_idle()

    def results(self, cast_type: Optional[type] = None) -> List[Any]:
        """Every successful job's result, in a list (prefer ``iter_results`` for many jobs)."""
        return list(self.iter_results(cast_type))

    def _operate(self, verb: str, query: Any, delete_results: bool = False) -> int:
        function_id = self._require_saved()
        if query is None:
            return _operations.run(self._client, function_id, verb, job_filter={}, delete_results=delete_results)
        if isinstance(query, JobSearch):
            job_filter = query._operation_filter(function_id)
            if job_filter is not None:
                if job_filter.get("status") == []:
                    return 0
                return _operations.run(self._client, function_id, verb, job_filter=job_filter,
                                       delete_results=delete_results)
            ids = [job.id for job in query if job.function_id == function_id]
        else:
            ids = [job.id if isinstance(job, Job) else str(job) for job in query]
        if not ids:
            return 0
        return _operations.run(self._client, function_id, verb, job_ids=ids, delete_results=delete_results)

    def rerun(self, query: Any = None) -> int:
        """Runs its FAILURE, TIMEOUT and CANCELED jobs again (those of ``query``: a job search or jobs, if given);
        returns how many were put back to PENDING."""
        return self._operate("rerun", query)

    def cancel_jobs(self, query: Any = None) -> int:
        """Cancels its PENDING and RUNNING jobs (those of ``query`` if given); returns how many it asked."""
        return self._operate("cancel", query)

    def delete_jobs(self, query: Any = None, delete_results: bool = False) -> int:
        """Deletes its jobs that are not running (those of ``query`` if given), with their logs (and results if
        ``delete_results``); returns how many were deleted."""
        return self._operate("delete", query, delete_results)


def _value(item: Tuple[Job, Optional[concurrent.futures.Future]]) -> Any:
    return None if item[1] is None else item[1].result()


class FunctionSearch(Search[Function]):
    """A search over your functions; the server filters by status and name, other expressions are checked here."""

    _SERVER_SORTS = {"name": "name", "status": "status", "creation_date": "creationDate",
                     "modified_date": "modifiedDate", "cpus": "cpus", "memory": "memory",
                     "maximum_concurrency": "maximumConcurrency", "id": "id"}

    def __init__(self, client: Client) -> None:
        super().__init__(Function, client)

    def _query(self) -> Dict[str, Any]:
        allowed = set(FunctionStatus)
        for f in self._filters:
            if f.name == "status":
                if f.op == "==":
                    allowed &= {f.value}
                elif f.op == "in":
                    allowed &= set(f.value)
                elif f.op == "!=":
                    allowed -= {f.value}
        names = [f.value for f in self._filters if f.name == "name" and f.op in ("==", "contains")]
        return {"status": None if allowed == set(FunctionStatus) else ",".join(s.value for s in FunctionStatus
                                                                               if s in allowed) or "-",
                "name": names[0] if names else None}

    def _fetch(self, sort: Optional[Tuple[str, bool]]) -> Iterator[Function]:
        query = self._query()
        if query["status"] == "-":
            return
        page = 0
        size = 100 if self._limit is None else max(1, min(self._limit, 1000))
        if sort is not None:
            query["sort"], query["order"] = sort[0], "desc" if sort[1] else "asc"
        while True:
            reply = self._client.get("functions", dict(query, page=page, pageSize=size))
            items = reply.get("items") or []
            for view in items:
                yield Function._of(self._client, view)
            if len(items) < size:
                return
            page += 1

    def _server_count(self) -> Optional[int]:
        if not self._only_filters_on(("status",)):
            return None
        query = self._query()
        if query["status"] == "-":
            return 0
        return int(self._client.get("functions", dict(query, page=0, pageSize=1)).get("total") or 0)
