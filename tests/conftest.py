"""Fixtures shared by the test modules."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "raw").iterdir())


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """A raw folder holding a copy of the five sample scrapes."""
    folder = tmp_path / "raw"
    folder.mkdir()
    for sample in SAMPLES:
        shutil.copy(sample, folder / sample.name)
    return folder
