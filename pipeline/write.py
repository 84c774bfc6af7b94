"""Writer: records and run files into the clean folder, atomically (the only output I/O)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from typing import Any

from pydantic_core import PydanticSerializationError

from pipeline.errors import RejectCode, RejectedInput

# the clean folder's naming rule is defined with the reader
from pipeline.reader import is_record_name as is_record_name
from pipeline.record import Article, dump_json, json_pieces
from pipeline.storage import Store

REJECTS_FILE = "_rejects.jsonl"
# Records whose texts hold fewer characters than this are encoded whole by
# pydantic's serializer (Rust, straight to UTF-8 bytes: a quarter of the cost of
# the json module, whose indenting encoder is pure Python) and checked with one
# scan. Its output is the json module's byte for byte (test_record.py checks it).
_WHOLE_CHARS = 1 << 20
# NUL or CR as a JSON escape (one not preceded by an escaped backslash): JSON
# text cannot hold them raw.
_FORBIDDEN_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\(?:r|u0000)")


def _holds_nul_or_cr(data: bytes) -> bool:
    """Whether JSON text escapes a NUL or CR.

    The pattern is tried at every position of the text, which took ten times as
    long as encoding the record; two byte searches clear nearly every record first.

    >>> _holds_nul_or_cr(rb'"a\\r"'), _holds_nul_or_cr(rb'"a\\\\r"')
    (True, False)
    """
    return (b"\\r" in data or b"\\u0000" in data) and _FORBIDDEN_ESCAPE.search(data) is not None


def record_name(record_id: str) -> str:
    """The file name of a record in the clean folder.

    >>> record_name("000_b965d56c7d7fc914")
    '000_b965d56c7d7fc914.json'
    """
    return f"{record_id}.json"


def record_bytes(article: Article, *, path: str, item: int | None = None) -> bytes:
    r"""The UTF-8 bytes of ``article.to_json()``, refusing text no reader should get.

    A record of less than ``_WHOLE_CHARS`` characters of text is encoded whole;
    a larger one piece by piece (:func:`pipeline.record.json_pieces`) into one
    byte buffer, so a huge record costs its bytes and one piece at a time, not
    its JSON text, copies of it and its bytes. The stages remove NUL and CR, so
    one left in a record is a defect; they can only be in a string, which JSON
    escapes.

    >>> from pipeline.record import PipelineInfo, Source, SourceFormat
    >>> a = Article(id="a", source=Source(path="x.txt", sha256="0" * 64, encoding="utf-8",
    ...             format=SourceFormat.TXT), body="é", word_count=1,
    ...             pipeline=PipelineInfo(version="0", config_hash="x"))
    >>> record_bytes(a, path="x.txt") == a.to_json().encode()
    True
    >>> record_bytes(a.model_copy(update={"body": "a\r"}), path="x.txt")
    Traceback (most recent call last):
    pipeline.errors.RejectedInput: x.txt: internal: the record holds a NUL or CR character: ...
    """
    size = len(article.body) + sum(len(r.text) for r in article.removed) + sum(
        len(c.text) for c in article.comments)
    if size < _WHOLE_CHARS:
        try:
            data = article.__pydantic_serializer__.to_json(article, indent=2)
        except PydanticSerializationError:
            pass  # a lone surrogate: the pieces below tell where
        else:
            if _holds_nul_or_cr(data):
                raise _nul_or_cr(path, item)
            return data + b"\n"
    return _record_bytes_in_pieces(article, path=path, item=item)


def _record_bytes_in_pieces(article: Article, *, path: str, item: int | None) -> bytes:
    out = io.BytesIO()
    written = 0  # characters of JSON text so far: where a lone surrogate is reported
    forbidden = False
    for text, raw in json_pieces(article.model_dump(mode="json")):
        try:
            out.write(text.encode("utf-8"))
        except UnicodeEncodeError as err:
            raise RejectedInput(RejectCode.INTERNAL, "the record holds a lone surrogate at "
                                f"{written + err.start}: please report this input", path=path,
                                stage="write", item=item) from None
        written += len(text)
        forbidden = forbidden or "\r" in raw or "\x00" in raw
    if forbidden:  # a lone surrogate anywhere is reported first
        raise _nul_or_cr(path, item)
    out.write(b"\n")
    return out.getvalue()


def _nul_or_cr(path: str, item: int | None) -> RejectedInput:
    return RejectedInput(RejectCode.INTERNAL, "the record holds a NUL or CR character: "
                         "please report this input", path=path, stage="write", item=item)


# A record's top-level "duplicate_of" line: top-level keys are the only ones
# indented by two spaces, and a string value holds no raw line break.
_DUPLICATE_OF = re.compile(rb'\n  "duplicate_of": (?:null|"(?:[^"\\\n]|\\.)*")(,?)\n')


def with_duplicate_of(data: bytes, duplicate_of: str | None) -> bytes:
    r"""A record's bytes with ``duplicate_of`` set: the bytes its model would give.

    The duplicate pass rewrites most records of a folder of near copies; editing
    the one line costs a fraction of parsing, validating and encoding a record.

    >>> with_duplicate_of(b'{\n  "id": "b",\n  "duplicate_of": null,\n  "x": 1\n}\n', "a")
    b'{\n  "id": "b",\n  "duplicate_of": "a",\n  "x": 1\n}\n'
    """
    value = json.dumps(duplicate_of, ensure_ascii=False).encode("utf-8")
    edited, found = _DUPLICATE_OF.subn(
        lambda m: b'\n  "duplicate_of": ' + value + m.group(1) + b"\n", data, count=1)
    if not found:
        raise ValueError("not a record: no top-level duplicate_of")
    return edited


def write_record(clean: Store, record_id: str, data: bytes) -> None:
    """Write one record (checked bytes) as ``CLEAN/<id>.json``."""
    clean.write_bytes(record_name(record_id), data)


def delete_record(clean: Store, record_id: str) -> None:
    """Remove one record file."""
    clean.delete(record_name(record_id))


def reject_row(err: RejectedInput, sha256: str | None) -> dict[str, Any]:
    """One line of ``_rejects.jsonl``."""
    return {"path": err.path, "item": err.item, "sha256": sha256, "stage": err.stage,
            "reason": err.code.value, "message": err.message}


def write_rejects(clean: Store, rows: Iterable[dict[str, Any]]) -> None:
    """Replace ``_rejects.jsonl`` with the current rejects, sorted by path and item."""
    ordered = sorted(rows, key=lambda r: (r["path"] or "", r["item"] or 0))
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in ordered)
    clean.write_text(REJECTS_FILE, text)


def write_json(clean: Store, rel: str, data: Any) -> None:
    """Write a run file (the run summary) as JSON."""
    clean.write_text(rel, dump_json(data))
