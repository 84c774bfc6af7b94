"""A very long line is cut into pieces before repair: where it is cut, and that the
blocks and counts are those of the line repaired and segmented whole."""

from __future__ import annotations

import platform
import time
from collections import Counter
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline import core
from pipeline import repair as repair_module
from pipeline.core import clean_bytes
from pipeline.heap import release_freed
from pipeline.record import RepairKind
from pipeline.repair import repair_lines, split_lines
from pipeline.segment import iter_sentences, segment

RAW = Path(__file__).resolve().parent.parent / "raw"
EVAL = Path("/work/shared/eval")


@pytest.mark.parametrize(("line", "pieces"), [
    ("Un. Deux. Trois.", ("Un.", "Deux.", "Trois.")),
    # the line's own ends are stripped, the space at each cut goes
    ("  Un. Deux.  ", ("Un.", "Deux.")),
    ("Fin ! Puis ? Oui… Non.", ("Fin !", "Puis ?", "Oui…", "Non.")),
    ("Il dit “Oui.” Puis part.", ("Il dit “Oui.”", "Puis part.")),
    ("Il dit « Oui. » Puis part.", "Il dit « Oui. » Puis part."),  # no sentence end here
    # the next sentence must start with one space and an ASCII capital: no repair
    # changes those, where an entity, mojibake or a second space could be changed
    ("Un. été. Deux.", ("Un. été.", "Deux.")),
    ("Un. Été. Ã‰t. Deux.", ("Un. Été. Ã‰t.", "Deux.")),
    ("Un.  Deux. &Eacute;t. Trois.", ("Un.  Deux. &Eacute;t.", "Trois.")),
    ("Un.\tDeux.\u2028Trois.", "Un.\tDeux.\u2028Trois."),
    # abbreviations are no sentence ends
    ("Vu M. Dupont. Deux.", ("Vu M. Dupont.", "Deux.")),
    # no cut while a tag or an HTML comment is open
    ('Voir <a title="Un. Deux">ici</a>. Fin.', ('Voir <a title="Un. Deux">ici</a>.', "Fin.")),
    ("Un <!-- Note. Deux. --> trois. Fin.", ("Un <!-- Note. Deux. --> trois.", "Fin.")),
    ("a < b. Alors. Fin.", "a < b. Alors. Fin."),
    # no sentence end: the line stays whole
    ("un deux trois quatre", "un deux trois quatre"),
])
def test_where_a_long_line_is_cut(line: str, pieces: str | tuple[str, ...]) -> None:
    lines, _ = split_lines(f"Titre\n{line}\nfin", piece_chars=1)
    assert lines == ["Titre", pieces, "fin"]


def test_short_lines_and_texts_are_not_cut() -> None:
    text = "Un. Deux.\nTrois. Quatre. Cinq."
    assert split_lines(text, piece_chars=len(text))[0] == ["Un. Deux.", "Trois. Quatre. Cinq."]
    # a piece holds at least ``piece_chars`` characters
    assert split_lines(text, piece_chars=10)[0] == ["Un. Deux.", ("Trois. Quatre.", "Cinq.")]


# Repairs counted by line, counted by piece in a line in pieces.
_BY_LINE = {RepairKind.MOJIBAKE.value, RepairKind.NORMALIZATION.value}


def _blocks(text: str, piece_chars: int) -> tuple[list[tuple[object, ...]], dict[str, int]]:
    lines, counts = split_lines(text, piece_chars=piece_chars)
    repaired = repair_lines(lines, counts)
    blocks = [(b.number, b.part, b.text, b.gap_before, b.continues)
              for b in segment(repaired.lines, long_line_chars=60)]
    return blocks, {k: v for k, v in repaired.counts.items() if k not in _BY_LINE}


# Words, stops, markup and repairs of every kind. Mojibake is left out of the
# comparison: ftfy judges a text as a whole ("É“" alone is "ɓ" read as
# Windows-1252, not beside "été"), so a piece may be judged otherwise than its
# line (tested on its own below). So is quote pairing, which reads each piece
# alone: no ” is drawn.
_TOKENS = ["Un", "deux", "Trois", "été", "M.", ".", ". ", "! ", "? ", "…", " ", "  ", ", ",
           "\n", "\t", "Valley.De", "superstarVendredi", "&amp;", "&eacute;", "&Eacute;",
           "<b>", "</b>", "<br>", '<a href="x. Y">', "</a>", "<!-- Note. A -->", "<", ">",
           "“", "«", "»", "„", "Ã©", "â€™", "\u200b", "\xad", "\u2028", "😀", "https://a.b/C. D"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=60).map("".join),
       st.integers(min_value=1, max_value=40))
@example("Il dit “Oui. Non. Peut-être” puis « Fin. Alors » rien. Valley.De la suite.", 5)
@example("Un <b>mot. </b>Deux. Trois&eacute;. Quatre.", 3)
def test_pieces_give_the_blocks_and_counts_of_the_whole_line(text: str, size: int) -> None:
    with patch.dict(repair_module.STEPS):
        del repair_module.STEPS["fix_mojibake"]
        assert _blocks(text, size) == _blocks(text, len(text) + 1)


@pytest.mark.parametrize("text", [
    "Ã‡a marche, câ€™est lâ€™Ã©tÃ©. Puis lâ€™hiver. Fin.",
    "Il a dit Â«Â Oui. MaisÂ Â». Et alors.",
])
def test_mojibake_is_fixed_in_each_piece(text: str) -> None:
    assert _blocks(text, 1) == _blocks(text, len(text) + 1)


def test_mojibake_is_judged_in_each_piece() -> None:
    """What the docs say is found piece by piece: ftfy reads each piece alone."""
    text = "&Eacute;“a. Dété"
    assert _lines_and_counts(text, len(text) + 1)[0] == ("É“a. Dété",)
    assert _lines_and_counts(text, 1)[0] == (("ɓa.", "Dété"),)


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt"))
                         + sorted((EVAL / "sh" / "glued").glob("*"))[:20], ids=lambda p: p.name)
def test_records_are_the_same_with_every_line_cut(path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Cutting every line longer than 40 characters changes no record here. Pages with
    a ” in an opening place, mojibake or decomposed accents may differ in those: 5 of
    the 760 dev pages do."""
    whole = [r.to_json() for r in clean_bytes(path.read_bytes(), path=path.name)]
    monkeypatch.setattr(repair_module, "LONG_LINE_PIECE_CHARS", 40)
    cut = [r.to_json() for r in clean_bytes(path.read_bytes(), path=path.name)]
    assert cut == whole


def test_quotes_are_paired_within_a_piece() -> None:
    """What the docs say is found piece by piece: quote pairing reads each piece."""
    text = "Il dit ”Oui. Non” puis rien."
    (whole,), _ = _lines_and_counts(text, len(text) + 1)
    (pieces,), _ = _lines_and_counts(text, 1)
    assert whole == "Il dit “Oui. Non” puis rien."
    assert pieces == ("Il dit ”Oui.", "Non” puis rien.")


def _lines_and_counts(text: str, size: int) -> tuple[tuple[object, ...], Counter[str]]:
    lines, counts = split_lines(text, piece_chars=size)
    repaired = repair_lines(lines, counts)
    return repaired.lines, Counter(repaired.counts)


def test_freed_memory_is_handed_back_after_a_huge_text(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(core, "release_freed", lambda: calls.append(True) or True)
    monkeypatch.setattr(core, "LONG_LINE_PIECE_CHARS", 40)
    clean_bytes(b"Un court texte.", path="a.txt")
    assert calls == []
    clean_bytes(b"Un texte plus long. " * 3, path="a.txt")
    assert calls == [True]


def test_freed_memory_is_handed_back_where_the_c_library_can() -> None:
    assert release_freed() is (platform.libc_ver()[0] == "glibc")


@pytest.mark.parametrize("unit", ["<" + "Un. Deux. ", "Un.\tDeux.\t"],
                         ids=["tag-left-open", "no-space"])
def test_a_long_line_is_read_once(unit: str) -> None:
    """A "<" never closed (code, maths) leaves no sentence end to cut at after it, and a
    line with no space has words as long as itself: each sentence end is still not read
    back to the "<" or the line's start. Eight times the text takes about eight times
    as long; a quadratic reading takes ~64."""
    def seconds(repeats: int) -> float:
        text = unit[0] + unit[1:] * repeats if unit.startswith("<") else unit * repeats
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            lines, _ = split_lines(text, piece_chars=1000)
            sentences = sum(1 for _ in iter_sentences(text))
            best = min(best, time.process_time() - started)
        assert len(lines) == 1 and sentences >= repeats
        return best

    assert seconds(160_000) < 20 * max(seconds(20_000), 1e-3)
