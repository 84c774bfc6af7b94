"""Golden records: the five sample scrapes give exactly the records read and approved by eye.

After a deliberate change, regenerate with ``python tests/test_golden.py`` and
read the diff line by line before committing it.
"""

import sys
from pathlib import Path

import pytest

from pipeline.core import clean_bytes
from pipeline.record import Article

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLES = sorted((ROOT / "raw").glob("*.txt"))


def record_of(path: Path) -> Article:
    [record] = clean_bytes(path.read_bytes(), path=path.name)
    assert isinstance(record, Article)
    return record


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem[:3])
def test_sample_gives_its_golden_record(path: Path) -> None:
    expected = (GOLDEN / f"{path.stem}.json").read_text(encoding="utf-8")
    assert record_of(path).to_json() == expected


def test_every_sample_has_a_golden_record() -> None:
    assert [p.stem for p in SAMPLES] == sorted(p.stem for p in GOLDEN.glob("*.json"))


if __name__ == "__main__":
    for sample in SAMPLES:
        (GOLDEN / f"{sample.stem}.json").write_text(record_of(sample).to_json(), encoding="utf-8")
        print("wrote", sample.stem, file=sys.stderr)
