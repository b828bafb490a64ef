"""Spool's Python client: run Python functions as batch jobs on Hadoop YARN through the Spool server's REST API.

The API follows the ``descarteslabs.compute`` client, so its programs run with one import changed::

    from spool_client import Function

    def hello(i):
        return "hello {}".format(i)

    f = Function(hello, name="hello", memory=512, maximum_concurrency=4)
    f.save()
    job = f(5)
    job.wait_for_completion()
    print(job.result())

The server is found from ``configure(url=...)``, ``$SPOOL_URL``, or the embedded cluster's client configuration
(``~/.spool/conf/spool-site.xml``, written by ``bin/spool local start``). Standard library only.
"""
from ._http import Client, configure, default_client
from .blob import Blob, BlobSearch
from .exceptions import (ApiError, AuthenticationError, BadRequestError, BuildFailedError, ConfigurationError,
                         ConflictError, ConnectionFailedError, InvalidArgumentsError, JobNotSucceededError,
                         LimitExceededError, NotFoundError, PartialSubmissionError, PayloadTooLargeError, PermissionDeniedError,
                         ServerError, ServiceUnavailableError, SpoolError, WaitTimeoutError)
from .function import Function, FunctionSearch
from .job import Job, JobSearch
from .results import ComputeResult, Serializable
from .status import FunctionStatus, JobStatus

__version__ = "0.1.0.dev0"

__all__ = [
    "ApiError", "AuthenticationError", "BadRequestError", "Blob", "BlobSearch", "BuildFailedError", "Client",
    "ComputeResult", "ConfigurationError", "ConflictError", "ConnectionFailedError", "Function", "FunctionSearch",
    "FunctionStatus", "InvalidArgumentsError", "Job", "JobNotSucceededError", "JobSearch", "JobStatus",
    "LimitExceededError", "NotFoundError", "PartialSubmissionError", "PayloadTooLargeError", "PermissionDeniedError", "Serializable",
    "ServerError", "ServiceUnavailableError", "SpoolError", "WaitTimeoutError", "configure", "default_client",
]
