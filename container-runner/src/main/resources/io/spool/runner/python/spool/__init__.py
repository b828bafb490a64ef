"""What a Spool job may return besides a plain value: ``ComputeResult`` and the ``Serializable`` protocol.

    from spool import ComputeResult

    def tile(i):
        return ComputeResult({"count": i}, description="tile %d" % i, tags=["tile"],
                             geometry={"type": "Point", "coordinates": [i, 0]})

A job returns its value as it is, or wrapped in a ``ComputeResult`` that adds metadata to the
stored blob. A value with a ``serialize()`` method is stored as the bytes that method returns (see
``Serializable``). The worker checks the metadata when it stores the result: a ComputeResult that
breaks a limit fails the job with a reason that names the attribute.

This package ships with every job and needs nothing beyond the standard library.
"""
from typing import Any, Mapping, Optional, Sequence, Union

__all__ = ["ComputeResult", "Serializable"]


class ComputeResult:
    """A job's return value with metadata stored on its result blob.

    ``value``: what the job returns: None, bytes, a ``Serializable`` or a JSON value. A
    ComputeResult whose value is None stores the JSON ``null``, so that its metadata has a blob.

    ``description``: text, at most 80,000 characters.

    ``expires``: when the result may be deleted: a ``datetime`` (a naive one is UTC), an ISO-8601
    string or seconds since the epoch.

    ``extra_properties``: at most 50 entries, string keys, values strings or numbers.

    ``geometry``: a GeoJSON mapping (a geometry or a Feature), an object with
    ``__geo_interface__`` (shapely's geometries) or a WKT string such as ``"POINT (1 2)"``.

    ``tags``: a list of strings.
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


class Serializable:
    """The protocol of values stored as bytes they make themselves (inheriting it is optional).

    A returned value with a callable ``serialize`` attribute is stored as what ``serialize()``
    returns, which must be bytes-like; the blob records the value's type as its serializer. A
    reader turns the bytes back into a value with the type's ``deserialize`` class method.
    """

    def serialize(self) -> bytes:
        raise NotImplementedError

    @classmethod
    def deserialize(cls, data: bytes) -> "Serializable":
        raise NotImplementedError
