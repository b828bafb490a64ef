"""An in-memory stand-in for the Spool server's REST API, for tests of the client without a cluster.

It keeps functions, jobs, a completion log, batches and operations the way the real server does (the same paths,
replies and error bodies), records every request, and lets a test end jobs, fail requests or drop replies.
"""
from __future__ import annotations

import io
import json
import threading
import time
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

STATUSES = ["PENDING", "RUNNING", "CANCEL", "CANCELING", "SUCCESS", "FAILURE", "TIMEOUT", "CANCELED"]
TERMINAL = {"SUCCESS", "FAILURE", "TIMEOUT", "CANCELED"}


class ApiFailure(Exception):
    def __init__(self, status: int, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


class FakeSpool:
    """The server's state and its routes; ``url`` is where it listens once started."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.functions: Dict[str, Dict[str, Any]] = {}
        self.jobs: Dict[str, Dict[str, Any]] = {}
        self.results: Dict[str, Tuple[bytes, str]] = {}
        self.blobs: Dict[str, Dict[str, Any]] = {}
        self.bundles: Dict[str, bytes] = {}
        self.batches: Dict[str, List[str]] = {}
        self.completions: List[Tuple[str, List[str]]] = []
        self.requests: List[Tuple[str, str, Dict[str, List[str]]]] = []
        self.bodies: List[Any] = []
        self.cookies: List[Optional[str]] = []
        self.drop_reply: Dict[str, int] = {}
        self.fail_path: Dict[str, Tuple[int, str, Optional[str]]] = {}
        self.on_request: Optional[Callable[[str, str], None]] = None
        self.next_function = 0
        self.server: Optional[ThreadingHTTPServer] = None

    # --- test controls ---------------------------------------------------------------------------------------

    def start(self) -> "FakeSpool":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                fake.handle(self)

            do_GET = do_PUT = do_POST = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return "http://127.0.0.1:%d/" % self.server.server_address[1]

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def add_function(self, status: str = "READY", **attributes: Any) -> str:
        with self.lock:
            self.next_function += 1
            fid = "fn%04d" % self.next_function
            view = {"id": fid, "name": attributes.pop("name", "f%d" % self.next_function), "status": status,
                    "statusReason": None, "entrypoint": "hello.py:hello", "image": "python3.11", "cpus": 1.0,
                    "memory": 2048, "maximumConcurrency": 5, "timeout": 1800, "retryCount": 0, "queue": "default",
                    "priority": 0, "nodeLabel": None, "enabled": True, "autoStart": True, "owner": "tester",
                    "creationDate": "2024-05-01T10:00:00.123456789Z", "modifiedDate": "2024-05-01T10:00:00Z",
                    "environment": {}, "jobs": 0}
            view.update(attributes)
            self.functions[fid] = view
            return fid

    def end_jobs(self, ids: List[str], status: str = "SUCCESS", result: Any = None, kind: str = "json",
                 error: Optional[str] = None) -> None:
        """Ends jobs as one completion-log entry; ``result`` is stored as JSON (or bytes for kind 'bytes')."""
        with self.lock:
            for job_id in ids:
                job = self.jobs[job_id]
                job["status"] = status
                job["executionCount"] = job.get("executionCount", 0) + 1
                job["lastCompletionDate"] = "2024-05-01T10:00:%02d.%06dZ" % (len(self.completions) % 60,
                                                                             len(self.completions))
                job["errorReason"] = error
                if status == "SUCCESS" and result is not None:
                    data = result if kind == "bytes" else json.dumps(result).encode()
                    self.results[job_id] = (data, kind)
                    job["resultKind"] = kind
            self.completions.append(("c%010d" % (len(self.completions) + 1), list(ids)))
            self.lock.notify_all()

    def calls(self, method: str, prefix: str) -> List[Tuple[str, str, Dict[str, List[str]]]]:
        return [r for r in self.requests if r[0] == method and r[1].startswith(prefix)]

    # --- serving ---------------------------------------------------------------------------------------------

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(h.path)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        path = parts.path
        with self.lock:
            self.requests.append((h.command, path, query))
            self.cookies.append(h.headers.get("Cookie"))
        if self.on_request is not None:
            self.on_request(h.command, path)
        try:
            if path in self.fail_path:
                status, message, field = self.fail_path[path]
                raise ApiFailure(status, message, field)
            if not path.startswith("/api/v1/"):
                raise ApiFailure(404, "no such page")
            if "user.name" not in query:
                raise ApiFailure(401, "name the user this request acts for with ?user.name=NAME")
            status, content_type, data = self.route(h.command, path[len("/api/v1/"):], query, body)
        except ApiFailure as e:
            reasons = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                       409: "conflict", 503: "unavailable"}
            status, content_type = e.status, "application/json"
            data = json.dumps({"error": {"status": e.status, "reason": reasons.get(e.status, "error"),
                                         "message": str(e), "field": e.field}}).encode()
        if self.drop_reply.get(path, 0) > 0:
            self.drop_reply[path] -= 1
            h.close_connection = True
            h.connection.shutdown(2)
            return
        h.send_response(status)
        if data is not None:
            h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data or b"")))
        h.end_headers()
        if data:
            h.wfile.write(data)

    def route(self, method: str, path: str, query: Dict[str, List[str]], body: bytes) -> Tuple[int, str, bytes]:
        segments = path.strip("/").split("/")
        payload = json.loads(body) if body and segments[0] != "bundles" else None
        if payload is not None:
            self.bodies.append(payload)
        key = (method, segments[0], len(segments))
        if key == ("PUT", "bundles", 2):
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                self.bundles[segments[1]] = body
                return _json({"bundle": segments[1], "files": len(z.namelist())})
        if key == ("POST", "functions", 1):
            return self.create(payload)
        if key == ("GET", "functions", 1):
            return self.list_functions(query)
        if segments[0] == "functions" and len(segments) >= 2:
            fid = segments[1]
            with self.lock:
                if fid not in self.functions:
                    raise ApiFailure(404, "no function with id '%s'" % fid)
            return self.function_route(method, fid, segments[2:], query, payload)
        if segments[0] == "jobs" and len(segments) >= 2:
            return self.job_route(method, segments[1], segments[2:], query)
        if segments[0] == "blobs":
            return self.blob_route(method, segments[1:], query)
        raise ApiFailure(404, "no route %s %s" % (method, path))

    def create(self, spec: Dict[str, Any]) -> Tuple[int, str, bytes]:
        for key in ("memory",):
            if key in spec and isinstance(spec[key], str) and not spec[key][0].isdigit():
                raise ApiFailure(400, "the function spec: '%s' must be a size such as 512Mi, not '%s'"
                                 % (key, spec[key]), key)
        if "maximumConcurrency" in spec and not isinstance(spec["maximumConcurrency"], int):
            raise ApiFailure(400, "the function spec: 'maximumConcurrency' must be a whole number",
                             "maximumConcurrency")
        bundle = spec.pop("bundle", None)
        if bundle is not None and bundle not in self.bundles:
            raise ApiFailure(400, "no bundle '%s'" % bundle, "bundle")
        fid = self.add_function(status="BUILDING", **{k: v for k, v in spec.items() if k in (
            "name", "entrypoint", "cpus", "memory", "maximumConcurrency", "timeout", "retryCount", "environment")})
        with self.lock:
            self.functions[fid]["spec"] = dict(spec, bundle=bundle)
        return 201, "application/json", json.dumps(self.view(fid)).encode()

    def view(self, fid: str) -> Dict[str, Any]:
        f = {k: v for k, v in self.functions[fid].items() if k not in ("spec", "jobs")}
        counts = {s: 0 for s in STATUSES}
        for job in self.jobs.values():
            if job["functionId"] == fid:
                counts[job["status"]] += 1
        f["jobStatistics"] = counts
        return f

    def list_functions(self, query: Dict[str, List[str]]) -> Tuple[int, str, bytes]:
        statuses = _list(query, "status")
        name = (query.get("name") or [""])[0]
        page = int((query.get("page") or ["0"])[0])
        size = int((query.get("pageSize") or ["50"])[0])
        with self.lock:
            items = [self.view(f) for f in sorted(self.functions)
                     if (not statuses or self.functions[f]["status"] in statuses) and name in self.functions[f]["name"]]
            if query.get("sort"):
                items.sort(key=lambda v: str(v.get(query["sort"][0])),
                           reverse=(query.get("order") or ["asc"])[0] == "desc")
        return _json({"items": items[page * size:(page + 1) * size], "total": len(items), "page": page,
                      "pageSize": size})

    def function_route(self, method: str, fid: str, rest: List[str], query: Dict[str, List[str]],
                       payload: Any) -> Tuple[int, str, bytes]:
        if not rest:
            if method == "GET":
                with self.lock:
                    return _json(self.view(fid))
            if method == "PUT":
                with self.lock:
                    for key, value in payload.items():
                        if key == "timeout" and (not isinstance(value, int) or value < 1):
                            raise ApiFailure(400, "'timeout' must be at least 1, not %s" % value, "timeout")
                        self.functions[fid][key] = value
                    return _json(self.view(fid))
            if method == "DELETE":
                with self.lock:
                    if any(j["functionId"] == fid and j["status"] == "RUNNING" for j in self.jobs.values()):
                        raise ApiFailure(409, "function %s has running jobs" % fid)
                    del self.functions[fid]
                return 204, "application/json", b""
        head = rest[0]
        if head == "actions" and method == "PUT":
            with self.lock:
                action = rest[1]
                if action in ("start", "stop"):
                    self.functions[fid]["status"] = "READY" if action == "start" else "STOPPED"
                elif action in ("enable", "disable"):
                    self.functions[fid]["enabled"] = action == "enable"
                return _json(self.view(fid))
        if head == "build-log":
            return 200, "text/plain", b"2024-05-01T10:00:00Z pip install geopandas\n"
        if head == "batches" and method == "PUT":
            return self.submit(fid, rest[1], payload)
        if head == "jobs" and method == "GET":
            return self.search_jobs(fid, query)
        if head == "operations" and method == "PUT":
            return self.operation(fid, payload)
        if head == "completions":
            return self.completions_route(fid, query)
        if head == "wait":
            return self.wait(fid, query)
        raise ApiFailure(404, "no route %s functions/%s/%s" % (method, fid, "/".join(rest)))

    def submit(self, fid: str, batch: str, payload: Dict[str, Any]) -> Tuple[int, str, bytes]:
        with self.lock:
            if batch in self.batches:
                return _json({"jobIds": self.batches[batch]})
            f = self.functions[fid]
            if f["status"] == "BUILD_FAILED":
                raise ApiFailure(409, "function %s failed to build" % fid)
            if not f["enabled"]:
                raise ApiFailure(409, "function %s is disabled: enable() it to submit or rerun jobs" % fid)
            ids = []
            kwargs = payload.get("kwargs") or [{}] * len(payload["args"])
            for args, kw in zip(payload["args"], kwargs):
                f["jobs"] += 1
                job_id = "%s-%d" % (fid, f["jobs"])
                self.jobs[job_id] = {"id": job_id, "functionId": fid, "status": "PENDING", "executionCount": 0,
                                     "exitCode": None, "errorReason": None, "runtime": None,
                                     "tags": payload.get("tags") or [], "creationDate": "2024-05-01T10:00:00Z",
                                     "lastExecutionDate": None, "lastCompletionDate": None,
                                     "environment": payload.get("environment") or {}, "statistics": None,
                                     "resultKind": None, "args": args, "kwargs": kw}
                ids.append(job_id)
            self.batches[batch] = ids
            return _json({"jobIds": ids})

    def _job_view(self, job: Dict[str, Any], with_arguments: bool) -> Dict[str, Any]:
        view = dict(job)
        if not with_arguments:
            view["args"] = view["kwargs"] = None
        return view

    def search_jobs(self, fid: str, query: Dict[str, List[str]]) -> Tuple[int, str, bytes]:
        statuses = _list(query, "status")
        tags = _list(query, "tag")
        ids = _list(query, "ids")
        size = int((query.get("pageSize") or ["50"])[0])
        after = (query.get("pageToken") or [""])[0]
        with self.lock:
            matches = [j for j in sorted(self.jobs.values(), key=lambda j: int(j["id"].rsplit("-", 1)[1]))
                       if j["functionId"] == fid and (not statuses or j["status"] in statuses)
                       and all(t in j["tags"] for t in tags) and (not ids or j["id"] in ids)]
            total = None if tags or ids else len(matches)
            if query.get("sort"):
                field = query["sort"][0]
                key = (lambda j: int(j["id"].rsplit("-", 1)[1])) if field == "id" else (lambda j: str(j.get(field)))
                matches.sort(key=key, reverse=(query.get("order") or ["asc"])[0] == "desc")
                return _json({"items": [self._job_view(j, False) for j in matches[:size]], "nextPageToken": None,
                              "total": total})
            if after:
                matches = [j for j in matches if int(j["id"].rsplit("-", 1)[1]) > int(after)]
            page = matches[:size]
            token = page[-1]["id"].rsplit("-", 1)[1] if len(matches) > size else None
            return _json({"items": [self._job_view(j, False) for j in page], "nextPageToken": token,
                          "total": total})

    def operation(self, fid: str, payload: Dict[str, Any]) -> Tuple[int, str, bytes]:
        with self.lock:
            if "jobIds" in payload:
                chosen = [self.jobs[i] for i in payload["jobIds"] if i in self.jobs]
            else:
                flt = payload["filter"]
                chosen = [j for j in self.jobs.values() if j["functionId"] == fid
                          and (not flt.get("status") or j["status"] in flt["status"])
                          and all(t in j["tags"] for t in flt.get("tags") or [])
                          and (not flt.get("ids") or j["id"] in flt["ids"])]
            verb = payload["verb"]
            affected = 0
            for job in chosen:
                if verb == "cancel" and job["status"] in ("PENDING", "RUNNING"):
                    job["status"] = "CANCELED" if job["status"] == "PENDING" else "CANCEL"
                    affected += 1
                elif verb == "rerun" and job["status"] in ("FAILURE", "TIMEOUT", "CANCELED"):
                    job["status"] = "PENDING"
                    affected += 1
                elif verb == "delete" and job["status"] not in ("RUNNING", "CANCEL", "CANCELING"):
                    del self.jobs[job["id"]]
                    affected += 1
            return _json({"verb": verb, "matched": len(chosen), "affected": affected, "dryRun": False})

    def completions_route(self, fid: str, query: Dict[str, List[str]]) -> Tuple[int, str, bytes]:
        since = (query.get("since") or [""])[0]
        with self.lock:
            if not since:
                return _json({"cursor": self.completions[-1][0] if self.completions else "", "jobs": []})
            deadline = time.monotonic() + min(float((query.get("timeout") or ["20"])[0]), 3.0)
            while True:
                entries = [e for e in self.completions if e[0] > since]
                left = deadline - time.monotonic()
                if entries or left <= 0:
                    break
                self.lock.wait(left)
            ids = [i for _, names in entries for i in names]
            jobs = [self._job_view(self.jobs[i], False) for i in ids if i in self.jobs]
            return _json({"cursor": entries[-1][0] if entries else since, "jobs": jobs})

    def wait(self, fid: str, query: Dict[str, List[str]]) -> Tuple[int, str, bytes]:
        deadline = time.monotonic() + min(float((query.get("timeout") or ["20"])[0]), 3.0)
        with self.lock:
            while True:
                view = self.view(fid)
                counts = view["jobStatistics"]
                done = counts["PENDING"] + counts["RUNNING"] + counts["CANCEL"] + counts["CANCELING"] == 0
                if not done and self.functions[fid]["status"] == "BUILD_FAILED" and counts["PENDING"]:
                    raise ApiFailure(409, "the build of function %s failed" % fid)
                left = deadline - time.monotonic()
                if done or left <= 0:
                    return _json({"done": done, "jobStatistics": counts})
                self.lock.wait(left)

    def job_route(self, method: str, job_id: str, rest: List[str], query: Dict[str, List[str]]
                  ) -> Tuple[int, str, bytes]:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                raise ApiFailure(404, "no job with id '%s'" % job_id)
            if not rest and method == "GET":
                return _json(self._job_view(job, True))
            if not rest and method == "DELETE":
                del self.jobs[job_id]
                return 204, "application/json", b""
            if rest == ["result"]:
                if job["status"] != "SUCCESS":
                    raise ApiFailure(409, "job %s has no result: it is %s" % (job_id, job["status"]))
                if job_id not in self.results:
                    return 204, "application/json", b""
                data, kind = self.results[job_id]
                return 200, "application/json" if kind == "json" else "application/octet-stream", data
            if rest == ["log"]:
                return 200, "text/plain; charset=utf-8", ("log of %s\n" % job_id).encode()
            if rest[0] == "actions":
                if rest[1] == "rerun":
                    if job["status"] not in ("FAILURE", "TIMEOUT", "CANCELED"):
                        raise ApiFailure(409, "job %s is %s: only FAILURE, TIMEOUT and CANCELED jobs can be rerun"
                                         % (job_id, job["status"]))
                    job["status"] = "PENDING"
                elif rest[1] == "cancel" and job["status"] in ("PENDING", "RUNNING"):
                    job["status"] = "CANCELED" if job["status"] == "PENDING" else "CANCEL"
                return _json(self._job_view(job, True))
        raise ApiFailure(404, "no route")

    def blob_route(self, method: str, rest: List[str], query: Dict[str, List[str]]) -> Tuple[int, str, bytes]:
        with self.lock:
            if not rest:
                tags = _list(query, "tag")
                fid = (query.get("functionId") or [None])[0]
                items = [b for b in self.blobs.values() if all(t in b["tags"] for t in tags)
                         and (fid is None or b["functionId"] == fid)]
                return _json({"items": items, "total": len(items), "page": 0, "pageSize": 50})
            name = "/".join(rest[:2])
            if name not in self.blobs:
                raise ApiFailure(404, "no blob named '%s'" % name)
            if rest[2:] == ["data"]:
                return 200, "application/octet-stream", self.results[rest[1]][0]
            return _json(self.blobs[name])


def _list(query: Dict[str, List[str]], name: str) -> List[str]:
    return [part for value in query.get(name, []) for part in value.split(",") if part]


def _json(value: Any) -> Tuple[int, str, bytes]:
    return 200, "application/json", json.dumps(value).encode()
