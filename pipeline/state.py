"""Run state in the clean folder: what each input gave last time, the run lock, run ids.

The records are the source of truth; the manifest only remembers, per input,
the sha256, pipeline version and config hash its records were made with, so
that an unchanged input is skipped. It lives in ``CLEAN/_state/``:
``manifest.json`` (rewritten atomically at the end of a run) and one
``done/<run-id>-<batch>.json`` per finished batch, merged into the manifest at
the end. A run killed half-way therefore leaves the batches it finished
recorded, and the next run redoes only the rest.

``duplicates.json`` keeps each record's fingerprint and ``duplicate_of`` as the
last duplicate pass left them, so that the next pass need not read every
record. It is exact only while present: a run removes it before it writes or
deletes any record and writes it again when its duplicate pass is over, so a
run killed in between leaves none and the next pass reads the records.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import socket
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pipeline.errors import NewscleanError, RejectCode
from pipeline.read import display_path
from pipeline.storage import Store

STATE_DIR = "_state"
MANIFEST = f"{STATE_DIR}/manifest.json"
DONE_DIR = f"{STATE_DIR}/done"
LOCK_FILE = f"{STATE_DIR}/lock"
DUPLICATES = f"{STATE_DIR}/duplicates.json"
RUNS_DIR = "_runs"
_FORMAT = 1
# Rejects that say more about the machine or the moment than about the input: an
# input rejected for one of these is tried again on the next run.
RETRIED_REJECTS = frozenset({RejectCode.TIMEOUT.value, RejectCode.MEMORY.value,
                             RejectCode.INTERNAL.value, RejectCode.UNREADABLE.value})


@dataclass(frozen=True, slots=True)
class Entry:
    """What one input gave: its records' ids and its reject rows, and what made them."""

    sha256: str
    stem: str
    version: str
    config_hash: str
    ids: tuple[str, ...] = ()
    rejects: tuple[dict[str, Any], ...] = ()

    def current(self, sha256: str, version: str, config_hash: str) -> bool:
        """Whether this entry was made from these bytes by this version and config.

        >>> e = Entry("ab", "a", "1.0", "c0")
        >>> e.current("ab", "1.0", "c0"), e.current("ab", "1.1", "c0")
        (True, False)
        """
        return (self.sha256, self.version, self.config_hash) == (sha256, version, config_hash)

    @property
    def retry(self) -> bool:
        """Whether a reject of this input was circumstantial and worth another try."""
        return any(r["reason"] in RETRIED_REJECTS for r in self.rejects)


@dataclass(slots=True)
class Manifest:
    """Entries by input path (relative to the raw root)."""

    entries: dict[str, Entry] = field(default_factory=dict)

    def to_json(self) -> str:
        """Deterministic UTF-8 JSON text of the manifest, one entry per input.

        A file name that is not valid UTF-8 is kept as its bytes in hex
        (``path_hex``) beside a readable ``path``, so that it comes back exactly.
        """
        rows = [_entry_data(rel, e) for rel, e in sorted(self.entries.items())]
        data = {"format": _FORMAT, "entries": rows}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse :meth:`to_json` output; an unknown format gives an empty manifest."""
        data = json.loads(text)
        if data.get("format") != _FORMAT:
            return cls()
        entries = {}
        for e in data["entries"]:
            rel = e["path"] if e.get("path_hex") is None else \
                bytes.fromhex(e["path_hex"]).decode("utf-8", "surrogateescape")
            entries[rel] = Entry(sha256=e["sha256"], stem=e["stem"], version=e["version"],
                                 config_hash=e["config_hash"], ids=tuple(e["ids"]),
                                 rejects=tuple(e["rejects"]))
        return cls(entries)


def _entry_data(rel: str, entry: Entry) -> dict[str, Any]:
    # the fields by name: dataclasses.asdict deep-copies every value, a tenth of a
    # second for 20,000 entries
    path = display_path(rel)
    return {"sha256": entry.sha256, "stem": entry.stem, "version": entry.version,
            "config_hash": entry.config_hash, "ids": list(entry.ids),
            "rejects": list(entry.rejects), "path": path,
            "path_hex": rel.encode("utf-8", "surrogateescape").hex() if path != rel else None}


def load(clean: Store) -> tuple[Manifest, list[str]]:
    """The manifest with every finished batch merged in, and the batch files merged.

    An unreadable file (a disk that filled up, a hand edit) is ignored: the
    inputs it covered are simply cleaned again.
    """
    manifest = Manifest()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        manifest = Manifest.from_json(clean.read_text(MANIFEST))
    return manifest, merge_batches(clean, manifest)


def merge_batches(clean: Store, manifest: Manifest, merged: Iterable[str] = ()) -> list[str]:
    """Merge into ``manifest`` the batch files not in ``merged`` (in name order: a run's
    after those of runs before it); return all the batch files it now includes.

    A run reads the manifest once, when it plans, and merges the batches it
    finished when it ends.
    """
    done = list(merged)
    seen = set(done)
    for name in sorted(n for n in clean.names(DONE_DIR) if n.endswith(".json")):
        rel = f"{DONE_DIR}/{name}"
        if rel in seen:
            continue
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            manifest.entries.update(Manifest.from_json(clean.read_text(rel)).entries)
        done.append(rel)
    return done


def save_batch(clean: Store, run_id: str, index: int, entries: dict[str, Entry]) -> None:
    """Record the entries of one finished batch."""
    clean.write_text(f"{DONE_DIR}/{run_id}-{index:06d}.json", Manifest(entries).to_json())


def save(clean: Store, manifest: Manifest, merged: Iterable[str]) -> None:
    """Write the manifest, then drop the batch files it now includes."""
    clean.write_text(MANIFEST, manifest.to_json())
    for rel in merged:
        clean.delete(rel)


# A record's fingerprint and duplicate_of, by record id.
Known = dict[str, tuple[str | None, str | None]]


def load_duplicates(clean: Store) -> Known | None:
    """What the last duplicate pass left, or None when that is not known (see above)."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = json.loads(clean.read_text(DUPLICATES))
        if data.get("format") == _FORMAT:
            return {rid: (fingerprint, of) for rid, (fingerprint, of) in data["records"].items()}
    return None


def save_duplicates(clean: Store, known: Known) -> None:
    """Write what a duplicate pass left: every record's fingerprint and duplicate_of."""
    data = {"format": _FORMAT, "records": {rid: list(v) for rid, v in sorted(known.items())}}
    clean.write_text(DUPLICATES, json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                     + "\n")


def forget_duplicates(clean: Store) -> None:
    """Remove the duplicates file: records are about to change."""
    clean.delete(DUPLICATES)


def new_run_id() -> str:
    """A run id that sorts by start time (UTC) and is unique across machines.

    >>> len(new_run_id())
    23
    """
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


class Locked(NewscleanError):
    """Another run holds the clean folder."""


def _lock_path(clean: Store) -> Path:
    root = clean.local_root
    if root is not None:
        return root / LOCK_FILE
    # A remote folder cannot hold an fcntl lock: runs on this machine share one
    # in the temporary folder; runs from other machines must be kept apart by
    # their scheduler (one deployment, concurrency limit 1).
    digest = hashlib.sha256(clean.url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "newsclean-locks" / f"{digest}.lock"


@contextlib.contextmanager
def lock(clean: Store, *, wait: bool = False) -> Iterator[None]:
    """Hold the clean folder for one run; refuse at once, or wait, when another run holds it."""
    path = _lock_path(clean)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh: IO[str] = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                raise Locked(f"{clean.url} is being written by another newsclean run "
                             f"({holder}); wait for it to finish, or pass --wait to queue "
                             "behind it") from None
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()} since "
                 f"{time.strftime('%Y-%m-%d %H:%M:%S')}")
        fh.flush()
        yield
    finally:
        fh.close()  # closing releases the lock
