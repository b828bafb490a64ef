"""The statuses of functions and jobs, as the server names them."""
from __future__ import annotations

import enum
from typing import Any


class _Status(str, enum.Enum):
    """A status that equals its name as a string (``JobStatus.SUCCESS == "SUCCESS"``) and reads any case."""

    @classmethod
    def _missing_(cls, value: Any) -> Any:
        if isinstance(value, str):
            name = value.strip().upper()
            if name in cls.__members__:
                return cls.__members__[name]
        return None

    def __str__(self) -> str:
        return self.value


class JobStatus(_Status):
    """The status of a job: PENDING and RUNNING, CANCEL and CANCELING while a cancel goes on, then one of the
    terminal SUCCESS, FAILURE, TIMEOUT and CANCELED."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    CANCEL = "CANCEL"
    CANCELING = "CANCELING"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    TIMEOUT = "TIMEOUT"
    CANCELED = "CANCELED"

    @property
    def is_terminal(self) -> bool:
        """Whether the job has ended (SUCCESS, FAILURE, TIMEOUT or CANCELED)."""
        return self in _TERMINAL

    @classmethod
    def terminal(cls) -> "tuple[JobStatus, ...]":
        return tuple(_TERMINAL)

    @classmethod
    def rerunnable(cls) -> "tuple[JobStatus, ...]":
        """The statuses ``rerun`` acts on: FAILURE, TIMEOUT and CANCELED."""
        return (cls.FAILURE, cls.TIMEOUT, cls.CANCELED)


_TERMINAL = frozenset((JobStatus.SUCCESS, JobStatus.FAILURE, JobStatus.TIMEOUT, JobStatus.CANCELED))


class FunctionStatus(_Status):
    """The status of a function: AWAITING_BUNDLE, BUILDING, then READY (or STOPPED when it does not start by
    itself) or BUILD_FAILED; READY and STOPPED change with ``start()`` and ``stop()``."""

    AWAITING_BUNDLE = "AWAITING_BUNDLE"
    BUILDING = "BUILDING"
    READY = "READY"
    STOPPED = "STOPPED"
    BUILD_FAILED = "BUILD_FAILED"
