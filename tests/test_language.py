"""Language identification: what it names, and that its quick first read changes nothing."""

from pathlib import Path

import pytest

from pipeline import language
from pipeline.language import detect_language, language_code

RAW = Path(__file__).resolve().parents[1] / "raw"
EVAL = Path("/work/shared/eval")
PAGES = sorted(RAW.glob("*.txt")) + (sorted(EVAL.glob("*/dump/*.txt")) if EVAL.is_dir()
                                     else [])

CASES = [
    ("Quatre jours après avoir été écarté de la tête d’OpenAI, Sam Altman rejoint Microsoft, "
     "qui annonce la création d’une équipe de recherche.", "fr"),
    ("The city council voted on Tuesday to approve a new budget that raises spending on "
     "schools and parks.", "en"),
    ("Der Stadtrat hat am Dienstag einen neuen Haushalt beschlossen, der mehr Geld für "
     "Schulen und Parks vorsieht.", "de"),
    ("ok", None),  # too few letters to tell
    ("12 345 678 — 2024-03-01 10:15 · 42 %", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def _full_read(text: str) -> str | None:
    """The identification of the whole sample, without the quick first read."""
    sample = text[:language.SAMPLE_CHARS]
    if len(language._LETTER.findall(sample, 0, language.MIN_LETTERS * 20)) < language.MIN_LETTERS:
        return None
    code, probability = language._identifier().classify(sample)
    return str(code) if probability >= 0.5 and len(code) == 2 else None


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem[:30])
def test_the_quick_first_read_names_the_language_the_whole_sample_names(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    # the pages' longest lines first, as the pipeline samples them
    sample = "\n".join(sorted(text.splitlines(), key=len, reverse=True)[:12])
    assert detect_language(sample) == _full_read(sample)


@pytest.mark.parametrize(("tag", "code"), [("en-US", "en"), ("fr_FR", "fr"), ("FR", "fr"),
                                           ("deu", None), ("", None), (None, None)])
def test_language_code(tag: str | None, code: str | None) -> None:
    assert language_code(tag) == code
