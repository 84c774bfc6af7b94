"""One exception family: every error names its input and says how to fix it."""

from __future__ import annotations

from enum import Enum


class RejectCode(str, Enum):
    """Why an input produced no record (the ``reason`` column of ``_rejects.jsonl``)."""

    EMPTY = "empty"  # no bytes, or only white space
    BINARY = "binary"  # not text: NUL-heavy, an image, an unknown archive
    UNDECODABLE = "undecodable"  # no text encoding fits
    TOO_LARGE = "too-large"  # over the input or decompression size limit
    BAD_ARCHIVE = "bad-archive"  # a truncated or corrupt gzip stream
    BAD_JSON = "bad-json"  # a JSON document or JSONL line that does not parse
    BAD_ITEM = "bad-item"  # a JSON item with no text, html or body field
    NO_ARTICLE = "no-article"  # kept for readers of older rejects; records now carry a flag
    TIMEOUT = "timeout"  # over the per-input time budget
    MEMORY = "memory"  # over the per-input memory budget
    UNREADABLE = "unreadable"  # the file could not be read (permissions, vanished)
    SYMLINK = "symlink"  # a link pointing outside the raw root, not followed
    INTERNAL = "internal"  # a bug in newsclean: please report it with the input


class NewscleanError(Exception):
    """Base of every error newsclean raises on purpose."""


class RejectedInput(NewscleanError):
    """An input that cannot become a record.

    >>> str(RejectedInput(RejectCode.EMPTY, "the file is empty", path="raw/a.txt"))
    'raw/a.txt: empty: the file is empty'
    """

    def __init__(self, code: RejectCode, message: str, *, path: str | None = None,
                 stage: str = "read", item: int | None = None) -> None:
        self.code = code
        self.message = message
        self.path = path
        self.stage = stage
        self.item = item
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.item is not None:
            where = f"{where}:{self.item}"
        return f"{where}: {self.code.value}: {self.message}"

    def at(self, path: str) -> RejectedInput:
        """The same rejection, naming the input's path."""
        return RejectedInput(self.code, self.message, path=path, stage=self.stage, item=self.item)


class UsageError(NewscleanError):
    """A command used wrongly; the message says what to write instead."""
