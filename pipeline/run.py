"""A run over a raw folder: plan the inputs, clean them batch by batch, sum up.

These functions hold the run's logic so that every edge — the Prefect flow,
the CLI, a test — calls the same code. Locations are local paths or fsspec
URLs (strings, so that batches travel to other processes and machines).
Reading and writing go through :mod:`pipeline.read` and :mod:`pipeline.write`;
each input is read, cleaned and written in a worker process under the time and
memory budget of ``config.limits`` (:mod:`pipeline.worker`), so locations must
be shared with those processes (a folder, or storage such as S3).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from pipeline import __version__, state
from pipeline.config import DEFAULT_CONFIG, Config
from pipeline.dedup import StartIndex, assign_duplicates
from pipeline.errors import RejectCode, RejectedInput, UsageError
from pipeline.read import (
    InputFile,
    PickledAsFields,
    discover,
    display_path,
    read_input,
    record_stem,
)
from pipeline.storage import Store, open_store
from pipeline.worker import Budget, WorkerFailure, shared_pool
from pipeline.write import (
    delete_record,
    is_record_name,
    record_bytes,
    record_name,
    reject_row,
    with_duplicate_of,
    write_json,
    write_record,
    write_rejects,
)

if TYPE_CHECKING:  # the cleaning stages load in the worker processes only
    from pipeline.document import Item

Progress = Callable[[int], None]
_CLEAN_FILE = "pipeline.run:clean_file"
_PRELOAD = ("pipeline.run", "pipeline.core")
_WARM_UP = "pipeline.run:warm_up"
# Below this many inputs to clean, one worker process does it all. Measured with
# bench/bench_run.py on 2 cores (bench/README.md, "run"): one worker or one per
# core take the same time up to ~50 inputs (start-up dominates), one per core
# wins from ~100 on (1.6 s against 1.9 s); one worker spares a core and its memory.
PARALLEL_FROM = 50
# The smallest batch the last round of a run is cut into (see :func:`batches`). On
# the 20,000 inputs of bench/bench_run.py, with whole batches, one worker went on
# alone for ~0.75 s at the end of a 26 s run; a batch of 100 takes ~0.2 s.
TAIL_BATCH_MIN = 100


class Runner(str, Enum):
    """How batches are spread over processes (``--runner``)."""

    AUTO = "auto"  # THREAD below PARALLEL_FROM inputs to clean, PROCESS from there on
    THREAD = "thread"  # batch tasks on threads of this process, one cleaning worker
    PROCESS = "process"  # one cleaning worker per core, batches on as many threads
    DASK = "dask"  # batch tasks on a Dask cluster (Prefect flow only)


@dataclass(frozen=True, slots=True)
class Planned(PickledAsFields):
    """An input to clean, the id stem its records get, and the ids it gave last time.

    ``reserved``: ids its items may not take, since an input earlier in path
    order has them (see :func:`settle_id_clashes`).
    """

    file: InputFile
    stem: str
    previous_ids: tuple[str, ...] = ()
    reserved: frozenset[str] = frozenset()


@dataclass(slots=True)
class Plan:
    """What a run has to do."""

    todo: list[Planned]
    inputs: list[str]  # every input found (paths relative to the raw root)
    unchanged: int = 0  # inputs skipped: same bytes, version and config as their records
    refused: list[dict[str, Any]] = field(default_factory=list)  # reject rows of discovery
    seconds: float = 0.0
    # each record's fingerprint and duplicate_of when planned, if known (state.load_duplicates)
    known: state.Known | None = None
    # the manifest as planned, and the batch files of earlier runs merged into it:
    # the run merges its own batches into it when it ends
    manifest: state.Manifest = field(default_factory=state.Manifest)
    merged: list[str] = field(default_factory=list)


class Checked(NamedTuple):
    """One record as a worker writes it: its id, its fingerprint, its checked bytes."""

    id: str
    fingerprint: str | None
    data: bytes


@dataclass(slots=True)
class Cleaned:
    """What one input gave in a worker: its records, removals, rejects."""

    sha256: str
    records: list[Checked] = field(default_factory=list)
    removed: Counter[str] = field(default_factory=Counter)
    rejects: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Done(PickledAsFields):
    """What cleaning one input left: the id, fingerprint and duplicate_of of each record
    written, removals, rejects, and how many of the run's starts its worker has."""

    sha256: str | None
    written: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    removed: Counter[str] = field(default_factory=Counter)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    starts_received: int | None = None


class Starts(NamedTuple):
    """Starts of duplicate groups (id, fingerprint) that a run has written, sent to a worker
    with an input: ``entries[n]`` is the run's start number ``offset + n``."""

    run_id: str
    offset: int
    entries: tuple[tuple[str, str], ...] = ()


class RunStarts:
    """The starts of duplicate groups that one run's inputs have written so far.

    Records are written with a guessed ``duplicate_of`` (:class:`StartIndex`),
    which spares the duplicate pass rewriting them. Each batch sends its worker
    the starts it lacks, those written by the other workers included, along
    with its inputs: only the new ones, since each answer says how many the
    worker has.
    """

    def __init__(self, run_id: str, capacity: int) -> None:
        self.run_id = run_id
        self.capacity = capacity  # a worker keeps no more
        self._entries: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def add(self, entries: Iterable[tuple[str, str]]) -> None:
        with self._lock:
            self._entries.extend(itertools.islice(entries, self.capacity - len(self._entries)))

    def since(self, received: int | None) -> Starts:
        """The starts after the first ``received``; none when that is not known yet."""
        if received is None:
            return Starts(self.run_id, 0)
        with self._lock:
            return Starts(self.run_id, received, tuple(self._entries[received:]))


@dataclass(slots=True)
class _KnownStarts:
    """What a worker process knows of a run's starts: the run's list as far as it received it,
    and the starts it wrote itself."""

    index: StartIndex
    received: int = 0

    def take(self, news: Starts) -> None:
        if news.offset > self.received:  # some are missing: its answer says from where
            return
        for record_id, fingerprint in news.entries[self.received - news.offset:]:
            self.index.add(record_id, fingerprint)
        self.received = max(self.received, news.offset + len(news.entries))


_RUNS_KEPT = 4  # runs whose starts a process keeps (runs of one process rarely overlap)
_by_run: dict[str, Any] = {}
_by_run_lock = threading.Lock()
_T = TypeVar("_T")
_R = TypeVar("_R")


def _of_run(kind: type[_T], run_id: str, make: Callable[[], _T]) -> _T:
    """This process's ``kind`` object for a run, made on first use; old runs' are dropped."""
    with _by_run_lock:
        key = f"{kind.__name__}:{run_id}"
        if key not in _by_run:
            if len(_by_run) >= _RUNS_KEPT:
                del _by_run[next(iter(_by_run))]
            _by_run[key] = make()
        found: _T = _by_run[key]
        return found


def run_starts(run_id: str, config: Config) -> RunStarts:
    """The run's starts in this process, shared by its batch threads (the flow's too)."""
    return _of_run(RunStarts, run_id, lambda: RunStarts(run_id, config.duplicate_guess_starts))


@dataclass(slots=True)
class BatchResult:
    """What one batch did; results of batches add up with :func:`combine`."""

    files: int = 0
    records: int = 0
    written: state.Known = field(default_factory=dict)  # records written, as the pass knows them
    # ids the batch's inputs had before: a worker that failed may have rewritten their files
    touched: set[str] = field(default_factory=set)
    removed: Counter[str] = field(default_factory=Counter)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def _unique_stem(stem: str, rel: str, taken: set[str]) -> str:
    if stem in taken:
        ext = "".join(PurePosixPath(rel).suffixes).lstrip(".").replace(".", "-")
        stem = f"{stem}-{ext}" if ext else stem
    base, n = stem, 2
    while stem in taken:
        stem, n = f"{base}-{n}", n + 1
    taken.add(stem)
    return stem


def _sha256(raw: Store, rel: str) -> str | None:
    try:
        return hashlib.sha256(raw.read_bytes(rel)).hexdigest()
    except OSError:
        return None


def _digests(raw: Store, files: Sequence[InputFile]) -> list[str | None]:
    """The sha256 of each file, on as many threads as the store has reads in flight."""
    return _in_slices(lambda part: [_sha256(raw, f.rel) for f in part], files,
                      raw.concurrent_reads)


def _in_slices(work: Callable[[Sequence[_T]], list[_R]], items: Sequence[_T],
               threads: int) -> list[_R]:
    """``work(items)`` run on up to ``threads`` threads, a consecutive slice each, in order.

    A slice per thread: one future per item would cost more than a hash or a
    small file's rewrite.

    >>> _in_slices(lambda part: [x * 2 for x in part], [1, 2, 3, 4, 5], 2)
    [2, 4, 6, 8, 10]
    """
    threads = min(threads, len(items))
    if threads <= 1:
        return work(items)
    share = math.ceil(len(items) / threads)
    with ThreadPoolExecutor(threads) as pool:
        parts = pool.map(work, [items[i:i + share] for i in range(0, len(items), share)])
        return list(itertools.chain.from_iterable(parts))


def plan(raw: str, clean: str, config: Config = DEFAULT_CONFIG, *, follow_symlinks: bool = False,
         force: bool = False) -> Plan:
    """The inputs under ``raw`` still to clean into ``clean``, with unique, stable id stems.

    An input is skipped when its bytes, the pipeline version and the config hash
    are those its records were made with, and those records are all present.
    Stems given in earlier runs are kept, so that an input added later (``a.html``
    beside ``a.txt``) never renames existing records; a new input whose stem is
    taken gets its extension appended (``a-html``), then a number.
    """
    started = time.perf_counter()
    raw_store, clean_store = open_store(raw), open_store(clean)
    files, refused = discover(raw_store, follow_symlinks=follow_symlinks)
    # under the run lock: a temporary file now can only be a killed writer's
    clean_store.sweep(("", state.STATE_DIR, state.DONE_DIR, state.RUNS_DIR))
    manifest, merged = state.load(clean_store)
    entries = manifest.entries
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for f in files:  # earlier stems first
        entry = entries.get(f.rel)
        if entry is not None and entry.stem not in taken:
            stems[f.rel] = entry.stem
            taken.add(entry.stem)
    for f in files:
        if f.rel not in stems:
            stems[f.rel] = _unique_stem(record_stem(display_path(f.rel)), f.rel, taken)

    version, config_hash = __version__, config.hash()
    present = clean_store.names()
    candidates = [] if force else [
        f for f in files
        if (e := entries.get(f.rel)) is not None and e.sha256 and e.stem == stems[f.rel]
        and e.version == version and e.config_hash == config_hash and not e.retry
        and all(record_name(i) in present for i in e.ids)]
    digests = dict(zip((f.rel for f in candidates), _digests(raw_store, candidates), strict=True))
    todo = []
    for f in files:
        entry = entries.get(f.rel)
        if entry is not None and digests.get(f.rel) == entry.sha256:
            continue
        todo.append(Planned(f, stems[f.rel], entry.ids if entry else ()))
    known = state.load_duplicates(clean_store)
    if todo:
        state.forget_duplicates(clean_store)
    return Plan(todo=todo, inputs=[f.rel for f in files], unchanged=len(files) - len(todo),
                refused=[reject_row(err, None) for err in refused],
                seconds=time.perf_counter() - started, known=known, manifest=manifest,
                merged=merged)


def choose_workers(runner: Runner, todo: int, config: Config = DEFAULT_CONFIG) -> int:
    """How many cleaning worker processes a run on this machine uses.

    >>> choose_workers(Runner.THREAD, 10_000), choose_workers(Runner.AUTO, 3)
    (1, 1)
    """
    cores = config.workers or os.cpu_count() or 1
    if runner is Runner.THREAD or (runner is Runner.AUTO and todo < PARALLEL_FROM):
        return 1
    return cores


def batches(planned: Sequence[Planned], size: int, workers: int = 1) -> list[list[Planned]]:
    """Consecutive batches of at most ``size`` inputs, for ``workers`` processes that each
    take the next batch when done with one.

    The batches are as even as they can be, and as many as a multiple of
    ``workers`` when there are enough inputs: each worker then gets the same
    share. Inputs do not all take the same time, so with several workers the
    last round is cut smaller and smaller (guided self-scheduling): each piece
    takes ``1 / (2 × workers)`` of what is left of the round, down to
    :data:`TAIL_BATCH_MIN` inputs. The workers then finish within a small batch
    of each other, where a whole last batch could keep one of them going alone.

    >>> [len(b) for b in batches(list(range(5)), 2)]
    [2, 2, 1]
    >>> [len(b) for b in batches(list(range(2500)), 1000, workers=2)]
    [625, 625, 313, 235, 176, 132, 100, 100, 100, 94]
    """
    if not planned:
        return []
    workers = max(1, workers)
    count = min(len(planned), workers * math.ceil(len(planned) / (size * workers)))
    small, larger = divmod(len(planned), count)  # the first ``larger`` get one more
    sizes = [small + (i < larger) for i in range(count)]
    # (a round of batches under twice the smallest piece is left even: cut, it would give
    # one worker more than an even share)
    if workers > 1 and count >= workers and sizes[-1] >= 2 * TAIL_BATCH_MIN:
        left = sum(sizes[-workers:])
        del sizes[-workers:]
        while left:
            piece = min(left, max(TAIL_BATCH_MIN, math.ceil(left / (2 * workers))))
            sizes.append(piece)
            left -= piece
    bounds = itertools.accumulate(sizes, initial=0)
    return [list(planned[a:b]) for a, b in itertools.pairwise(bounds)]


def clean_input(items: list[Item | RejectedInput], *, path: str, stem: str, sha256: str,
                config: Config, reserved: frozenset[str] = frozenset()) -> Cleaned:
    """Records (checked JSON bytes) and rejects of one unpacked input; runs in a worker process.

    ``items`` is handed over and emptied (see :func:`pipeline.core.clean_items`);
    ``sha256`` is the digest of the input's bytes.
    """
    from pipeline.core import clean_items

    cleaned = Cleaned(sha256)
    for outcome in clean_items(items, path=path, stem=stem, sha256=sha256, config=config,
                               reserved=reserved):
        if isinstance(outcome, RejectedInput):
            cleaned.rejects.append(reject_row(outcome, sha256))
            continue
        try:
            blob = record_bytes(outcome, path=path, item=None)
        except RejectedInput as err:
            cleaned.rejects.append(reject_row(err, sha256))
            continue
        cleaned.records.append(Checked(outcome.id, outcome.fingerprint, blob))
        cleaned.removed.update(r.reason.value for r in outcome.removed)
    return cleaned


def clean_file(raw: str, clean: str, planned: Planned, *, config: Config,
               starts: Starts | None = None) -> Done:
    """Read one input, clean it and write its records; runs in a worker process.

    The worker reads and writes itself, so that an input's bytes and its records
    never travel between processes: the caller only sends what to do and
    receives the ids written. Records the input gave before and no longer gives
    are removed with it (an input whose items now fail keeps them: see the reject),
    except those reserved to another input. ``starts``: the run's starts of
    duplicate groups this worker lacks; records are then written with a guessed
    ``duplicate_of`` (:class:`RunStarts`), and those that start a group join them.
    """
    from pipeline.formats import unpack

    path = display_path(planned.file.rel)
    try:
        data = read_input(open_store(raw), planned.file, max_bytes=config.limits.max_input_bytes)
    except RejectedInput as err:
        return Done(None, rejects=[reject_row(err.at(path), None)])
    digest = hashlib.sha256(data).hexdigest()
    items = unpack(data, path, config)
    del data  # the items hold the decoded text: the bytes are not needed any more
    cleaned = clean_input(items, path=path, stem=planned.stem, sha256=digest, config=config,
                          reserved=planned.reserved)
    known = None
    if starts is not None:
        known = _of_run(_KnownStarts, starts.run_id, lambda: _KnownStarts(
            StartIndex(config.near_duplicate_bits, config.duplicate_guess_starts)))
        known.take(starts)
    clean_store = open_store(clean)
    written = []
    for record in cleaned.records:
        data, duplicate_of = record.data, None
        if known is not None and record.fingerprint is not None:
            duplicate_of = known.index.guess(record.id, record.fingerprint)
            if duplicate_of is None:
                known.index.add(record.id, record.fingerprint)
            else:
                data = with_duplicate_of(data, duplicate_of)
        write_record(clean_store, record.id, data)
        written.append((record.id, record.fingerprint, duplicate_of))
    if written:  # an input that now gives fewer items: its extra records go
        ids = {record_id for record_id, _, _ in written}
        for stale in sorted(set(planned.previous_ids) - ids - planned.reserved):
            delete_record(clean_store, stale)
    return Done(cleaned.sha256, written, cleaned.removed, cleaned.rejects,
                None if known is None else known.received)


def warm_up() -> None:
    """Clean a small document once, so that lazily loaded models never count against an input."""
    from pipeline.core import clean_bytes

    clean_bytes(_WARM_UP_TEXT.encode(), path="warm-up.txt")


_WARM_UP_TEXT = """Titre d’un article de presse

Le conseil municipal a voté mardi soir le budget de l’année prochaine, après un long débat.

The city council voted on Tuesday evening for next year's budget, after a long debate.

Publié le 2 mars 2024 à 10:15 par Jeanne Martin · Partager · Lire aussi
"""


_FAILURE_CODES = {"timeout": RejectCode.TIMEOUT, "memory": RejectCode.MEMORY}
_FAILURE_HINTS = {
    RejectCode.TIMEOUT: "; raise limits.seconds_per_input if the input is genuine",
    RejectCode.MEMORY: "; raise limits.memory_per_worker_mb if the input is genuine",
}


def _failed(failure: WorkerFailure, raw: Store, planned: Planned, config: Config) -> Done:
    """The reject of an input its worker gave no answer for.

    Its digest, lost with the worker, is taken here for the reject row and the
    manifest (a timeout or a memory failure is tried again next run anyway).
    """
    path = display_path(planned.file.rel)
    code = _FAILURE_CODES.get(failure.kind, RejectCode.INTERNAL)
    hint = _FAILURE_HINTS.get(code, "; please report this input")
    err = RejectedInput(code, failure.message + hint, path=path, stage="clean")
    try:
        digest: str | None = hashlib.sha256(
            read_input(raw, planned.file, max_bytes=config.limits.max_input_bytes)).hexdigest()
    except RejectedInput:
        digest = None
    return Done(digest, rejects=[reject_row(err, digest)])


def clean_batch(batch: Sequence[Planned], raw: str, clean: str, config: Config = DEFAULT_CONFIG,
                *, run_id: str = "", index: int = 0, workers: int = 1,
                progress: Progress | None = None) -> BatchResult:
    """Clean and write every input of one batch; a bad input becomes a reject row.

    Each input is read, cleaned and its records written in a worker process
    within its budget (:func:`clean_file`); this side sends the inputs and
    keeps count. The batch's manifest entries are saved when it ends, after
    its records. ``workers`` bounds the worker processes of this process (0:
    one per core).
    """
    started = time.perf_counter()
    raw_store, clean_store = open_store(raw), open_store(clean)
    version, config_hash = __version__, config.hash()
    budget = Budget(config.limits.seconds_per_input, config.limits.memory_per_worker_mb)
    pool = shared_pool(workers or os.cpu_count() or 1, budget, _PRELOAD, _WARM_UP)
    result = BatchResult()
    entries: dict[str, state.Entry] = {}
    starts = run_starts(run_id, config) if run_id and config.duplicate_guess_starts else None
    received: int | None = None  # how many of the run's starts the worker said it has
    # a job is made when the one before it is sent, so from the third one on, it knows
    # what the worker answered for the one before that
    jobs = (((raw, clean, planned),
             {"config": config, "starts": starts.since(received) if starts else None})
            for planned in batch)
    for planned, outcome in zip(batch, pool.map(_CLEAN_FILE, jobs), strict=True):
        done = (_failed(outcome, raw_store, planned, config)
                if isinstance(outcome, WorkerFailure) else outcome)
        received = done.starts_received
        result.files += 1
        result.records += len(done.written)
        result.touched.update(planned.previous_ids)
        # as written: the duplicate pass rewrites those whose duplicate_of it changes
        result.written.update((record_id, (fingerprint, duplicate_of))
                              for record_id, fingerprint, duplicate_of in done.written)
        if starts is not None:
            starts.add((record_id, fingerprint) for record_id, fingerprint, duplicate_of
                       in done.written if fingerprint is not None and duplicate_of is None)
        result.removed.update(done.removed)
        result.rejects.extend(done.rejects)
        entries[planned.file.rel] = state.Entry(
            sha256=done.sha256 or "", stem=planned.stem, version=version,
            config_hash=config_hash, ids=tuple(record_id for record_id, _, _ in done.written),
            rejects=tuple(done.rejects))
        if progress is not None:
            progress(1)
    if entries and run_id:
        state.save_batch(clean_store, run_id, index, entries)
    result.seconds = time.perf_counter() - started
    return result


def combine(results: Iterable[BatchResult]) -> BatchResult:
    """The sum of several batch results."""
    total = BatchResult()
    for r in results:
        total.files += r.files
        total.records += r.records
        total.written.update(r.written)
        total.touched.update(r.touched)
        total.removed.update(r.removed)
        total.rejects.extend(r.rejects)
        total.seconds += r.seconds
    return total


def finish(raw: str, clean: str, the_plan: Plan, total: BatchResult,
           config: Config = DEFAULT_CONFIG, *, run_id: str, started: float, prune: bool = False,
           runner: Runner = Runner.AUTO, workers: int = 1) -> dict[str, Any]:
    """Settle id clashes, merge the manifest, write the rejects file and the run summary.

    Records of inputs that left the raw folder are kept unless ``prune``; the
    summary lists them either way. Returns the summary.
    """
    clean_store = open_store(clean)
    manifest = the_plan.manifest
    merged = state.merge_batches(clean_store, manifest, the_plan.merged)
    clashes, redone = settle_id_clashes(raw, clean, the_plan, manifest, config, run_id=run_id,
                                        workers=workers)
    if clashes:  # their inputs were cleaned again
        merged = state.merge_batches(clean_store, manifest, merged)
        total.written.update(redone.written)
        total.touched.update(redone.touched)
    current = set(the_plan.inputs)
    gone = sorted(rel for rel in manifest.entries if rel not in current)
    owned = {i for rel in current if (e := manifest.entries.get(rel)) for i in e.ids}
    orphans = sorted(n[:-len(".json")] for n in clean_store.names()
                     if is_record_name(n) and n[:-len(".json")] not in owned)
    pruned: list[str] = []
    if prune:
        if orphans:
            state.forget_duplicates(clean_store)
        for record_id in orphans:
            delete_record(clean_store, record_id)
        for rel in gone:
            del manifest.entries[rel]
        pruned, orphans = orphans, []
    if merged or (prune and gone):  # else the manifest is the file as it was read
        state.save(clean_store, manifest, merged)
    duplicates = 0
    if the_plan.todo or pruned or the_plan.known is None:  # records changed, or not known
        # what the last pass left holds for the records no input of this run had
        untouched = {rid: v for rid, v in (the_plan.known or {}).items()
                     if rid not in total.touched}
        duplicates = mark_duplicates(clean_store, config, known={**untouched, **total.written})
    rejects = [*the_plan.refused,
               *(r for rel in the_plan.inputs if (e := manifest.entries.get(rel))
                 for r in e.rejects)]
    write_rejects(clean_store, rejects)
    data = summary(the_plan, total, rejects, config, run_id=run_id, gone=gone, kept=orphans,
                   pruned=pruned, records_total=len(owned), runner=runner, workers=workers,
                   seconds=time.perf_counter() - started, duplicates_changed=duplicates,
                   id_clashes=clashes)
    write_json(clean_store, f"{state.RUNS_DIR}/{run_id}.json", data)
    return data


def settle_id_clashes(raw: str, clean: str, the_plan: Plan, manifest: state.Manifest,
                      config: Config = DEFAULT_CONFIG, *, run_id: str, workers: int = 1
                      ) -> tuple[int, BatchResult]:
    """Clean again the inputs whose records claim one id; return how many ids clashed,
    and what cleaning them again did.

    ``manifest``: the entries of every input, this run's included. A JSON
    item's own id can come again in another input (a feed saved twice).
    The input first in path order keeps the id; the others are cleaned again
    with it reserved, so that their items get their positional ids (flag
    ``id-taken``), and the first is cleaned again too, since either may have
    written the record file last. Positional ids hold the input's unique stem,
    so the second cleaning makes no new clash.
    """
    claims: dict[str, list[str]] = {}  # id -> the inputs whose records have it, in path order
    for rel in the_plan.inputs:
        if (entry := manifest.entries.get(rel)) is not None:
            for record_id in entry.ids:
                claims.setdefault(record_id, []).append(rel)
    reserved: dict[str, set[str]] = {}
    clashes = 0
    for record_id, rels in claims.items():
        if len(rels) > 1:
            clashes += 1
            reserved.setdefault(rels[0], set())
            for rel in rels[1:]:
                reserved.setdefault(rel, set()).add(record_id)
    if not reserved:
        return 0, BatchResult()
    again = [Planned(InputFile(rel), manifest.entries[rel].stem, manifest.entries[rel].ids,
                     frozenset(reserved[rel]))
             for rel in the_plan.inputs if rel in reserved]
    # its batch file sorts after the run's batches (never more of them than inputs)
    redone = clean_batch(again, raw, clean, config, run_id=run_id, index=len(the_plan.inputs),
                         workers=workers)
    return clashes, redone


def mark_duplicates(clean_store: Store, config: Config = DEFAULT_CONFIG, *,
                    known: state.Known | None = None) -> int:
    """Set ``duplicate_of`` on every record in the clean folder; return how many changed.

    Runs once after the batches, over this run's records and those already in
    the folder: a new record with a smaller id can start an existing group.
    The assignment depends only on the set of records, so a run that changed
    none skips it. Only records whose value changes are rewritten.

    ``known``: fingerprint and duplicate_of of records as they are in the folder
    (this run's, and what the last pass left); only the others are read. What
    the pass leaves is saved for the next one (:func:`state.save_duplicates`).
    """
    known = known or {}
    current: state.Known = {}
    for name in sorted(clean_store.names()):
        if is_record_name(name):
            rid = name[:-len(".json")]
            if rid in known:
                current[rid] = known[rid]
            else:
                data = json.loads(clean_store.read_bytes(name))
                current[rid] = (data.get("fingerprint"), data.get("duplicate_of"))
    wanted = assign_duplicates(((rid, fp) for rid, (fp, _) in current.items()),
                               threshold=config.near_duplicate_bits)
    changes = [(rid, wanted.get(rid)) for rid, (_, was) in current.items()
               if wanted.get(rid) != was]

    def rewrite(part: Sequence[tuple[str, str | None]]) -> list[str]:
        """Rewrite these records with their new duplicate_of; their ids."""
        for rid, duplicate_of in part:
            data = clean_store.read_bytes(record_name(rid))
            write_record(clean_store, rid, with_duplicate_of(data, duplicate_of))
        return [rid for rid, _ in part]

    # a folder of near copies rewrites most of its records: replacing a file costs
    # the disk more than creating one, and two threads overlap those waits
    rewritten = _in_slices(rewrite, changes, clean_store.concurrent_writes)
    for rid, duplicate_of in changes:
        current[rid] = (current[rid][0], duplicate_of)
    state.save_duplicates(clean_store, current)
    return len(rewritten)


def summary(the_plan: Plan, total: BatchResult, rejects: Sequence[dict[str, Any]],
            config: Config, *, run_id: str, gone: Sequence[str] = (), kept: Sequence[str] = (),
            pruned: Sequence[str] = (), records_total: int = 0, runner: Runner = Runner.AUTO,
            workers: int = 1, seconds: float = 0.0, duplicates_changed: int = 0,
            id_clashes: int = 0
            ) -> dict[str, Any]:
    """The run summary as plain data (printed by the CLI, an artifact in Prefect, a run file)."""
    return {
        "run_id": run_id,
        "version": __version__,
        "config_hash": config.hash(),
        "config": config.model_dump(mode="json"),
        "runner": runner.value,
        "workers": workers,
        "files": len(the_plan.inputs) + len(the_plan.refused),
        "cleaned": total.files,
        "unchanged": the_plan.unchanged,
        "records": total.records,
        "records_total": records_total,
        "duplicate_of_changed": duplicates_changed,
        "id_clashes": id_clashes,
        "rejects": len(rejects),
        "removed_by_reason": dict(sorted(total.removed.items())),
        "rejects_by_reason": dict(sorted(Counter(r["reason"] for r in rejects).items())),
        "rejected": [f"{r['path']}{':' + str(r['item']) if r['item'] else ''}: "
                     f"{r['reason']}: {r['message']}" for r in rejects],
        "gone": list(gone),
        "kept_without_input": list(kept),
        "pruned": list(pruned),
        "seconds": {"plan": round(the_plan.seconds, 3), "clean": round(total.seconds, 3),
                    "total": round(seconds, 3)},
    }


def check_locations(raw: str, clean: str) -> None:
    """Refuse a raw location that is not a folder, a clean folder inside the raw one, and
    storage that worker processes cannot see."""
    raw_store = open_store(raw)
    for location in (raw, clean):
        if not open_store(location).shared:
            raise UsageError(f"{location} lives in this process only: worker processes read "
                             "and write the files themselves; use a folder or shared storage")
    if not raw_store.is_folder():
        raise UsageError(f"{raw} is not a folder: give the folder of raw scrapes "
                         "(a local path or a URL such as s3://bucket/raw)")
    raw_root, clean_root = raw_store.local_root, open_store(clean).local_root
    if raw_root is not None and clean_root is not None and \
            clean_root.resolve().is_relative_to(raw_root.resolve()):
        raise UsageError(f"{clean} is inside {raw}: its records would be read as inputs; "
                         "choose a clean folder outside the raw one")


class Prepared(NamedTuple):
    """A run whose lock is held and whose inputs are planned, in batches for its workers."""

    run_id: str
    started: float
    plan: Plan
    workers: int
    batches: list[list[Planned]]


class PlanInputs(Protocol):
    """:func:`plan`, or what stands for it (the flow's retried task)."""

    def __call__(self, raw: str, clean: str, config: Config, *, follow_symlinks: bool,
                 force: bool) -> Plan: ...


@contextmanager
def prepared_run(raw: str, clean: str, config: Config, *, runner: Runner,
                 follow_symlinks: bool = False, force: bool = False, wait: bool = False,
                 on_plan: Callable[[Plan], None] | None = None,
                 plan_inputs: PlanInputs = plan) -> Iterator[Prepared]:
    """What every run does before its batches, the run lock held until the block ends:
    the locations checked, the inputs planned (by ``plan_inputs``: the flow's is a
    retried task), the workers chosen and the batches cut. The batches and
    :func:`finish` are the caller's: in this process or on Prefect's task runner."""
    started = time.perf_counter()
    check_locations(raw, clean)
    open_store(clean).make_root()
    run_id = state.new_run_id()
    with state.lock(open_store(clean), wait=wait):
        the_plan = plan_inputs(raw, clean, config, follow_symlinks=follow_symlinks, force=force)
        if on_plan is not None:
            on_plan(the_plan)
        workers = choose_workers(runner, len(the_plan.todo), config)
        yield Prepared(run_id, started, the_plan, workers,
                       batches(the_plan.todo, config.batch_size, workers))


def run_local(raw: str, clean: str, config: Config = DEFAULT_CONFIG, *,
              runner: Runner = Runner.AUTO, follow_symlinks: bool = False, force: bool = False,
              prune: bool = False, wait: bool = False, progress: Progress | None = None,
              on_plan: Callable[[Plan], None] | None = None) -> dict[str, Any]:
    """The whole run in this process, without Prefect (``newsclean run --no-prefect``, tests)."""
    if runner is Runner.DASK:
        raise UsageError("--runner dask needs the Prefect flow: drop --no-prefect")
    with prepared_run(raw, clean, config, runner=runner, follow_symlinks=follow_symlinks,
                      force=force, wait=wait, on_plan=on_plan) as run:
        with ThreadPoolExecutor(run.workers) as pool:
            results = list(pool.map(
                lambda ib: clean_batch(ib[1], raw, clean, config, run_id=run.run_id,
                                       index=ib[0], workers=run.workers, progress=progress),
                enumerate(run.batches)))
        return finish(raw, clean, run.plan, combine(results), config, run_id=run.run_id,
                      started=run.started, prune=prune, runner=runner, workers=run.workers)
