"""Reader: find the input files under the raw root and read their bytes (the only input I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from unidecode import unidecode

from pipeline.errors import RejectCode, RejectedInput
from pipeline.storage import Store

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")
_KNOWN_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".xhtml", ".json", ".jsonl",
                             ".ndjson", ".gz", ".gzip"})


def display_path(rel: str) -> str:
    """A path as text every JSON reader accepts: undecodable bytes of a file name become U+FFFD.

    >>> display_path("été.txt"), display_path("caf\\udce9.txt")
    ('été.txt', 'caf\\ufffd.txt')
    """
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return rel


def record_stem(path: str) -> str:
    """The id stem of an input: its path below the raw root, without known suffixes.

    >>> record_stem("000_b965d56c7d7fc914.txt")
    '000_b965d56c7d7fc914'
    >>> record_stem("feeds/Été 2024.jsonl.gz")
    'feeds__Ete_2024'
    """
    p = PurePosixPath(path)
    name = p.name
    while (suffix := PurePosixPath(name).suffix.lower()) in _KNOWN_SUFFIXES:
        name = name[: -len(suffix)]
    parts = [*p.parent.parts, name] if str(p.parent) != "." else [name]
    stem = "__".join(_UNSAFE_ID.sub("_", unidecode(part)).strip("_") or "_" for part in parts)
    return stem[:180] or "_"


class PickledAsFields:
    """Base of a slotted dataclass that pickles as its class and its field values.

    Inputs, and what their workers answer, cross to another process once an
    input: a slotted dataclass otherwise pickles through ``dataclasses.fields()``,
    two to three times slower. The values are those of ``__slots__``, which a
    slotted dataclass lists in the order of its ``__init__`` arguments, so a field
    added later travels too (every field must be an ``__init__`` argument).
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        fields: tuple[str, ...] = self.__slots__
        return type(self), tuple(getattr(self, name) for name in fields)


@dataclass(frozen=True, slots=True, order=True)
class InputFile(PickledAsFields):
    """One input: its path relative to the raw root, with '/' separators."""

    rel: str


def discover(raw: Store, *, follow_symlinks: bool = False
             ) -> tuple[list[InputFile], list[RejectedInput]]:
    """Every file under ``raw``, sorted; links out of ``raw`` are rejected, not followed.

    Hidden files and folders (a leading '.') are skipped: editors and sync tools
    keep their state there.
    """
    found: list[InputFile] = []
    rejects: list[RejectedInput] = []
    for listed in raw.walk(follow_symlinks=follow_symlinks):
        if listed.escapes_to is None:
            found.append(InputFile(listed.rel))
            continue
        rejects.append(RejectedInput(
            RejectCode.SYMLINK, f"links outside the raw folder to {listed.escapes_to}; move "
            "the file into the raw folder or run with --follow-symlinks",
            path=display_path(listed.rel), stage="discover"))
    return found, rejects


def read_input(raw: Store, item: InputFile, *, max_bytes: int) -> bytes:
    """The raw bytes of one input, refusing files over ``max_bytes``."""
    try:
        size = raw.size(item.rel)
        if size > max_bytes:
            raise RejectedInput(RejectCode.TOO_LARGE, f"{size} bytes is over the limit of "
                                f"{max_bytes}; split the file or raise limits.max_input_bytes",
                                path=display_path(item.rel))
        data = raw.read_bytes(item.rel, max_bytes + 1)
    except OSError as err:
        raise RejectedInput(RejectCode.UNREADABLE, f"cannot read: {err.strerror or err}; "
                            "check that the file exists and is readable",
                            path=display_path(item.rel)) from err
    if len(data) > max_bytes:  # grew while being read
        raise RejectedInput(RejectCode.TOO_LARGE, f"over the limit of {max_bytes} bytes; split "
                            "the file or raise limits.max_input_bytes",
                            path=display_path(item.rel))
    return data
