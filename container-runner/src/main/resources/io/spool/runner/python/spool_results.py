"""Storing a job's return value in its result file, and naming Python types and exceptions.

The rules, in order:

* ``None`` writes nothing (kind ``none``).
* A ``spool.ComputeResult`` is unwrapped: its value is stored by the rules below, and its metadata
  (checked here) goes with it. A ComputeResult whose value is None stores the JSON ``null``, so
  that the metadata has a blob to live on.
* bytes, bytearray and memoryview are written raw (kind ``bytes``).
* A value with a callable ``serialize`` attribute is written as the bytes that ``serialize()``
  returns (kind ``bytes``); the metadata names the value's type as its ``serializer``.
* Anything else is written as strict JSON in UTF-8 (kind ``json``).

A value that cannot be stored, a result larger than ``max_bytes`` (when positive) and metadata
that breaks a limit raise ``ResultError`` with the job's one-line reason. When there is metadata it
is written as JSON to ``<path>.meta``: ``description``, ``expires`` (epoch milliseconds),
``extraProperties``, ``geometry`` (GeoJSON object or WKT string), ``tags``, ``serializer``, each
only when set. Files are written to a temporary name beside the target and renamed into place, the
metadata first, so a result file is either whole or absent and never without its metadata.
"""
import datetime
import json
import math
import os
import re
import traceback
from typing import Any, Dict, Optional, Tuple

from spool import ComputeResult

METADATA_SUFFIX = ".meta"
MAX_DESCRIPTION_CHARS = 80000
MAX_EXTRA_PROPERTIES = 50
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                  "GeometryCollection", "Feature")
_WKT_TYPES = tuple(name.upper() for name in GEOMETRY_TYPES if name != "Feature")
# The keyword, optional Z, M or ZM, then a parenthesis or EMPTY; the longest keywords first.
_WKT_START = re.compile(r"(%s)\s*(?:ZM|Z|M)?\s*(\(|EMPTY\s*$)"
                        % "|".join(sorted(_WKT_TYPES, key=len, reverse=True)))
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


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


def store_result(value: Any, path: str, max_bytes: int) -> str:
    """Writes ``value`` to ``path`` (and its metadata beside it); returns its kind: ``json``, ``bytes`` or ``none``.

    ``max_bytes``: the largest result stored, 0 for no limit.
    """
    metadata: Dict[str, Any] = {}
    if isinstance(value, ComputeResult):
        metadata = compute_result_metadata(value)
        value = value.value
        if isinstance(value, ComputeResult):
            raise ResultError("the value of a ComputeResult cannot be another ComputeResult")
        if value is None:
            return _store(b"null", "json", path, max_bytes, metadata)
    if value is None:
        return "none"
    data, kind, serializer = encode(value)
    if serializer is not None:
        metadata["serializer"] = serializer
    return _store(data, kind, path, max_bytes, metadata)


def encode(value: Any) -> Tuple[bytes, str, Optional[str]]:
    """The bytes of a value that is not None, its kind and the type whose ``serialize()`` made them (or None)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes_of(value), "bytes", None
    serialize = getattr(value, "serialize", None)
    if callable(serialize):
        name = type_name(type(value))
        try:
            data = serialize()
        except Exception as e:
            traceback.print_exc()
            raise ResultError("serialize() of %s failed: %s" % (name, describe_exception(e))) from e
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ResultError("serialize() of %s returned %s, not bytes" % (name, type_name(type(data))))
        return _bytes_of(data), "bytes", name
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    except Exception as e:  # TypeError, ValueError (NaN, cycles), RecursionError...
        raise ResultError("result of type '%s' cannot be stored: %s" % (type_name(type(value)), e)) from e
    return text.encode("utf-8"), "json", None


def _bytes_of(value: Any) -> bytes:
    return value.tobytes() if isinstance(value, memoryview) else bytes(value)


def compute_result_metadata(result: ComputeResult) -> Dict[str, Any]:
    """The metadata of a ComputeResult as stored in ``<path>.meta``; raises ResultError naming a broken limit."""
    metadata: Dict[str, Any] = {}
    if result.description is not None:
        metadata["description"] = _description(result.description)
    if result.expires is not None:
        metadata["expires"] = _epoch_millis(result.expires)
    if result.extra_properties is not None:
        metadata["extraProperties"] = _extra_properties(result.extra_properties)
    if result.geometry is not None:
        metadata["geometry"] = _geometry(result.geometry)
    if result.tags is not None:
        metadata["tags"] = _tags(result.tags)
    return metadata


def _description(description: Any) -> str:
    if not isinstance(description, str):
        raise ResultError("ComputeResult description must be a string, got %s" % type_name(type(description)))
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise ResultError("ComputeResult description is %d characters, more than the limit of %d"
                          % (len(description), MAX_DESCRIPTION_CHARS))
    return description


def _epoch_millis(expires: Any) -> int:
    """Epoch milliseconds of a datetime (naive is UTC), an ISO-8601 string or epoch seconds."""
    if isinstance(expires, datetime.datetime):
        moment = expires
    elif isinstance(expires, str):
        text = expires.strip()
        if text[-1:] in ("Z", "z"):  # fromisoformat accepts a Z only from Python 3.11
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ResultError("ComputeResult expires %r is not an ISO-8601 date and time "
                              "(like 2031-01-02T03:04:05Z)" % expires) from None
    elif isinstance(expires, (int, float)) and not isinstance(expires, bool):
        if not math.isfinite(expires):
            raise ResultError("ComputeResult expires must be a finite number of epoch seconds, got %r" % expires)
        return int(round(expires * 1000))
    else:
        raise ResultError("ComputeResult expires must be a datetime, an ISO-8601 string or epoch seconds, got %s"
                          % type_name(type(expires)))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _extra_properties(properties: Any) -> Dict[str, Any]:
    if not isinstance(properties, dict):
        raise ResultError("ComputeResult extra_properties must be a dict, got %s" % type_name(type(properties)))
    if len(properties) > MAX_EXTRA_PROPERTIES:
        raise ResultError("ComputeResult extra_properties has %d entries, more than the limit of %d"
                          % (len(properties), MAX_EXTRA_PROPERTIES))
    for key, value in properties.items():
        if not isinstance(key, str):
            raise ResultError("ComputeResult extra_properties key %r is %s: keys must be strings"
                              % (key, type_name(type(key))))
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ResultError("ComputeResult extra_properties[%r] is %s: values must be strings or numbers"
                              % (key, type_name(type(value))))
        if isinstance(value, float) and not math.isfinite(value):
            raise ResultError("ComputeResult extra_properties[%r] is %r: numbers must be finite" % (key, value))
    return dict(properties)


def _geometry(geometry: Any) -> Any:
    """A GeoJSON mapping as a dict (checked to be JSON), or a WKT string as it is."""
    if isinstance(geometry, str):
        if not _looks_like_wkt(geometry):
            raise ResultError("ComputeResult geometry %r is not WKT: it must start with one of %s in upper case "
                              "and balance its parentheses" % (_snippet(geometry), ", ".join(_WKT_TYPES)))
        return geometry
    if not isinstance(geometry, dict) and hasattr(geometry, "__geo_interface__"):
        geometry = geometry.__geo_interface__
    if not isinstance(geometry, dict):
        raise ResultError("ComputeResult geometry must be a GeoJSON mapping, an object with __geo_interface__ "
                          "or a WKT string, got %s" % type_name(type(geometry)))
    if geometry.get("type") not in GEOMETRY_TYPES:
        raise ResultError("ComputeResult geometry has type %r: GeoJSON type must be one of %s"
                          % (geometry.get("type"), ", ".join(GEOMETRY_TYPES)))
    try:
        return json.loads(json.dumps(geometry, allow_nan=False))
    except Exception as e:
        raise ResultError("ComputeResult geometry is not JSON: %s" % e) from e


def _looks_like_wkt(text: str) -> bool:
    match = _WKT_START.match(text.strip())
    if match is None:
        return False
    if match.group(2) != "(":
        return True  # EMPTY
    depth = 0
    for c in text:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and text.rstrip().endswith(")")


def _snippet(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _tags(tags: Any) -> list:
    if not isinstance(tags, (list, tuple)):
        raise ResultError("ComputeResult tags must be a list of strings, got %s" % type_name(type(tags)))
    for tag in tags:
        if not isinstance(tag, str):
            raise ResultError("ComputeResult tags must be strings, got %r (%s)" % (tag, type_name(type(tag))))
    return list(tags)


def _store(data: bytes, kind: str, path: str, max_bytes: int, metadata: Dict[str, Any]) -> str:
    if max_bytes > 0 and len(data) > max_bytes:
        raise ResultError("result is %d bytes, more than the limit of %d bytes (spool.result.max-bytes)"
                          % (len(data), max_bytes))
    meta_path = path + METADATA_SUFFIX
    try:
        if metadata:
            _write_atomically(meta_path, json.dumps(metadata, separators=(",", ":")).encode("utf-8"))
        elif os.path.lexists(meta_path):
            os.unlink(meta_path)
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
