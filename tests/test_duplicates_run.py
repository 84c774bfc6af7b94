"""A run flags duplicate records (same article, other noise) and never deletes them;
what its duplicate pass leaves spares the next pass reading every record."""

import json
import shutil
from pathlib import Path

import pytest

from pipeline import run
from pipeline.config import DEFAULT_CONFIG, Config
from pipeline.dedup import StartIndex
from pipeline.run import Runner, plan, run_local
from pipeline.storage import LocalStore

RAW = Path(__file__).resolve().parent.parent / "raw"
SAMPLE = RAW / "002_0e7ef94815b21e99.txt"


def records(clean: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in clean.glob("*.json")}


def duplicates_file(clean: Path) -> dict[str, list[str | None]] | None:
    path = clean / "_state" / "duplicates.json"
    return json.loads(path.read_text(encoding="utf-8"))["records"] if path.exists() else None


def as_records_say(clean: Path) -> dict[str, list[str | None]]:
    return {rid: [r["fingerprint"], r["duplicate_of"]] for rid, r in records(clean).items()}


def three_inputs(tmp_path: Path) -> tuple[Path, Path]:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    (raw / "b-original.txt").write_text(text, encoding="utf-8")
    (raw / "c-syndicated.txt").write_text(
        "Menu\nPartager\n\n" + text + "\n\nSource link : https://example.org/a\nTags :Exemple\n",
        encoding="utf-8")
    shutil.copy(RAW / "003_7a28cf3b99ede5af.txt", raw / "d-other.txt")
    return raw, clean


def test_a_copy_with_other_noise_points_to_the_first_record(tmp_path: Path) -> None:
    raw, clean = three_inputs(tmp_path)
    text = SAMPLE.read_text(encoding="utf-8")
    run_local(str(raw), str(clean), runner=Runner.THREAD)
    got = records(clean)
    assert got["b-original"]["duplicate_of"] is None
    assert got["c-syndicated"]["duplicate_of"] == "b-original"
    assert got["d-other"]["duplicate_of"] is None

    # a later input that sorts first becomes the group's first record
    (raw / "a-rescraped.txt").write_text(text + "\n", encoding="utf-8")
    summary = run_local(str(raw), str(clean), runner=Runner.THREAD)
    got = records(clean)
    assert got["a-rescraped"]["duplicate_of"] is None
    assert got["b-original"]["duplicate_of"] == "a-rescraped"
    assert got["c-syndicated"]["duplicate_of"] == "a-rescraped"
    assert summary["duplicate_of_changed"] == 2

    # nothing new: nothing rewritten
    assert run_local(str(raw), str(clean), runner=Runner.THREAD)["duplicate_of_changed"] == 0


def test_the_pass_leaves_what_records_say_and_the_next_pass_reads_only_what_it_rewrites(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, clean = three_inputs(tmp_path)
    run_local(str(raw), str(clean), runner=Runner.THREAD)
    assert duplicates_file(clean) == as_records_say(clean)

    read: list[str] = []
    read_bytes = LocalStore.read_bytes

    def spy(self: LocalStore, rel: str, limit: int = -1) -> bytes:
        read.append(rel)
        return read_bytes(self, rel, limit)

    monkeypatch.setattr(LocalStore, "read_bytes", spy)
    shutil.copy(raw / "b-original.txt", raw / "a-rescraped.txt")
    summary = run_local(str(raw), str(clean), runner=Runner.THREAD)
    assert summary["duplicate_of_changed"] == 2
    # the two records it rewrote, not d-other nor the one this run wrote
    assert sorted(rel for rel in read if rel.endswith(".json") and "/" not in rel) == [
        "b-original.json", "c-syndicated.json"]
    assert duplicates_file(clean) == as_records_say(clean)


def test_the_file_goes_as_soon_as_a_run_has_records_to_change(tmp_path: Path) -> None:
    raw, clean = three_inputs(tmp_path)
    run_local(str(raw), str(clean), runner=Runner.THREAD)
    assert plan(str(raw), str(clean), DEFAULT_CONFIG).todo == []
    assert duplicates_file(clean) is not None  # nothing to do: still exact
    (raw / "d-other.txt").write_text("Un autre texte.\n", encoding="utf-8")
    assert len(plan(str(raw), str(clean), DEFAULT_CONFIG).todo) == 1
    # a run killed from here on leaves no file: the next pass reads the records
    assert duplicates_file(clean) is None
    run_local(str(raw), str(clean), runner=Runner.THREAD)
    assert duplicates_file(clean) == as_records_say(clean)


def test_a_pass_without_the_file_reads_the_records_and_mends_them(tmp_path: Path) -> None:
    raw, clean = three_inputs(tmp_path)
    run_local(str(raw), str(clean), runner=Runner.THREAD)
    # as a run killed in its pass may leave it: a value set, the file not yet written
    (clean / "_state" / "duplicates.json").unlink()
    path = clean / "c-syndicated.json"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '"duplicate_of": "b-original"', '"duplicate_of": "d-other"'), encoding="utf-8")
    (raw / "e-new.txt").write_text("Un autre texte, sans rapport.\n", encoding="utf-8")
    run_local(str(raw), str(clean), runner=Runner.THREAD)
    assert records(clean)["c-syndicated"]["duplicate_of"] == "b-original"
    assert duplicates_file(clean) == as_records_say(clean)


def test_prune_leaves_the_file_exact(tmp_path: Path) -> None:
    raw, clean = three_inputs(tmp_path)
    run_local(str(raw), str(clean), runner=Runner.THREAD)
    (raw / "b-original.txt").unlink()
    run_local(str(raw), str(clean), runner=Runner.THREAD, prune=True)
    assert "b-original" not in records(clean)
    assert records(clean)["c-syndicated"]["duplicate_of"] is None
    assert duplicates_file(clean) == as_records_say(clean)


def test_the_records_of_an_input_whose_worker_died_are_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, clean = three_inputs(tmp_path)
    run_local(str(raw), str(clean), runner=Runner.THREAD)
    (raw / "d-other.txt").write_text("CRASH " + (raw / "d-other.txt").read_text(
        encoding="utf-8"), encoding="utf-8")
    # as the worker might leave it, dying after writing a record of its own
    path = clean / "d-other.json"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '"duplicate_of": null', '"duplicate_of": "b-original"'), encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(run, "_CLEAN_FILE", "tests.fixtures.bad.hang:clean_file")
        summary = run_local(str(raw), str(clean), runner=Runner.THREAD)
    assert summary["rejects"] == 1
    assert records(clean)["d-other"]["duplicate_of"] is None
    assert duplicates_file(clean) == as_records_say(clean)


def test_records_are_written_with_their_duplicate_of_guessed(tmp_path: Path) -> None:
    raw, clean = three_inputs(tmp_path)
    summary = run_local(str(raw), str(clean), runner=Runner.THREAD)
    assert records(clean)["c-syndicated"]["duplicate_of"] == "b-original"
    assert summary["duplicate_of_changed"] == 0  # written right: the pass rewrote nothing
    unguessed = tmp_path / "unguessed"
    summary = run_local(str(raw), str(unguessed), Config(duplicate_guess_starts=0),
                        runner=Runner.THREAD)
    assert summary["duplicate_of_changed"] == 1
    assert {p.name: p.read_bytes() for p in clean.glob("*.json")} == \
        {p.name: p.read_bytes() for p in unguessed.glob("*.json")}


def near_copies(raw: Path, numbers: range) -> Path:
    """Near copies of the five samples: copy ``n`` repeats sample ``n % 5``."""
    raw.mkdir()
    samples = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    for n in numbers:
        (raw / f"copy-{n:03d}.txt").write_text(
            samples[n % 5] + f"\n\nMis à jour le {n % 28 + 1} mars.\n", encoding="utf-8")
    return raw


def test_guessing_on_two_workers_changes_no_record(tmp_path: Path) -> None:
    raw = near_copies(tmp_path / "raw", range(80))
    guessed, unguessed = tmp_path / "guessed", tmp_path / "unguessed"
    summary = run_local(str(raw), str(guessed), runner=Runner.PROCESS)
    assert summary["workers"] == 2
    run_local(str(raw), str(unguessed), Config(duplicate_guess_starts=0, workers=2),
              runner=Runner.PROCESS)
    assert {p.name: p.read_bytes() for p in guessed.glob("*.json")} == \
        {p.name: p.read_bytes() for p in unguessed.glob("*.json")}
    duplicates = sum(r["duplicate_of"] is not None for r in records(guessed).values())
    assert duplicates == 75
    # however late the news between the two workers, each guesses its own batch's copies
    assert summary["duplicate_of_changed"] <= 40


def test_a_batch_guesses_from_the_starts_other_batches_wrote(tmp_path: Path) -> None:
    first = tmp_path / "first"
    run_local(str(near_copies(tmp_path / "raw-first", range(5))), str(first),
              runner=Runner.THREAD)
    # as though another worker of the run had written copy-000 … 004
    starts = run.run_starts("guessing-test", DEFAULT_CONFIG)
    starts.add((rid, r["fingerprint"]) for rid, r in sorted(records(first).items()))
    raw = near_copies(tmp_path / "raw", range(40, 60))
    todo = plan(str(raw), str(tmp_path / "clean"), DEFAULT_CONFIG).todo
    result = run.clean_batch(todo, str(raw), str(tmp_path / "clean"), DEFAULT_CONFIG,
                             run_id="guessing-test", workers=1)
    guesses = {rid: duplicate_of for rid, (_, duplicate_of) in result.written.items()}
    # the first two inputs go out before the worker has said what it knows: they start
    # groups of their own; from the third on it has the run's starts
    assert guesses == {f"copy-{n:03d}": None if n < 42 else f"copy-{n % 5:03d}"
                       for n in range(40, 60)}


def test_a_worker_takes_the_starts_it_lacks_and_says_how_many_it_has() -> None:
    starts = run.RunStarts("r", capacity=3)
    starts.add([("a", "0" * 16), ("b", "f" * 16)])
    assert starts.since(None) == run.Starts("r", 0)  # what the worker has is not known yet
    assert starts.since(1) == run.Starts("r", 1, (("b", "f" * 16),))
    starts.add([("c", "0f" * 8), ("d", "f0" * 8)])  # beyond its capacity: d is not kept
    assert starts.since(0).entries == (("a", "0" * 16), ("b", "f" * 16), ("c", "0f" * 8))

    known = run._KnownStarts(StartIndex())
    known.take(starts.since(1))  # a gap (a new worker): nothing taken, it says 0
    assert (known.received, len(known.index)) == (0, 0)
    known.take(starts.since(0))
    known.take(starts.since(2))  # again the last one: taken once
    assert (known.received, len(known.index)) == (3, 3)
