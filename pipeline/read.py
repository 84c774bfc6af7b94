"""Reader: find input files under the raw root and read their bytes (the only input I/O)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import RejectCode, RejectedInput


@dataclass(frozen=True, slots=True, order=True)
class InputFile:
    """One input: its path relative to the raw root ('/'-separated) and on disk."""

    rel: str
    path: Path


def discover(raw: Path, *, follow_symlinks: bool = False
             ) -> tuple[list[InputFile], list[RejectedInput]]:
    """Every regular file under ``raw``, sorted; links out of ``raw`` are rejected, not followed.

    Hidden files and folders (a leading '.') are skipped: editors and sync tools
    keep their state there.
    """
    root = raw.resolve()
    found: list[InputFile] = []
    rejects: list[RejectedInput] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow_symlinks):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink() and not follow_symlinks:
                target = path.resolve()
                if not target.is_relative_to(root):
                    rejects.append(RejectedInput(
                        RejectCode.SYMLINK, f"links outside the raw folder to {target}; "
                        "use --follow-symlinks to read it", path=rel))
                    continue
            if path.is_file():
                found.append(InputFile(rel, path))
    return sorted(found), rejects


def read_input(item: InputFile, *, max_bytes: int) -> bytes:
    """The raw bytes of one input, refusing files over ``max_bytes``."""
    try:
        size = item.path.stat().st_size
        if size > max_bytes:
            raise RejectedInput(RejectCode.TOO_LARGE, f"{size} bytes is over the limit of "
                                f"{max_bytes}; raise limits.max_input_bytes", path=item.rel)
        with item.path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except OSError as err:
        raise RejectedInput(RejectCode.UNREADABLE, f"cannot read: {err.strerror or err}",
                            path=item.rel) from err
