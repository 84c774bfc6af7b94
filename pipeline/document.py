"""The working types that flow between stages, before a record is built.

Stages pass these plain, frozen values along one way:
``Item`` (reader/formats) → lines (repair) → ``Line`` (segment) →
``Labeled`` (classify) → ``Metadata`` + body + comments (assemble) → ``Article``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from pipeline.record import SourceFormat


@dataclass(frozen=True, slots=True)
class Hints:
    """Metadata an input already carries (HTML meta tags, JSON item fields).

    Values are raw strings as found; :mod:`pipeline.metadata` validates and
    normalises them, and cross-checks them with what the text says.
    """

    url: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: str | None = None
    updated_at: str | None = None
    site_name: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    source_credit: str | None = None


@dataclass(frozen=True, slots=True)
class CommentHint:
    """A reader comment already separated by the input (HTML comment section)."""

    text: str
    author: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One article-to-be from one input: a text dump, or text a page/JSON item gave.

    ``text`` is decoded but not yet repaired. ``extracted`` is True when an
    extractor (trafilatura) already isolated the main text, so the cleaner
    removes only what its lexicons recognise instead of looking for the article.
    """

    text: str
    format: SourceFormat
    encoding: str
    index: int | None = None  # 1-based item number inside a JSON/JSONL file
    id_hint: str | None = None  # a safe id the item carries itself
    extracted: bool = False
    hints: Hints = field(default_factory=Hints)
    comments: tuple[CommentHint, ...] = ()
    repairs: tuple[tuple[str, int], ...] = ()  # repairs done while extracting (html-fallback)
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank piece of repaired text and where it came from.

    ``text`` may hold ``\\n`` where the input had ``<br>``; ``number`` is the
    1-based line of the decoded input. A glued line split into paragraphs
    gives several ``Line`` values with the same number and rising ``part``.
    """

    number: int
    text: str
    gap_before: bool = True  # a blank line (or the start) comes before it
    part: int = 0
    continues: bool = False  # the same paragraph as the previous part (a long line cut)


class Kind(str, Enum):
    """What a line is, once classified."""

    TITLE = "title"
    BODY = "body"
    HEADING = "heading"  # a sub-heading kept in the body as its own paragraph
    METADATA = "metadata"
    COMMENT = "comment"
    NOISE = "noise"


@dataclass(frozen=True, slots=True)
class Metadata:
    """Article fields found in the text or the hints, validated and normalised."""

    title: str | None = None
    url: str | None = None
    site: str | None = None
    site_name: str | None = None
    authors: tuple[str, ...] = ()
    published_at: str | None = None
    updated_at: str | None = None
    tags: tuple[str, ...] = ()
    source_credit: str | None = None
    comment_count: int | None = None
