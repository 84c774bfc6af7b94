"""Metadata lines → article fields (URL, dates, authors, tags, credit, site)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from pipeline.document import Hints, Metadata


class MetaField(str, Enum):
    TITLE = "title"
    URL = "url"
    PUBLISHED_AT = "published_at"
    UPDATED_AT = "updated_at"
    AUTHORS = "authors"
    TAGS = "tags"
    SOURCE_CREDIT = "source_credit"
    SITE_NAME = "site_name"
    COMMENT_COUNT = "comment_count"


class Zone(str, Enum):
    """Where a line stands relative to the article body."""

    HEAD = "head"  # before the first body line
    BODY = "body"  # between body lines
    TAIL = "tail"  # after the last body line


@dataclass(frozen=True, slots=True)
class MetaHit:
    field: MetaField
    value: str | int | tuple[str, ...]


_URL_LINE = re.compile(r"^(?:source link|lien source|source)\s*:\s*(https?://\S+)$", re.I)
_DATE_LINE = re.compile(r"^publish date\s*:\s*(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$", re.I)


def read_line(text: str, zone: Zone, language: str | None = None) -> tuple[MetaHit, ...] | None:
    """The fields a whole line states, or None when it is not a metadata line (placeholder)."""
    if m := _URL_LINE.match(text):
        return (MetaHit(MetaField.URL, m[1]),)
    if m := _DATE_LINE.match(text):
        return (MetaHit(MetaField.PUBLISHED_AT, f"{m[1]}T{m[2]}"),)
    return None


def from_hints(hints: Hints) -> tuple[MetaHit, ...]:
    """Hits for the metadata an input carries itself (placeholder: taken as they are)."""
    hits: list[MetaHit] = []
    for name in ("url", "title", "site_name", "source_credit", "published_at", "updated_at"):
        value = getattr(hints, name)
        if value:
            hits.append(MetaHit(MetaField(name), value))
    if hints.authors:
        hits.append(MetaHit(MetaField.AUTHORS, tuple(hints.authors)))
    if hints.tags:
        hits.append(MetaHit(MetaField.TAGS, tuple(hints.tags)))
    return tuple(hits)


def merge(hits: Iterable[MetaHit]) -> Metadata:
    """Fold hits into one Metadata: the first value of each field wins."""
    found: dict[MetaField, object] = {}
    for hit in hits:
        found.setdefault(hit.field, hit.value)
    url = found.get(MetaField.URL)
    site = None
    if isinstance(url, str):
        host = urlsplit(url).hostname or ""
        site = host.removeprefix("www.") or None
    return Metadata(
        title=_str(found.get(MetaField.TITLE)),
        url=_str(url),
        site=site,
        site_name=_str(found.get(MetaField.SITE_NAME)),
        authors=_tuple(found.get(MetaField.AUTHORS)),
        published_at=_str(found.get(MetaField.PUBLISHED_AT)),
        updated_at=_str(found.get(MetaField.UPDATED_AT)),
        tags=_tuple(found.get(MetaField.TAGS)),
        source_credit=_str(found.get(MetaField.SOURCE_CREDIT)),
        comment_count=found.get(MetaField.COMMENT_COUNT)  # type: ignore[arg-type]
        if isinstance(found.get(MetaField.COMMENT_COUNT), int) else None,
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _tuple(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple) else ()
