"""Writer: records and run files into the clean folder, atomically (the only output I/O)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from pipeline.errors import RejectCode, RejectedInput

# the clean folder's naming rule is defined with the reader
from pipeline.reader import is_record_name as is_record_name
from pipeline.record import dump_json
from pipeline.storage import Store

REJECTS_FILE = "_rejects.jsonl"
# NUL or CR, raw or as a JSON escape (one not preceded by an escaped backslash):
# the stages remove both characters, so one left in a record is a defect.
_FORBIDDEN_ESCAPE = re.compile(r"[\r\x00]|(?<!\\)(?:\\\\)*\\(?:r|u0000)")


def record_name(record_id: str) -> str:
    """The file name of a record in the clean folder.

    >>> record_name("000_b965d56c7d7fc914")
    '000_b965d56c7d7fc914.json'
    """
    return f"{record_id}.json"


def checked_record_bytes(text: str, *, path: str, item: int | None = None) -> bytes:
    r"""The UTF-8 bytes of a record's JSON text, refusing text no reader should get.

    >>> checked_record_bytes('{"t": "é"}', path="x.txt")
    b'{"t": "\xc3\xa9"}'
    >>> checked_record_bytes('{"t": "a\\r"}', path="x.txt")
    Traceback (most recent call last):
    pipeline.errors.RejectedInput: x.txt: internal: the record holds a NUL or CR character: ...
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise RejectedInput(RejectCode.INTERNAL, "the record holds a lone surrogate at "
                            f"{err.start}: please report this input", path=path,
                            stage="write", item=item) from None
    if _FORBIDDEN_ESCAPE.search(text):
        raise RejectedInput(RejectCode.INTERNAL, "the record holds a NUL or CR character: "
                            "please report this input", path=path, stage="write", item=item)
    return data


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
