"""A run over a raw folder: plan the inputs, clean them batch by batch, sum up.

These functions hold the run's logic so that every edge — the Prefect flow,
the CLI, a test — calls the same code. Reading and writing go through
:mod:`pipeline.read` and :mod:`pipeline.write`.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.config import DEFAULT_CONFIG, Config
from pipeline.core import clean_bytes, record_stem
from pipeline.errors import RejectCode, RejectedInput
from pipeline.read import InputFile, discover, read_input
from pipeline.write import reject_row, write_record, write_rejects


@dataclass(frozen=True, slots=True)
class Planned:
    """An input and the id stem its records get (unique across the run)."""

    file: InputFile
    stem: str


@dataclass(slots=True)
class BatchResult:
    """What one batch did; results of batches add up with :func:`combine`."""

    files: int = 0
    records: int = 0
    removed: Counter[str] = field(default_factory=Counter)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    seconds: float = 0.0


def plan(raw: Path, *, follow_symlinks: bool = False) -> tuple[list[Planned], list[dict[str, Any]]]:
    """The inputs under ``raw`` with unique id stems, and the rows of inputs refused outright.

    Two inputs with the same stem (``a.txt`` and ``a.html``) both keep their
    records: the second and later get their extension appended (``a-html``).
    """
    files, refused = discover(raw, follow_symlinks=follow_symlinks)
    planned: list[Planned] = []
    taken: set[str] = set()
    for f in files:
        stem = record_stem(f.rel)
        if stem in taken:
            ext = "".join(Path(f.rel).suffixes).lstrip(".").replace(".", "-") or "file"
            stem = f"{stem}-{ext}"
        n = 2
        base = stem
        while stem in taken:
            stem, n = f"{base}-{n}", n + 1
        taken.add(stem)
        planned.append(Planned(f, stem))
    return planned, [reject_row(err, None) for err in refused]


def batches(planned: Sequence[Planned], size: int) -> list[list[Planned]]:
    """Consecutive batches of at most ``size`` inputs.

    >>> [len(b) for b in batches(list(range(5)), 2)]  # doctest: +SKIP
    [2, 2, 1]
    """
    return [list(planned[i:i + size]) for i in range(0, len(planned), size)]


def clean_batch(batch: Sequence[Planned], clean: Path, config: Config = DEFAULT_CONFIG
                ) -> BatchResult:
    """Clean and write every input of one batch; a bad input becomes a reject row."""
    started = time.perf_counter()
    result = BatchResult()
    for planned in batch:
        result.files += 1
        rel = planned.file.rel
        try:
            data = read_input(planned.file, max_bytes=config.limits.max_input_bytes)
        except RejectedInput as err:
            result.rejects.append(reject_row(err.at(rel), None))
            continue
        digest = hashlib.sha256(data).hexdigest()
        try:
            outcomes = clean_bytes(data, path=rel, stem=planned.stem, config=config)
        except Exception as exc:  # a bug must not stop the run: report it with the input
            err = RejectedInput(RejectCode.INTERNAL, f"{type(exc).__name__}: {exc}",
                                path=rel, stage="clean")
            result.rejects.append(reject_row(err, digest))
            continue
        for outcome in outcomes:
            if isinstance(outcome, RejectedInput):
                result.rejects.append(reject_row(outcome, digest))
                continue
            write_record(clean, outcome)
            result.records += 1
            result.ids.append(outcome.id)
            result.removed.update(r.reason.value for r in outcome.removed)
    result.seconds = time.perf_counter() - started
    return result


def combine(results: Iterable[BatchResult]) -> BatchResult:
    """The sum of several batch results."""
    total = BatchResult()
    for r in results:
        total.files += r.files
        total.records += r.records
        total.removed.update(r.removed)
        total.rejects.extend(r.rejects)
        total.ids.extend(r.ids)
        total.seconds += r.seconds
    return total


def finish(clean: Path, total: BatchResult, refused: Sequence[dict[str, Any]],
           config: Config = DEFAULT_CONFIG) -> dict[str, Any]:
    """Write the run's reject file and return its summary."""
    rejects = [*refused, *total.rejects]
    write_rejects(clean, rejects)
    return summary(total, rejects, config)


def summary(total: BatchResult, rejects: Sequence[dict[str, Any]], config: Config
            ) -> dict[str, Any]:
    """The run summary as plain data (printed by the CLI, an artifact in Prefect)."""
    return {
        "version": __version__,
        "config_hash": config.hash(),
        "files": total.files + sum(1 for r in rejects if r.get("stage") == "discover"),
        "records": total.records,
        "rejects": len(rejects),
        "removed_by_reason": dict(sorted(total.removed.items())),
        "rejects_by_reason": dict(sorted(Counter(r["reason"] for r in rejects).items())),
        "rejected": [f"{r['path']}{':' + str(r['item']) if r['item'] else ''}: "
                     f"{r['reason']}: {r['message']}" for r in rejects],
    }


def run_local(raw: Path, clean: Path, config: Config = DEFAULT_CONFIG) -> dict[str, Any]:
    """The whole run in this process, without Prefect (tests, ``newsclean run --no-prefect``)."""
    clean.mkdir(parents=True, exist_ok=True)
    planned, refused = plan(raw)
    total = combine(clean_batch(b, clean, config) for b in batches(planned, config.batch_size))
    return finish(clean, total, refused, config)
