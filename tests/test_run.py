"""Runs: incremental, deterministic, crash-safe, locked, and tidy about removed inputs."""

from __future__ import annotations

import functools
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import config as config_module
from pipeline import run, state
from pipeline.config import DEFAULT_CONFIG, Config, Limits, Typography
from pipeline.read import InputFile, PickledAsFields
from pipeline.run import Planned, Runner, batches, choose_workers, run_local
from pipeline.storage import LocalStore, open_store
from tests.fixtures.bad import make

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "raw").iterdir())


def records(clean: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(clean.glob("*.json"))}


def rejects(clean: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (clean / "_rejects.jsonl").read_text().splitlines()]


def go(raw: Path, clean: Path, config: Config = DEFAULT_CONFIG, **options: Any
       ) -> dict[str, Any]:
    return run_local(str(raw), str(clean), config, **options)


def test_an_unchanged_rerun_cleans_nothing_and_rewrites_nothing(raw: Path, tmp_path: Path
                                                               ) -> None:
    clean = tmp_path / "clean"
    first = go(raw, clean)
    assert (first["cleaned"], first["unchanged"], first["records"]) == (5, 0, 5)
    kept = [*clean.glob("*.json"), clean / state.MANIFEST, clean / state.DUPLICATES]

    def stamps() -> dict[str, tuple[int, int]]:  # a file replaced gets a new inode
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in kept}

    before = stamps()
    again = go(raw, clean)
    assert (again["cleaned"], again["unchanged"], again["records"]) == (0, 5, 0)
    assert again["records_total"] == 5
    assert stamps() == before


def test_a_changed_input_is_cleaned_again(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    go(raw, clean)
    changed = raw / SAMPLES[2].name
    changed.write_bytes(changed.read_bytes() + "\nUne phrase ajoutée à la fin.\n".encode())
    summary = go(raw, clean)
    assert (summary["cleaned"], summary["unchanged"]) == (1, 4)
    record = json.loads((clean / f"{changed.stem}.json").read_text())
    assert "Une phrase ajoutée à la fin." in json.dumps(record, ensure_ascii=False)


@pytest.mark.parametrize("change", [
    pytest.param({"config": Config(typography=Typography.FR)}, id="config"),
    pytest.param({"version": "999.0"}, id="version"),
    pytest.param({"rules": "an edited word list"}, id="rules"),
    pytest.param({"force": True}, id="force"),
])
def test_a_new_config_or_version_or_force_cleans_everything(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any]
) -> None:
    clean = tmp_path / "clean"
    go(raw, clean)
    if "version" in change:
        monkeypatch.setattr(run, "__version__", change["version"])
    if "rules" in change:
        # the rule files' digest is part of the settings' hash (a fresh cache of it,
        # so that the hashes of this test stay in this test)
        monkeypatch.setattr(config_module, "rules_digest", lambda: change["rules"])
        monkeypatch.setattr(config_module, "_settings_hash",
                            functools.lru_cache(config_module._settings_hash.__wrapped__))
    summary = go(raw, clean, change.get("config", Config()), force=change.get("force", False))
    assert (summary["cleaned"], summary["unchanged"]) == (5, 0)


def test_run_settings_do_not_force_a_rerun(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    go(raw, clean)
    summary = go(raw, clean, Config(batch_size=1, workers=2), runner=Runner.PROCESS)
    assert (summary["cleaned"], summary["unchanged"]) == (0, 5)


def test_a_full_rerun_gives_byte_identical_records(raw: Path, tmp_path: Path) -> None:
    go(raw, tmp_path / "a", runner=Runner.THREAD)
    go(raw, tmp_path / "b", Config(batch_size=2), runner=Runner.PROCESS)
    first = records(tmp_path / "a")
    go(raw, tmp_path / "a", force=True)
    assert records(tmp_path / "a") == first == records(tmp_path / "b")
    assert len(first) == 5
    assert all(set(json.loads(blob)["pipeline"]) == {"version", "config_hash"}
               for blob in first.values())


def test_a_deleted_record_is_made_again(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    go(raw, clean)
    victim = clean / f"{SAMPLES[0].stem}.json"
    blob = victim.read_bytes()
    victim.unlink()
    summary = go(raw, clean)
    assert (summary["cleaned"], summary["unchanged"]) == (1, 4)
    assert victim.read_bytes() == blob


def test_a_removed_input_keeps_its_record_until_prune(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    go(raw, clean)
    gone = raw / SAMPLES[1].name
    gone.unlink()
    kept = go(raw, clean)
    assert kept["gone"] == [SAMPLES[1].name]
    assert kept["kept_without_input"] == [SAMPLES[1].stem]
    assert (clean / f"{SAMPLES[1].stem}.json").exists()
    pruned = go(raw, clean, prune=True)
    assert pruned["pruned"] == [SAMPLES[1].stem]
    assert not (clean / f"{SAMPLES[1].stem}.json").exists()
    assert len(records(clean)) == 4
    assert go(raw, clean)["gone"] == []


def test_an_input_giving_fewer_items_loses_its_extra_records(tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    items = [{"title": f"Titre {n}", "text": make.ARTICLE.replace("mardi", f"le {n} mai")}
             for n in range(1, 4)]
    feed = raw / "feed.jsonl"
    feed.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
    go(raw, clean)
    assert sorted(records(clean)) == ["feed-1.json", "feed-2.json", "feed-3.json"]
    feed.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items[:2]))
    go(raw, clean)
    assert sorted(records(clean)) == ["feed-1.json", "feed-2.json"]


def test_ids_stay_put_when_a_colliding_input_appears(tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    (raw / "story.txt").write_text(make.ARTICLE)
    go(raw, clean)
    (raw / "story.html").write_bytes(make._html(make.ARTICLE).encode())
    go(raw, clean)
    found = {json.loads(b)["source"]["path"]: n for n, b in records(clean).items()}
    assert found == {"story.txt": "story.json", "story.html": "story-html.json"}


def _feed(path: Path, *items: tuple[str, str]) -> None:
    """A JSONL feed of (own id, day) items, each a distinct article."""
    path.write_text("".join(
        json.dumps({"id": item_id, "title": f"Titre {day}",
                    "text": make.ARTICLE.replace("mardi", f"le {day} mai")},
                   ensure_ascii=False) + "\n"
        for item_id, day in items))


def _by_id(clean: Path) -> dict[str, tuple[str, str, list[str]]]:
    """Each record's id: (input path, title, flags)."""
    found = {}
    for name, data in records(clean).items():
        record = json.loads(data)
        assert name == f"{record['id']}.json"
        found[record["id"]] = (record["source"]["path"], record["title"], record["flags"])
    return found


def test_an_own_id_in_two_inputs_stays_with_the_first_and_nothing_is_lost(tmp_path: Path
                                                                          ) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    _feed(raw / "a.jsonl", ("x1", "2"), ("x2", "3"))
    _feed(raw / "b.jsonl", ("x9", "4"), ("x1", "5"))  # a feed saved again, partly
    summary = go(raw, clean, runner=Runner.PROCESS)
    assert summary["id_clashes"] == 1
    assert _by_id(clean) == {
        "x1": ("a.jsonl", "Titre 2", []),
        "x2": ("a.jsonl", "Titre 3", []),
        "x9": ("b.jsonl", "Titre 4", []),
        "b-2": ("b.jsonl", "Titre 5", ["id-taken"]),
    }
    assert go(raw, clean)["cleaned"] == 0
    again = tmp_path / "again"
    go(raw, again, runner=Runner.THREAD)
    assert records(again) == records(clean)


def test_an_own_id_taken_by_an_input_added_later_moves_to_the_later_in_path_order(
        tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    _feed(raw / "b.jsonl", ("x1", "5"))
    go(raw, clean)
    _feed(raw / "a.jsonl", ("x1", "2"))  # sorts first: the id is its
    go(raw, clean)
    assert _by_id(clean) == {"x1": ("a.jsonl", "Titre 2", []),
                             "b-1": ("b.jsonl", "Titre 5", ["id-taken"])}
    fresh = tmp_path / "fresh"
    go(raw, fresh)
    assert records(fresh) == records(clean)


def test_an_own_id_repeated_in_one_input_is_kept_by_its_first_item(tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    _feed(raw / "feed.jsonl", ("x1", "2"), ("feed-3", "3"), ("x1", "4"))
    go(raw, clean)
    assert _by_id(clean) == {"x1": ("feed.jsonl", "Titre 2", []),
                             "feed-3": ("feed.jsonl", "Titre 3", []),
                             "feed-3-2": ("feed.jsonl", "Titre 4", ["id-taken"])}


def _entry(sha256: str) -> state.Entry:
    return state.Entry(sha256=sha256, stem="a", version="1", config_hash="c", ids=("a",))


def test_batches_merge_in_name_order_each_once(tmp_path: Path) -> None:
    clean = LocalStore(str(tmp_path))
    state.save(clean, state.Manifest({"a.txt": _entry("0")}), [])
    state.save_batch(clean, "run1", 0, {"a.txt": _entry("1")})  # a killed run's
    manifest, merged = state.load(clean)
    assert manifest.entries["a.txt"].sha256 == "1"
    assert merged == [f"{state.DONE_DIR}/run1-000000.json"]
    state.save_batch(clean, "run2", 1, {"a.txt": _entry("3"), "b.txt": _entry("4")})
    state.save_batch(clean, "run2", 0, {"a.txt": _entry("2")})
    merged = state.merge_batches(clean, manifest, merged)
    assert {rel: e.sha256 for rel, e in manifest.entries.items()} == {"a.txt": "3", "b.txt": "4"}
    assert [name.rsplit("/", 1)[1] for name in merged] == [
        "run1-000000.json", "run2-000000.json", "run2-000001.json"]


def test_a_run_reads_the_manifest_once_when_it_plans(raw: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    clean = tmp_path / "clean"
    go(raw, clean)
    (raw / "new.txt").write_text("Un article de plus.\n\n" + "Le texte de l’article. " * 20)
    read = []
    original = LocalStore.read_text

    def counting(self: LocalStore, rel: str) -> str:
        read.append(rel)
        return original(self, rel)

    monkeypatch.setattr(LocalStore, "read_text", counting)
    again = go(raw, clean)
    assert (again["cleaned"], again["unchanged"]) == (1, 5)
    assert read.count(state.MANIFEST) == 1
    manifest, merged = state.load(open_store(str(clean)))
    assert len(manifest.entries) == 6 and merged == []


def test_rejects_of_earlier_runs_stay_listed(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    (raw / "empty.txt").write_bytes(b"")
    go(raw, clean)
    summary = go(raw, clean)
    assert summary["unchanged"] == 6
    assert [(r["path"], r["reason"]) for r in rejects(clean)] == [("empty.txt", "empty")]
    assert summary["rejects"] == 1


@pytest.mark.slow
def test_a_timed_out_input_is_tried_again_next_run(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    (raw / "slow.txt").write_bytes(b"HANG " + make.ARTICLE.encode())
    with monkeypatch.context() as patch:
        patch.setattr(run, "_CLEAN_FILE", "tests.fixtures.bad.hang:clean_file")
        go(raw, clean, Config(limits=Limits(seconds_per_input=1)))
    assert [r["reason"] for r in rejects(clean)] == ["timeout"]
    summary = go(raw, clean)
    assert (summary["cleaned"], summary["records"], summary["rejects"]) == (1, 1, 0)


def test_the_run_summary_is_kept_and_records_never_name_the_run(raw: Path, tmp_path: Path
                                                               ) -> None:
    clean = tmp_path / "clean"
    summary = go(raw, clean)
    kept = json.loads((clean / "_runs" / f"{summary['run_id']}.json").read_text())
    assert kept == summary
    assert {"files", "records", "rejects", "removed_by_reason", "rejects_by_reason", "version",
            "config", "seconds"} <= set(kept)
    for blob in records(clean).values():
        assert summary["run_id"].encode() not in blob


def test_a_second_run_refuses_while_the_first_holds_the_lock(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    with state.lock(LocalStore(clean)), pytest.raises(state.Locked, match="--wait"):
        go(raw, clean)


def test_a_second_run_with_wait_runs_after_the_first(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with state.lock(LocalStore(clean)):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    timer = threading.Timer(0.5, release.set)
    timer.start()
    started = time.monotonic()
    summary = go(raw, clean, wait=True)
    assert time.monotonic() - started >= 0.4
    assert summary["records"] == 5
    holder.join()


@pytest.mark.slow
def test_a_run_killed_midway_leaves_only_complete_files_and_the_next_run_finishes(
        tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    texts = [s.read_text(encoding="utf-8") for s in SAMPLES]
    total = 400
    for n in range(total):
        (raw / f"doc_{n:04d}.txt").write_text(
            texts[n % len(texts)] + f"\nParagraphe numéro {n} ajouté pour ce document.\n",
            encoding="utf-8")
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", "run", str(raw),
               str(clean), "--no-prefect", "--batch-size", "10", "--runner", "process", "-q"]
    proc = subprocess.Popen(command, cwd=tmp_path, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list(clean.glob("*.json"))) < 60 and time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    written = [p for p in clean.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert 60 <= len(records(clean)) < total
    for path in written:
        if path.name == "lock":
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            [json.loads(line) for line in text.splitlines()]
        else:
            json.loads(text)

    summary = go(raw, clean)
    assert summary["unchanged"] >= 50  # batches finished before the kill are not redone
    assert summary["unchanged"] + summary["cleaned"] == total
    assert len(records(clean)) == total
    assert not list(clean.rglob(".*.tmp"))  # leftovers of the killed writer are swept


@pytest.mark.parametrize(("runner", "todo", "workers", "expected"), [
    (Runner.THREAD, 10_000, None, 1),
    (Runner.AUTO, 3, None, 1),
    (Runner.AUTO, run.PARALLEL_FROM - 1, 2, 1),
    (Runner.AUTO, run.PARALLEL_FROM, 2, 2),
    (Runner.PROCESS, 3, 2, 2),
    (Runner.PROCESS, 3, 5, 5),
])
def test_workers_by_runner_and_size(runner: Runner, todo: int, workers: int | None,
                                    expected: int) -> None:
    assert choose_workers(runner, todo, Config(workers=workers)) == expected


@pytest.mark.parametrize(("count", "size", "workers", "expected"), [
    (0, 200, 1, []),
    (5, 200, 1, [5]),
    (5, 2, 1, [2, 2, 1]),
    (6, 200, 2, [3, 3]),
    (1000, 200, 2, [167] * 4 + [166] * 2),  # not 5 × 200: one worker would do a third
    # the last round cut smaller and smaller, down to TAIL_BATCH_MIN
    (2500, 1000, 2, [625, 625, 313, 235, 176, 132, 100, 100, 100, 94]),
    (7, 3, 2, [2, 2, 2, 1]),
    (20_000, 1000, 2, [1000] * 18 + [500, 375, 282, 211, 158, 119, 100, 100, 100, 55]),
    (400, 1000, 2, [100] * 4),
    (250, 1000, 2, [125, 125]),  # 100 + 100 + 50 would give one worker 150
    (3, 200, 8, [1, 1, 1]),
])
def test_batches_split_the_work(count: int, size: int, workers: int,
                                expected: list[int]) -> None:
    planned = [Planned(InputFile(f"{n}.txt"), str(n)) for n in range(count)]
    assert [len(b) for b in batches(planned, size, workers)] == expected


@given(count=st.integers(1, 3000), size=st.integers(1, 1200), workers=st.integers(1, 8))
def test_batches_keep_the_order_and_the_size_and_end_small(count: int, size: int,
                                                           workers: int) -> None:
    cut = batches(list(range(count)), size, workers)
    sizes = [len(b) for b in cut]
    assert [n for b in cut for n in b] == list(range(count))
    assert max(sizes) <= size
    # never a larger batch after a smaller one: the last to start are the quickest
    assert sizes == sorted(sizes, reverse=True)
    # and none of them tiny, but the very last, unless the run is cut that fine anyway
    assert all(n >= min(run.TAIL_BATCH_MIN, sizes[0] - 1) for n in sizes[:-1])
    if workers == 1 or count < 2 * run.TAIL_BATCH_MIN * workers:
        assert max(sizes) - min(sizes) <= 1  # too few inputs to cut finer: all alike


def test_an_fsspec_location_works_like_a_folder(raw: Path, tmp_path: Path) -> None:
    # fsspec's own local filesystem: the URL path, shared with the worker processes
    raw_url, clean_url = f"local://{tmp_path}/raw-url", f"local://{tmp_path}/clean-url"
    store = open_store(raw_url)
    store.make_root()
    for sample in SAMPLES:
        store.write_bytes(sample.name, sample.read_bytes())
    summary = run_local(raw_url, clean_url)
    assert summary["records"] == 5
    again = run_local(raw_url, clean_url)
    assert (again["cleaned"], again["unchanged"]) == (0, 5)
    assert {n for n in open_store(clean_url).names() if n.endswith(".json")} == {
        f"{s.stem}.json" for s in SAMPLES}


def test_storage_private_to_one_process_is_refused() -> None:
    from pipeline.errors import UsageError

    with pytest.raises(UsageError, match="lives in this process only"):
        run_local("memory://newsclean-test/raw", "memory://newsclean-test/clean")


@pytest.mark.parametrize(("raw_name", "clean_name", "message"), [
    ("missing", "clean", "is not a folder"),
    ("raw", "raw/clean", "inside"),
])
def test_bad_locations_are_refused_with_a_fix(raw: Path, tmp_path: Path, raw_name: str,
                                              clean_name: str, message: str) -> None:
    from pipeline.errors import UsageError

    with pytest.raises(UsageError, match=message):
        go(tmp_path / raw_name, tmp_path / clean_name)


@pytest.mark.parametrize("value", [
    DEFAULT_CONFIG,
    Config(typography=Typography.FR, ascii_fields=True, near_duplicate_bits=3, batch_size=7,
           workers=3, limits=Limits(seconds_per_input=1.5)),
    Planned(InputFile("feeds/Été 2024.jsonl.gz"), "feeds__Ete_2024", ("a-1", "a-2"),
            frozenset({"b-1"})),
    run.Done("0" * 64, [("a-1", "00ff00ff00ff00ff", None), ("a-2", None, "a-1")],
             Counter({"share": 2, "navigation": 1}), [{"path": "a", "code": "empty"}], 4),
], ids=["default-config", "config", "planned", "done"])
def test_what_travels_to_and_from_a_worker_pickles_to_an_equal_value(value: object) -> None:
    back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == value and type(back) is type(value)
    if isinstance(value, Config):
        assert back.hash() == value.hash()


@dataclass(frozen=True, slots=True)
class _Message(PickledAsFields):
    first: str
    second: tuple[int, ...] = ()
    third: dict[str, int] = field(default_factory=dict)


def test_every_field_of_a_message_travels_and_none_is_named_by_hand() -> None:
    value = _Message("a", (1, 2), {"b": 3})
    assert pickle.loads(pickle.dumps(value)) == value
    assert value.__reduce__() == (_Message, ("a", (1, 2), {"b": 3}))
