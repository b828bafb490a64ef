"""Conversions between the REST API's values and Python's: attribute names and dates."""
from __future__ import annotations

import datetime
import re
from typing import Any, Optional

_CAMEL_WORD = re.compile(r"([a-z0-9])([A-Z])")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
                  r"\s*(Z|z|[+-]\d{2}:?\d{2})?$")


def snake(name: str) -> str:
    """``maximumConcurrency`` → ``maximum_concurrency``."""
    return _CAMEL_WORD.sub(r"\1_\2", name).lower()


def camel(name: str) -> str:
    """``maximum_concurrency`` → ``maximumConcurrency``."""
    first, *rest = name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def parse_date(value: Any) -> Optional[datetime.datetime]:
    """A timezone-aware datetime from the API's ISO-8601 text (or a datetime, a date, epoch seconds); None stays None.

    Naive input is taken as UTC. Any number of fractional digits is accepted (Java writes up to nine).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    if not isinstance(value, str):
        raise TypeError("a date must be a datetime, a date, epoch seconds or ISO-8601 text, not %s"
                        % type(value).__name__)
    match = _ISO.match(value.strip())
    if match is None:
        raise ValueError("%r is not an ISO-8601 date such as 2024-05-01 or 2024-05-01T12:30:00Z" % value)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    tz = datetime.timezone.utc
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                             micros, tzinfo=tz)
