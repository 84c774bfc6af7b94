"""A run flags duplicate records (same article, other noise) and never deletes them."""

import json
import shutil
from pathlib import Path

from pipeline.run import Runner, run_local

RAW = Path(__file__).resolve().parent.parent / "raw"
SAMPLE = RAW / "002_0e7ef94815b21e99.txt"


def records(clean: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in clean.glob("*.json")}


def test_a_copy_with_other_noise_points_to_the_first_record(tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    (raw / "b-original.txt").write_text(text, encoding="utf-8")
    (raw / "c-syndicated.txt").write_text(
        "Menu\nPartager\n\n" + text + "\n\nSource link : https://example.org/a\nTags :Exemple\n",
        encoding="utf-8")
    shutil.copy(RAW / "003_7a28cf3b99ede5af.txt", raw / "d-other.txt")
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
