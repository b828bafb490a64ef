"""What jobs return besides plain values (``ComputeResult``, ``Serializable``), and reading results back.

Inside a job these are the very classes of the job-side package ``spool`` that Spool's result writer knows;
outside a job they are a copy of the same protocol, so a script can define a ``Serializable`` subclass, return it
from its jobs, and read it back with ``job.result(cast_type=ThatClass)``.
"""
from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Sequence, Union

try:
    from spool import ComputeResult, Serializable
except ImportError:

    class ComputeResult:  # type: ignore[no-redef]
        """A job's return value with metadata stored on its result blob.

        ``value``: what the job returns: None, bytes, a ``Serializable`` or a JSON value.
        ``description``: text, at most 80,000 characters.
        ``expires``: when the result may be deleted: a ``datetime`` (naive is UTC), ISO-8601 text or epoch seconds.
        ``extra_properties``: at most 50 entries, string keys, values strings or numbers.
        ``geometry``: a GeoJSON mapping, an object with ``__geo_interface__`` or a WKT string.
        ``tags``: a list of strings, searchable with ``Blob.search()``.
        """

        __slots__ = ("value", "description", "expires", "extra_properties", "geometry", "tags")

        def __init__(self, value: Any, description: Optional[str] = None, expires: Any = None,
                     extra_properties: Optional[Mapping[str, Union[str, int, float]]] = None,
                     geometry: Any = None, tags: Optional[Sequence[str]] = None) -> None:
            self.value = value
            self.description = description
            self.expires = expires
            self.extra_properties = extra_properties
            self.geometry = geometry
            self.tags = tags

        def __repr__(self) -> str:
            fields = ["%s=%r" % (name, getattr(self, name)) for name in self.__slots__[1:]
                      if getattr(self, name) is not None]
            return "ComputeResult(%s)" % ", ".join(["%r" % (self.value,)] + fields)

    class Serializable:  # type: ignore[no-redef]
        """The protocol of values stored as bytes they make themselves (inheriting it is optional).

        A returned value with a callable ``serialize`` attribute is stored as what ``serialize()`` returns
        (bytes); ``job.result(cast_type=T)`` gives ``T.deserialize(those bytes)``.
        """

        def serialize(self) -> bytes:
            raise NotImplementedError

        @classmethod
        def deserialize(cls, data: bytes) -> "Serializable":
            raise NotImplementedError

__all__ = ["ComputeResult", "Serializable", "decode"]

JSON_KIND = "json"
BYTES_KIND = "bytes"


def decode(data: Optional[bytes], kind: Optional[str], cast_type: Optional[type], what: str) -> Any:
    """A stored result as a value: None for no result; with ``cast_type``, ``cast_type.deserialize(data)`` (or the
    bytes for ``bytes``); else parsed JSON for a JSON result and the bytes for a bytes result.

    Raises ValueError if ``cast_type`` cannot make a value of the result (it has no ``deserialize``).
    """
    if data is None:
        return None
    if cast_type is not None:
        if cast_type in (bytes, bytearray):
            return cast_type(data)
        deserialize = getattr(cast_type, "deserialize", None)
        if not callable(deserialize):
            raise ValueError("cast_type %s does not implement Serializable: it needs a class method "
                             "deserialize(data: bytes)" % getattr(cast_type, "__name__", cast_type))
        return deserialize(data)
    if kind == BYTES_KIND:
        return data
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as e:
        if kind == JSON_KIND:
            raise ValueError("%s is stored as JSON but does not parse: %s" % (what, e)) from e
        return data
