"""Bytes → text: BOM, then strict UTF-8, then a charset detector."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import RejectCode, RejectedInput


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def decode(data: bytes) -> Decoded:
    """Decode raw bytes (placeholder: UTF-8 then cp1252)."""
    if not data.strip():
        raise RejectedInput(RejectCode.EMPTY, "the input is empty or white space only")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return Decoded(data.decode("cp1252", errors="replace"), "cp1252")
