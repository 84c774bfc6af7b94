"""Writer: records and run files into the clean folder, atomically (the only output I/O)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.errors import RejectedInput
from pipeline.record import Article, dump_json

REJECTS_FILE = "_rejects.jsonl"


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that ``path`` is always either the old file or the complete new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_record(clean: Path, article: Article) -> Path:
    """Write one record as ``CLEAN/<id>.json``."""
    path = clean / f"{article.id}.json"
    write_text_atomic(path, article.to_json())
    return path


def reject_row(err: RejectedInput, sha256: str | None) -> dict[str, Any]:
    """One line of ``_rejects.jsonl``."""
    return {"path": err.path, "item": err.item, "sha256": sha256, "stage": err.stage,
            "reason": err.code.value, "message": err.message}


def write_rejects(clean: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Replace ``_rejects.jsonl`` with this run's rejects, sorted by path and item."""
    ordered = sorted(rows, key=lambda r: (r["path"] or "", r["item"] or 0))
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in ordered)
    write_text_atomic(clean / REJECTS_FILE, text)


def write_json(path: Path, data: Any) -> None:
    """Write a run file (summary) as deterministic JSON."""
    write_text_atomic(path, dump_json(data))
