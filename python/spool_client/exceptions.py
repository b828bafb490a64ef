"""The exceptions of the Spool client, each naming the problem and what to do about it."""
from __future__ import annotations

from typing import Any, List, Optional


class SpoolError(Exception):
    """Base class of every error the Spool client raises."""


class ConfigurationError(SpoolError):
    """The client does not know which Spool server to talk to, or its configuration cannot be read."""


class ConnectionFailedError(SpoolError, ConnectionError):
    """The Spool server could not be reached (nothing listens, the network failed, the reply was lost)."""

    def __init__(self, message: str, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class ApiError(SpoolError):
    """The Spool server refused a request; ``status``, ``reason`` and ``field`` say how.

    ``field`` is the input to change (for 400), in the client's names (``maximum_concurrency``);
    ``api_field`` is the server's name for it (``maximumConcurrency``).
    """

    def __init__(self, message: str, status: int = 0, reason: str = "", field: Optional[str] = None,
                 api_field: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason
        self.field = field
        self.api_field = api_field


class BadRequestError(ApiError, ValueError):
    """400: an input is wrong; ``field`` names it."""


class AuthenticationError(ApiError):
    """401: the request names no user and the server has no default one."""


class PermissionDeniedError(ApiError, PermissionError):
    """403: the function, job or result belongs to another user."""


class NotFoundError(ApiError, LookupError):
    """404: no function, job or result with that id (or it was deleted)."""


class ConflictError(ApiError):
    """409: a refused transition (deleting a function whose jobs run, rerunning a job that succeeded, ...)."""


class PayloadTooLargeError(ApiError):
    """413: the bundle or the submission is larger than the server takes."""


class LimitExceededError(ApiError):
    """429: the submission or rerun would pass a limit of outstanding jobs; nothing of it was written.

    The message names the limit and its setting; submit again once jobs have ended.
    """


class ServiceUnavailableError(ApiError):
    """503: the server could not reach the cluster."""


class ServerError(ApiError):
    """500 and other server failures."""


class BuildFailedError(ConflictError):
    """The function's build failed, so its jobs will never run; its build log says why."""

    def __init__(self, function_id: str, reason: Optional[str], waited: str = "") -> None:
        message = "the build of function %s failed%s%s: read its build log with Function.get(%r).build_log()" % (
            function_id, " (%s)" % reason if reason else "", ", so %s will never run" % waited if waited else "",
            function_id)
        super().__init__(message, status=409, reason="conflict")
        self.function_id = function_id
        self.build_failure = reason


class WaitTimeoutError(SpoolError, TimeoutError):
    """A wait ended before the jobs did; ``jobs`` are those still not done (empty for a function's wait)."""

    def __init__(self, message: str, jobs: Optional[List[Any]] = None) -> None:
        super().__init__(message)
        self.jobs = list(jobs or [])


class JobNotSucceededError(SpoolError):
    """A result was asked of a job that did not succeed; ``status`` and ``error_reason`` say how it ended."""

    def __init__(self, job_id: str, status: Any, error_reason: Optional[str]) -> None:
        super().__init__("job %s has no result: it is %s%s" % (
            job_id, getattr(status, "value", status), " (%s)" % error_reason if error_reason else ""))
        self.job_id = job_id
        self.status = status
        self.error_reason = error_reason


class InvalidArgumentsError(SpoolError, ValueError):
    """A job's arguments are not JSON (NaN, a non-string key, a cycle, an object JSON has no form for).

    Raised before anything is sent.
    """


class PartialSubmissionError(SpoolError):
    """A batch of a ``map`` failed after earlier batches went in; ``jobs`` are the jobs that were created."""

    def __init__(self, message: str, jobs: List[Any]) -> None:
        super().__init__(message)
        self.jobs = jobs
