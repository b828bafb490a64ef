"""Stored results ("blobs"): a job's result with its metadata, and searches over them by function, tags, name."""
from __future__ import annotations

from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

from ._http import Client, client_of
from .results import decode
from .search import Attribute, Search, attributes_of


class Blob:
    """A stored result: ``data()`` reads its bytes, ``value(cast_type=None)`` decodes them as ``Job.result`` does;
    the metadata a ``ComputeResult`` set is in ``tags``, ``description``, ``extra_properties``, ``geometry``,
    ``expires``. Results outlive their jobs and functions until deleted."""

    name = Attribute("'<function id>/<job id>'.", kind="text")
    owner = Attribute("The user whose namespace holds it.")
    function_id = Attribute("The function whose job made it.")
    job_id = Attribute("The job that made it.")
    size = Attribute("Bytes stored.")
    kind = Attribute("'json' or 'bytes'.")
    serializer = Attribute("For a serialize() result, the type that made it.")
    creation_date = Attribute("When it was stored.", kind="date")
    description = Attribute("A ComputeResult's description.")
    tags = Attribute("A ComputeResult's tags.", kind="tags")
    extra_properties = Attribute("A ComputeResult's extra properties.")
    geometry = Attribute("A ComputeResult's geometry (GeoJSON, or WKT text).")
    expires = Attribute("When it may be deleted.", kind="date")

    def __init__(self) -> None:
        raise TypeError("blobs are made by jobs: use job.result_blob(), Blob.get() or Blob.search()")

    @classmethod
    def _of(cls, client: Client, view: Mapping[str, Any]) -> "Blob":
        blob = cls.__new__(cls)
        blob._client = client
        names = {a.api_name: n for n, a in attributes_of(Blob).items()}
        blob._data = {names.get(k, k): v for k, v in view.items()}
        return blob

    def _get_attribute(self, attribute: Attribute) -> Any:
        value = self._data.get(attribute.name)
        return None if value is None else attribute.convert(value)

    def _set_attribute(self, attribute: Attribute, value: Any) -> None:
        raise AttributeError("Blob.%s is read-only" % attribute.name)

    def __repr__(self) -> str:
        return "Blob %s (%s, %s bytes)" % (self.name, self.kind, self.size)

    @classmethod
    def get(cls, function_id: str, job_id: str, client: Optional[Client] = None) -> "Blob":
        """The result blob of a job (NotFoundError if it has none)."""
        c = client_of(client)
        return cls._of(c, c.get("blobs/%s/%s" % (function_id, job_id)))

    @classmethod
    def search(cls, client: Optional[Client] = None) -> "BlobSearch":
        """A search over your results: ``.filter(Blob.function_id == f.id).filter(Blob.tags == "hello")``,
        ``.filter(Blob.name.prefix(f"{f.id}/"))``."""
        return BlobSearch(client_of(client))

    def data(self) -> bytes:
        """The stored bytes (JSON text for a JSON result)."""
        return self._client.request("GET", "blobs/%s/%s/data" % (self.function_id, self.job_id)).body

    def value(self, cast_type: Optional[type] = None) -> Any:
        """The stored value decoded: parsed JSON, bytes, or ``cast_type.deserialize(bytes)``."""
        return decode(self.data(), self.kind, cast_type, "blob %s" % self.name)

    def delete(self) -> None:
        """Deletes the stored result."""
        self._client.request("DELETE", "blobs/%s/%s" % (self.function_id, self.job_id))


class BlobSearch(Search[Blob]):
    """A search over stored results; the server filters by function, name prefix and tags (``Blob.tags == "t"``:
    has tag t), other expressions are checked here."""

    _SERVER_SORTS = {"name": "name", "creation_date": "creationDate", "size": "size"}

    def __init__(self, client: Client) -> None:
        super().__init__(Blob, client)

    def _query(self) -> Dict[str, Any]:
        functions = self._values("function_id", ("==",))
        prefixes = [f.value for f in self._filters if f.name == "name" and f.op == "prefix"]
        tags = sorted({f.value for f in self._filters if f.name == "tags" and f.op == "=="})
        return {"functionId": sorted(functions)[0] if functions and len(functions) == 1 else None,
                "prefix": max(prefixes, key=len) if prefixes else None,
                "tag": ",".join(tags) if tags else None}

    def _fetch(self, sort: Optional[Tuple[str, bool]]) -> Iterator[Blob]:
        query = self._query()
        if sort is not None:
            query["sort"], query["order"] = sort[0], "desc" if sort[1] else "asc"
        size = 100 if self._limit is None else max(1, min(self._limit, 1000))
        page = 0
        while True:
            reply = self._client.get("blobs", dict(query, page=page, pageSize=size))
            items = reply.get("items") or []
            for view in items:
                yield Blob._of(self._client, view)
            if len(items) < size:
                return
            page += 1

    def _server_count(self) -> Optional[int]:
        if not all((f.name == "function_id" and f.op == "==") or (f.name == "name" and f.op == "prefix")
                   or (f.name == "tags" and f.op == "==") for f in self._filters):
            return None
        if len({f.value for f in self._filters if f.name == "function_id"}) > 1:
            return 0
        if len([f for f in self._filters if f.name == "name"]) > 1:
            return None
        return int(self._client.get("blobs", dict(self._query(), page=0, pageSize=1)).get("total") or 0)
