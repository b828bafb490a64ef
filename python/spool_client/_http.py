"""The transport to the Spool server's REST API: requests as a user, retries where safe, errors as exceptions."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import config
from ._values import snake
from .exceptions import (ApiError, AuthenticationError, BadRequestError, ConflictError, ConnectionFailedError,
                         LimitExceededError, NotFoundError, PayloadTooLargeError, PermissionDeniedError,
                         ServerError, ServiceUnavailableError)

API_PATH = "api/v1/"
USER_PARAMETER = "user.name"
LONG_POLL_SECONDS = 20
_IDEMPOTENT = ("GET", "PUT", "DELETE", "HEAD")
_ERRORS = {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError,
           409: ConflictError, 413: PayloadTooLargeError, 429: LimitExceededError, 503: ServiceUnavailableError}
_RETRY_STATUSES = (502, 503, 504)
_TRANSIENT = (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine,
              http.client.IncompleteRead, socket.timeout, TimeoutError, OSError)

Query = Union[Dict[str, Any], Sequence[Tuple[str, Any]], None]


class Response:
    """A reply of the server: its status, content type and body."""

    def __init__(self, status: int, content_type: str, body: bytes) -> None:
        self.status = status
        self.content_type = content_type
        self.body = body

    @property
    def is_json(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() == "application/json"

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """A connection to one Spool server as one user; thread-safe (one keep-alive connection per thread).

    ``url``: the server's base URL (see ``spool_client.config``); ``user``: whom requests act for (sent as
    ``?user.name=``); ``timeout``: seconds a request may take (long polls get their wait on top);
    ``retries``: how often a request that is safe to repeat is tried again after a connection failure or a 503;
    ``token``: the session token of ``spool login``, for a server on a cluster with Kerberos (by default from
    ``SPOOL_SERVER_TOKEN`` or ``~/.spool/server-token``), sent as the cookie Hadoop's authentication filter reads.
    """

    def __init__(self, url: Optional[str] = None, user: Optional[str] = None, timeout: float = 60.0,
                 retries: int = 3, token: Optional[str] = None) -> None:
        self.url = config.server_url(url)
        self.user = config.user_name(user)
        self.token = config.server_token(token)
        self.timeout = timeout
        self.retries = retries
        parts = urllib.parse.urlsplit(self.url)
        if not parts.hostname:
            raise ValueError("the Spool server URL %r has no host" % self.url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._base = (parts.path.rstrip("/") + "/" + API_PATH) if parts.path else "/" + API_PATH
        self._connections: Dict[int, http.client.HTTPConnection] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "Client(url=%r, user=%r)" % (self.url, self.user)

    @property
    def api_url(self) -> str:
        """The base URL of the REST API, ``http://host:port/api/v1/``."""
        return urllib.parse.urljoin(self.url, API_PATH)

    def target(self, path: str, query: Query = None) -> str:
        """The request target of an API path (relative to ``api/v1/``) with its query and the user."""
        pairs: List[Tuple[str, Any]] = []
        items: Iterable[Tuple[str, Any]] = query.items() if isinstance(query, dict) else (query or [])
        for key, value in items:
            if value is None:
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            pairs.append((key, value))
        pairs.append((USER_PARAMETER, self.user))
        return self._base + path.lstrip("/") + "?" + urllib.parse.urlencode(pairs, safe=",:")

    def request(self, method: str, path: str, query: Query = None, body: Optional[bytes] = None,
                content_type: Optional[str] = None, wait: float = 0.0, retry: Optional[bool] = None) -> Response:
        """Sends one request and returns the reply if its status is 2xx; raises an ApiError subclass otherwise.

        ``wait``: seconds the server may hold the request (a long poll), added to the timeout.
        ``retry``: whether to repeat it after a failure that may have reached the server (default: for GET,
        PUT and DELETE, which the API makes idempotent); a refused connection is always retried.
        """
        may_repeat = method in _IDEMPOTENT if retry is None else retry
        target = self.target(path, query)
        headers = {"Accept": "application/json, application/octet-stream, text/plain"}
        if self.token:
            headers["Cookie"] = 'hadoop.auth="%s"' % self.token
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, target, body, headers, self.timeout + wait, fresh=not may_repeat)
            except _TRANSIENT as e:
                refused = isinstance(e, ConnectionRefusedError)
                if attempt > self.retries or not (may_repeat or refused):
                    raise ConnectionFailedError(self._unreachable(method, path, e), self.url) from e
                time.sleep(0.25 * 2 ** (attempt - 1))
                continue
            if response.status in _RETRY_STATUSES and may_repeat and attempt <= self.retries:
                time.sleep(0.5 * 2 ** (attempt - 1))
                continue
            if response.status >= 400:
                raise error_of(response, method, path)
            return response

    def json(self, method: str, path: str, query: Query = None, body: Any = None, wait: float = 0.0,
             retry: Optional[bool] = None) -> Any:
        """A request with a JSON body (if ``body`` is not None) whose reply is JSON; returns it parsed."""
        data = None if body is None else json.dumps(body, separators=(",", ":"), allow_nan=False).encode("utf-8")
        return self.request(method, path, query, data, "application/json", wait=wait, retry=retry).json()

    def get(self, path: str, query: Query = None, wait: float = 0.0) -> Any:
        return self.json("GET", path, query, wait=wait)

    def close(self) -> None:
        """Closes every kept connection (of every thread)."""
        with self._lock:
            connections, self._connections = list(self._connections.values()), {}
        for conn in connections:
            conn.close()

    def release_idle(self) -> None:
        """Closes the connections of threads that have ended."""
        alive = {t.ident for t in threading.enumerate()}
        with self._lock:
            dead = [ident for ident in self._connections if ident not in alive]
            connections = [self._connections.pop(ident) for ident in dead]
        for conn in connections:
            conn.close()

    def _kept(self) -> Optional[http.client.HTTPConnection]:
        with self._lock:
            return self._connections.get(threading.get_ident())

    def _keep(self, conn: Optional[http.client.HTTPConnection]) -> None:
        with self._lock:
            if conn is None:
                self._connections.pop(threading.get_ident(), None)
            else:
                self._connections[threading.get_ident()] = conn

    def _send(self, method: str, target: str, body: Optional[bytes], headers: Dict[str, str], timeout: float,
              fresh: bool) -> Response:
        conn = None if fresh else self._kept()
        reused = conn is not None
        if conn is None:
            conn = self._connect(timeout)
        else:
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
        try:
            conn.request(method, target, body=body, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
        except BaseException as e:
            conn.close()
            if not fresh:
                self._keep(None)
            if reused and isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
                # the server closed the idle keep-alive connection before it read this request: send it anew
                return self._send(method, target, body, headers, timeout, fresh=True)
            raise
        if fresh or reply.will_close:
            conn.close()
            if not fresh:
                self._keep(None)
        else:
            self._keep(conn)
        return Response(reply.status, reply.getheader("Content-Type", "") or "", data)

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        if self._https:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(self._host, self._port, timeout=timeout)
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        conn.connect()
        return conn

    def _unreachable(self, method: str, path: str, e: BaseException) -> str:
        return ("cannot reach the Spool server at %s (%s %s%s failed: %s). Is it running? Start the embedded cluster "
                "with 'bin/spool local start', or point the client at a server with %s=http://HOST:PORT/"
                % (self.url, method, API_PATH, path.split("?")[0], e or type(e).__name__, config.URL_ENV))


def error_of(response: Response, method: str, path: str) -> ApiError:
    """The exception for an error reply: its class by status, its message and field from the JSON error body."""
    status = response.status
    detail: Dict[str, Any] = {}
    if response.is_json:
        try:
            detail = (response.json() or {}).get("error") or {}
        except (ValueError, AttributeError):
            detail = {}
    message = detail.get("message") or _snippet(response.text()) or "HTTP %d" % status
    reason = detail.get("reason") or ""
    api_field = detail.get("field")
    field = ".".join(snake(part) for part in api_field.split(".")) if api_field else None
    if status == 400 and field:
        message = "invalid %s: %s" % (field, message)
    elif status == 404 and not detail:
        message = "%s %s%s: not found (HTTP 404): is this a Spool server? %s" % (method, API_PATH, path, message)
    cls = _ERRORS.get(status, ServerError if status >= 500 else ApiError)
    return cls(message, status=status, reason=reason, field=field, api_field=api_field)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


_default: Optional[Client] = None
_default_lock = threading.Lock()


def configure(url: Optional[str] = None, user: Optional[str] = None, timeout: float = 60.0,
              retries: int = 3) -> Client:
    """Sets (and returns) the client that Function, Job and Blob use when given none."""
    global _default
    client = Client(url=url, user=user, timeout=timeout, retries=retries)
    with _default_lock:
        _default = client
    return client


def default_client() -> Client:
    """The client set by ``configure``, else one made from the environment and the cluster's configuration."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Client()
        return _default


def client_of(client: Optional[Client]) -> Client:
    return client if client is not None else default_client()
