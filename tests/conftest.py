"""Fixtures shared by the test modules."""

import shutil
from collections.abc import Iterator
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


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache folder for the language model's tables (``pipeline.identifier``) of the
    session's own, for this process and the worker processes it starts."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSCLEAN_CACHE_DIR", str(folder))
        yield folder
