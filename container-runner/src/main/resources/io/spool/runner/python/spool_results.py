"""Storing a job's return value in its result file, and naming Python types and exceptions.

The rules: bytes-like values are written raw (kind ``bytes``), ``None`` writes nothing (kind
``none``), anything else is written as strict JSON in UTF-8 (kind ``json``). A value that strict
JSON cannot hold raises ``ResultError`` naming its type. Files are written to a temporary name
beside the target and renamed into place, so a result file is either whole or absent.
"""
import json
import os
from typing import Any


class ResultError(Exception):
    """The return value could not be stored; the message is the job's error."""


def type_name(cls: type) -> str:
    """``ValueError`` for builtins, ``package.module.Class`` for everything else."""
    module = getattr(cls, "__module__", None)
    name = getattr(cls, "__qualname__", cls.__name__)
    if module in (None, "builtins", "__main__"):
        return name
    return "%s.%s" % (module, name)


def describe_exception(exc: BaseException) -> str:
    """``<Type>: <message>``, or just ``<Type>`` when the message is empty."""
    try:
        message = str(exc)
    except Exception:  # a broken __str__ must not hide the exception's type
        message = "<str() of the exception failed>"
    name = type_name(type(exc))
    return "%s: %s" % (name, message) if message else name


def store_result(value: Any, path: str) -> str:
    """Writes ``value`` to ``path`` and returns its kind: ``json``, ``bytes`` or ``none``."""
    if value is None:
        return "none"
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = value.tobytes() if isinstance(value, memoryview) else bytes(value)
        kind = "bytes"
    else:
        try:
            text = json.dumps(value, allow_nan=False, separators=(",", ":"))
        except Exception as e:  # TypeError, ValueError (NaN, cycles), RecursionError...
            raise ResultError("result of type '%s' cannot be stored: %s" % (type_name(type(value)), e)) from e
        data = text.encode("utf-8")
        kind = "json"
    try:
        _write_atomically(path, data)
    except OSError as e:
        raise ResultError("cannot write result file '%s': %s" % (path, describe_exception(e))) from e
    return kind


def _write_atomically(path: str, data: bytes) -> None:
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    partial = "%s.partial-%d" % (path, os.getpid())
    try:
        with open(partial, "wb") as f:
            f.write(data)
        os.replace(partial, path)
    except BaseException:
        try:
            os.unlink(partial)
        except OSError:
            pass
        raise
