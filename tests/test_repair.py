"""Repair: each fix on a table of examples, text that must stay, the fast path, idempotence."""

from __future__ import annotations

import itertools
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  registers the sloppy-windows-* codecs used below
import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline import chardata as cd
from pipeline.repair import (
    STEPS,
    _pair_line,
    _strongest_space,
    fix_mojibake,
    fix_mojibake_full,
    fix_spaces,
    pair_quotes,
    repair,
)

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
EVAL = Path("/work/shared/eval")
CORPUS_DIRS = [RAW, EVAL / "sh" / "dump", EVAL / "traf" / "dump"]

NBSP, NNBSP = "\xa0", "\u202f"


def one_line(text: str) -> tuple[str, dict[str, int]]:
    r = repair(text)
    assert len(r.lines) == 1
    return r.lines[0], r.counts


# --- text that must stay unchanged ------------------------------------------------

UNCHANGED = [
    pytest.param(f"«{NBSP}Le départ de Sam Altman{NBSP}», explique-t-il{NNBSP}; voilà{NNBSP}!",
                 id="french-guillemets-nbsp"),
    pytest.param("« Le départ de Sam Altman », explique-t-il ; voilà !", id="french-plain-spaces"),
    pytest.param("O’Neill et O'Brien, aujourd’hui, l’IA d’OpenAI", id="apostrophes"),
    pytest.param("“Je suis ouvert aux deux options”, a indiqué le patron.", id="english-quotes"),
    pytest.param("„Das ist gut“, sagte er. ‚Ja‘", id="german-quotes"),
    pytest.param("for (i = 0; i < n; i++) { x += a[i] >> 2; } // a && b", id="code"),
    pytest.param("List<String> xs = new ArrayList<>(); #include <stdio.h>", id="generics"),
    pytest.param("AT&T, R&D, Q&A, ?a=1&copy=2&lang=fr", id="ampersands"),
    pytest.param("👩‍💻 🏳️‍🌈 👨‍👩‍👧 👍🏽 🇫🇷 ❤️", id="emoji-zwj"),
    pytest.param("مرحبا بالعالم، هذا نص عربي.", id="arabic"),
    pytest.param("می‌خواهم به خانه بروم", id="persian-zwnj"),
    pytest.param("你好，世界。这是一个测试：（括号）！", id="chinese-fullwidth"),
    pytest.param("日本語のテキスト、ｶﾀｶﾅも。", id="japanese"),
    pytest.param("Привет, мир! Это тест.", id="russian"),
    pytest.param("Καλημέρα κόσμε· τι κάνεις;", id="greek"),
    pytest.param("Prix : 1\u202f000\xa0€, soit 3,5 % de plus. 10\u2009000 km", id="numbers"),
    pytest.param("Et puis ... rien. Ou . . . encore.", id="spaced-ellipses"),
    pytest.param("Le fichier .txt et le site .fr", id="leading-dots"),
    pytest.param("Zürich, Ærø, São Paulo, Kraków, Ørsted, façade, cœur, Œuvre", id="latin-letters"),
    pytest.param("À l’heure où ÂGE MÂLE, Ça va, À bientôt, ÎLE", id="capitals-with-accents"),
    pytest.param("Sam Altman, le visage public d’OpenAI, est devenu une superstar.", id="sample"),
    pytest.param("5'10\" tall, a 12\" pizza", id="inch-marks"),
    pytest.param("", id="blank"),
]


@pytest.mark.parametrize("text", UNCHANGED)
def test_correct_text_is_left_alone(text: str) -> None:
    assert one_line(text) == (text, {})


# --- one table per repair -----------------------------------------------------------

REPAIRS = [
    # mojibake: UTF-8 read as Windows-1252 or Latin-1
    ("lâ€™Ã©tÃ© dÃ©jÃ  lÃ ", "l’été déjà là", {"mojibake": 1}),
    ("Ã‡a marche, câ€™est â€œbienâ€\x9d", "Ça marche, c’est “bien”", {"mojibake": 1}),
    ("voilÃ ", "voilà", {"mojibake": 1}),  # the space was a no-break space byte
    ("免責事項".encode().decode("latin-1"), "免責事項", {"mojibake": 1}),  # ends in \xa0\x85
    ("caf\xc3\xa9 cr\xc3\xa8me", "café crème", {"mojibake": 1}),
    ("l\x92été \x93oui\x94", "l’été “oui”", {"mojibake": 1}),  # C1 controls for cp1252
    ("Les ﬁlms ﬂous", "Les films flous", {"mojibake": 1}),  # ligatures
    ("\x1b[31mrouge\x1b[0m", "rouge", {"mojibake": 1}),  # terminal colours
    # entities, including double-escaped ones
    ("Caf&eacute; &amp; th&#233; &rsquo;", "Café & thé ’", {"entity": 4}),
    ("&amp;eacute;t&amp;eacute;", "été", {"entity": 4}),
    ("un&nbsp;mot", f"un{NBSP}mot", {"entity": 1}),
    ("&lt;b&gt;gras&lt;/b&gt;", "gras", {"entity": 4, "tag": 2}),
    ("&Atilde;&copy;t&Atilde;&copy;", "été", {"entity": 4, "mojibake": 1}),
    ("a&#10;b", "a\nb", {"entity": 1}),
    # tags: <br> and blocks leave a break inside the line, inline tags vanish
    ("Un<br>deux<BR/>trois<br />quatre", "Un\ndeux\ntrois\nquatre", {"tag": 3}),
    ("fin.</p><p>Début", "fin.\nDébut", {"tag": 2}),
    ('Un <a href="x">lien</a> <b>gras</b>', "Un lien gras", {"tag": 4}),
    ("<br>en tête<br><br>", "en tête", {"tag": 3}),
    ("texte<!-- note -->suite", "textesuite", {"tag": 1}),
    # invisible characters
    ("bon\x00jour\x07\x7f", "bonjour", {"control": 3}),
    ("zero\u200bwidth\ufeff \u2060mot", "zerowidth mot", {"zero-width": 3}),
    ("a\u200db c\u200c", "ab c", {"zero-width": 2}),  # joiners between ASCII letters
    ("anti\xadconsti\xadtutionnel", "anticonstitutionnel", {"soft-hyphen": 2}),
    ("un\u2028deux\u2029trois", "un\ndeux\ntrois", {"line-end": 2}),
    # Unicode NFC
    ("e\u0301te\u0301 cafe\u0301", "été café", {"normalization": 1}),
    # spaces: odd ones made plain, runs collapsed, none before , and .
    ("un\tdeux\u2003trois", "un deux trois", {"whitespace": 2}),
    ("un  deux   trois", "un deux trois", {"whitespace": 2}),
    (f"mot {NBSP}: suite", f"mot{NBSP}: suite", {"whitespace": 1}),
    ("Il vient , puis il part .", "Il vient, puis il part.", {"whitespace": 2}),
    (f"3 %{NBSP}.", "3 %.", {"whitespace": 1}),
    ("   indenté   ", "indenté", {}),  # layout, not a repair
    # quote pairing
    ("étonner.”Le départ de Sam”, explique", "étonner.“Le départ de Sam”, explique",
     {"quote-pairing": 1}),
    ("Il a dit ”oui” et ”non”.", "Il a dit “oui” et “non”.", {"quote-pairing": 2}),
    ("un ”seul guillemet", "un ”seul guillemet", {"unbalanced-quote": 1}),
    ("« ouvert sans fermer", "« ouvert sans fermer", {"unbalanced-quote": 1}),
    ("“ouvert “deux”", "“ouvert “deux”", {"unbalanced-quote": 1}),
]


@pytest.mark.parametrize(("text", "expected", "counts"), REPAIRS, ids=[r[0][:24] for r in REPAIRS])
def test_repair_table(text: str, expected: str, counts: dict[str, int]) -> None:
    assert one_line(text) == (expected, counts)


LINE_ENDS = [
    ("a\r\nb\r\n", ("a", "b", ""), {"line-end": 2}),
    ("a\rb", ("a", "b"), {"line-end": 1}),
    ("a\n\n\nb", ("a", "", "", "b"), {}),
    ("\n  \n", ("", "", ""), {}),
    ("x<br>y\r\nz", ("x\ny", "z"), {"line-end": 1, "tag": 1}),
]


@pytest.mark.parametrize(("text", "lines", "counts"), LINE_ENDS)
def test_line_numbers_follow_the_input(text: str, lines: tuple[str, ...],
                                       counts: dict[str, int]) -> None:
    r = repair(text)
    assert (r.lines, r.counts) == (lines, counts)


def test_count_keys_are_repair_kinds() -> None:
    from pipeline.record import RepairKind
    text = "".join(t for t, _, _ in REPAIRS) + "\r\n"
    assert set(repair(text).counts) <= {k.value for k in RepairKind}


def test_steps_keep_the_number_of_lines() -> None:
    text = "\n".join(t for t, _, _ in REPAIRS)
    for name, step in STEPS.items():
        assert step(text)[0].count("\n") == text.count("\n"), name


# --- fast path: the prefilter never skips a line ftfy would change -------------------

def _category_chars() -> list[str]:
    """Every character of ftfy's mojibake categories (ranges expanded)."""
    chars: set[str] = set()
    for spec in MOJIBAKE_CATEGORIES.values():
        i = 0
        while i < len(spec):
            if i + 2 < len(spec) and spec[i + 1] == "-":
                chars.update(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
                i += 3
            else:
                chars.add(spec[i])
                i += 1
    return sorted(chars)


MOJIBAKE_ALPHABET = _category_chars()
ALPHABET = [*MOJIBAKE_ALPHABET, "a", "Z", " ", ".", "?", "1", "\n", "é", "’", "—", *"ЂГўВ"]


def test_prefilter_reads_the_current_ftfy() -> None:
    assert cd.PREFILTER_CURRENT


def test_prefilter_covers_every_bad_pair() -> None:
    """Every two-character string ftfy calls bad is flagged (all pairs, exhaustively)."""
    missed = [a + b for a, b in itertools.product(ALPHABET, repeat=2)
              if BADNESS_RE.search(a + b) and not cd.MOJIBAKE_SUSPECT_RE.search(a + b)]
    assert missed == []


def _mojibake(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec, errors="replace")


mojibake_lines = st.builds(
    _mojibake,
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(["sloppy-windows-1252", "latin-1", "sloppy-windows-1251", "macroman",
                     "sloppy-windows-1250", "cp437"]),
)
lines = st.one_of(
    st.text(st.sampled_from(ALPHABET), max_size=12),
    st.text(max_size=40),
    mojibake_lines,
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=10), mojibake_lines,
              st.text(st.sampled_from(ALPHABET), max_size=6)),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines)
@example("voilÃ ")
@example("Ã\u2028©")
@example("\x80\u2029")
def test_fast_path_equals_full_ftfy(line: str) -> None:
    line = line.replace("\n", " ")
    if BADNESS_RE.search(line):
        assert cd.MOJIBAKE_SUSPECT_RE.search(line)
    assert fix_mojibake(line)[0] == fix_mojibake_full(line)


def _corpus_texts() -> list[str]:
    texts = []
    for directory in CORPUS_DIRS:
        for path in sorted(directory.glob("*.txt")):
            texts.append(path.read_text(encoding="utf-8"))
    return texts


def test_fast_path_equals_full_ftfy_on_the_corpus() -> None:
    """Every line the prefilter skips is one full ftfy leaves unchanged.

    Over the raw samples and the dev dumps (when present), as they are and
    mojibake'd through Windows-1252 and Latin-1.
    """
    texts = _corpus_texts()
    if len(texts) < 100:
        pytest.skip("the dev dumps are not on this machine")
    variants = [lambda t: t, lambda t: _mojibake(t, "sloppy-windows-1252"),
                lambda t: _mojibake(t, "latin-1")]
    skipped = {line for text in texts for variant in variants
               for line in variant(text).split("\n")
               if not cd.MOJIBAKE_SUSPECT_RE.search(line)}  # flagged lines get full ftfy
    mismatched = [line for line in skipped if fix_mojibake_full(line) != line]
    assert len(skipped) > 50_000
    assert mismatched == []


def test_fast_path_equals_full_ftfy_on_the_samples() -> None:
    for path in sorted(RAW.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for variant in (text, _mojibake(text, "sloppy-windows-1252"), _mojibake(text, "latin-1")):
            for line in variant.split("\n"):
                assert fix_mojibake(line)[0] == fix_mojibake_full(line)


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name[:3])
@pytest.mark.parametrize("codec", ["sloppy-windows-1252", "latin-1"])
def test_mojibaked_samples_come_back(path: Path, codec: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert repair(_mojibake(text, codec)).lines == repair(text).lines


# --- idempotence ----------------------------------------------------------------------

repair_inputs = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(lines, st.sampled_from(
        ["&amp;", "&eacute;", "&#10;", "<br>", "</p>", "<b>", "\u200b", "\u200d", "\xad", "  ",
         " ,", " .", "”", "“", "«", "»", "\t", "\r\n", "\r", "\xa0", "\u202f", "e\u0301", "Ã",
         "👩", "\x00", "\u2028", "&am", "p;", "<", ">", "p"])), max_size=20).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(repair_inputs)
@example("&a\u200bmp;eacute;")
@example("a  Ã  b")
def test_repair_is_idempotent(text: str) -> None:
    first = repair(text)
    assert len(first.lines) == len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    joined = "\n".join(first.lines)
    assert "\n".join(repair(joined).lines) == joined


# fix_spaces cuts a long text between two ASCII letters and fixes each piece alone.
SPACE_PIECES = [
    ("Il dit  oui , puis non .", 1),
    ("Il dit\t:  oui , puis\xa0 non .", 3),
    ("mot  ,mot . .mot\xa0\u202f.", 2),
    ("ab , cd .\n ef  gh ,", 2),
    ("etc. . et , , fin", 1),
    ("Prix : 1\u202f000\xa0€ ; voir ...", 4),
    ("aa\u2009 \xa0bb", 1),
]


@pytest.mark.parametrize(("text", "size"), SPACE_PIECES)
def test_fix_spaces_by_piece_table(text: str, size: int) -> None:
    assert fix_spaces(text, piece_chars=size) == fix_spaces(text, piece_chars=len(text))


space_texts = st.lists(st.sampled_from(
    ["a", "b", "É", " ", "  ", "\xa0", "\u202f", "\u2009", "\u2007", "\t", "\u2003", ",", ".",
     "”", ")", "'", "\n", "\u2028", "1"]), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(space_texts, st.integers(min_value=0, max_value=8))
def test_fix_spaces_by_piece_equals_whole(text: str, size: int) -> None:
    whole = fix_spaces(text, piece_chars=len(text))
    assert fix_spaces(text, piece_chars=size) == whole
    if whole[0] == text:  # an unchanged text comes back as itself
        assert fix_spaces(text, piece_chars=size)[0] is text


def _pair_quotes_whole_line(text: str) -> tuple[str, dict[str, int]]:
    """pair_quotes as it was written before: each line split at its breaks and joined again."""
    if cd.CLOSE_DQ not in text:
        return text, {}
    out, count = [], 0
    for line in text.split("\n"):
        pieces = []
        for piece in line.split(cd.BREAK):
            if cd.LOW_DQ not in piece:
                piece, n = _pair_line(piece)
                count += n
            pieces.append(piece)
        out.append(cd.BREAK.join(pieces))
    return "\n".join(out), ({"quote-pairing": count} if count else {})


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(["a", " ", "”", "“", "„", "\u2028", "\n", "(", "b"]), max_size=30))
@example("”a” ”b”\u2028”c”")
def test_pair_quotes_fixes_only_the_pieces_that_change(text: str) -> None:
    assert pair_quotes(text) == _pair_quotes_whole_line(text)


def _fix_spaces_unfiltered(text: str) -> tuple[str, dict[str, int]]:
    """fix_spaces with each pattern run whatever the text holds."""
    text, count = cd.ODD_SPACE_RE.subn(" ", text)
    text, n = cd.SPACE_RUN_RE.subn(_strongest_space, text)
    count += n
    text, n = cd.SPACE_BEFORE_STOP_RE.subn("", text)
    count += n
    return text, {"whitespace": count} if count else {}


# fix_spaces runs a pattern only where a cheap look finds it may match; past 64 of one
# wide space it leaves the look to the pattern
MANY_NBSP = "mot\xa0" * 70


@settings(max_examples=600, deadline=None)
@given(space_texts)
@example("")
@example("a\xa0\xa0b")
@example("\xa0 a")
@example("a \u2007")
@example("a\u202f.")
@example("\u2009,b")
@example(MANY_NBSP + "fin\xa0.")
@example(MANY_NBSP + "fin\xa0\u202fb")
@example(MANY_NBSP)
def test_fix_spaces_equals_its_patterns_run_unfiltered(text: str) -> None:
    assert fix_spaces(text) == _fix_spaces_unfiltered(text)
