"""Language identification: what it names, that its quick reads change nothing,
and that the whole-array scoring gives py3langid's own scores."""

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from pipeline import identifier, language
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
    """The identification of the whole sample, without the quick reads."""
    sample = text[:language.SAMPLE_CHARS]
    if len(language._LETTER.findall(sample, 0, language.MIN_LETTERS * 20)) < language.MIN_LETTERS:
        return None
    code, probability = language._identifier().classify(sample)
    return str(code) if probability >= 0.5 and len(code) == 2 else None


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem[:30])
def test_the_quick_reads_name_the_language_the_whole_sample_names(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    # the pages' longest lines first, as the pipeline samples them
    sample = "\n".join(sorted(text.splitlines(), key=len, reverse=True)[:12])
    assert detect_language(sample) == _full_read(sample)


class _Scripted:
    """An identifier that answers with the probabilities it is given, in turn, and keeps
    how many characters each call read."""

    def __init__(self, probabilities: list[float]) -> None:
        self.probabilities = probabilities
        self.reads: list[int] = []

    def classify(self, text: str) -> tuple[str, float]:
        self.reads.append(len(text))
        return "fr", self.probabilities.pop(0)


@pytest.mark.parametrize(("chars", "probabilities", "reads"), [
    (3000, [0.99999], [500]),  # sure at once
    (3000, [0.9, 0.99999], [500, 1000]),
    (3000, [0.9, 0.9, 0.6], [500, 1000, 3000]),
    (5000, [0.9, 0.9, 0.6], [500, 1000, language.SAMPLE_CHARS]),
    (800, [0.9, 0.6], [500, 800]),  # the second read is the whole text
    (400, [0.6], [400]),  # a short text is read once, whole
])
def test_the_identifier_reads_longer_prefixes_only_while_unsure(
        monkeypatch: pytest.MonkeyPatch, chars: int, probabilities: list[float],
        reads: list[int]) -> None:
    scripted = _Scripted(probabilities)
    monkeypatch.setattr(language, "_identifier", lambda: scripted)
    assert detect_language("a" * chars) == "fr"
    assert scripted.reads == reads and not scripted.probabilities


@pytest.mark.parametrize(("tag", "code"), [("en-US", "en"), ("fr_FR", "fr"), ("FR", "fr"),
                                           ("deu", None), ("", None), (None, None)])
def test_language_code(tag: str | None, code: str | None) -> None:
    assert language_code(tag) == code


@cache
def _py3langid() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_the_installed_model_is_scored_with_whole_array_steps() -> None:
    # fails when py3langid ships another model: prove WINDOW for it and update MODEL_SHA256
    assert language._identifier().vectorised


def test_the_automaton_forgets_where_it_began_within_the_window() -> None:
    """From any state, WINDOW bytes lead where they lead from the start state.

    Follows every pair (state reached from some state, state reached from the start)
    over all bytes at once; a pair that meets stays met, and none is left apart.
    """
    ident = language._identifier()
    moves = np.frombuffer(ident.tk_nextmove, dtype=f"u{ident.tk_nextmove.itemsize}")
    moves = moves.reshape(-1, 256)[np.asarray(ident.tk_row)]
    count = len(moves)
    ends, starts = np.arange(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
    for _ in range(identifier.WINDOW):
        pairs = np.unique(np.concatenate([
            np.unique(moves[ends, byte].astype(np.int64) * count + moves[starts, byte])
            for byte in range(256)]))
        ends, starts = pairs // count, pairs % count
        ends, starts = ends[ends != starts], starts[ends != starts]
    assert not len(ends)


SCORED = [
    "", "a", "ab", "abcde", "abcdef", "abcdefg",  # around the window's width
    "    ", "1234567890", "!!!???", "\x00\x01", "\U0001f4f0" * 3,
    "ÉCRIT EN CAPITALES", "e\u0301te\u0301",  # lowered, composed by py3langid first
    "\ud800 lone surrogate",
    "Quatre jours après avoir été écarté de la tête d’OpenAI, Sam Altman rejoint Microsoft.",
    "مرحبا بالعالم، هذا نص عربي قصير", "日本語のテキストです。", "Ελληνικό κείμενο εδώ",
]


@pytest.mark.parametrize("text", SCORED + [p.read_text(encoding="utf-8", errors="replace")[:3000]
                                          for p in PAGES[::5]])
def test_scores_equal_py3langids_bit_for_bit(text: str) -> None:
    assert np.array_equal(language._identifier()._decide(text), _py3langid()._decide(text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_scores_of_any_text_equal_py3langids(text: str) -> None:
    assert np.array_equal(language._identifier()._decide(text), _py3langid()._decide(text))


@given(st.lists(st.integers(0, 120_000), max_size=3000))
def test_first_seen_is_unique_values_in_order_of_first_sight(values: list[int]) -> None:
    array = np.array(values, dtype=np.intp)
    first = dict.fromkeys(values)  # insertion order: first sight
    found, counts = identifier._first_seen(array)
    assert found.tolist() == list(first)
    assert counts.tolist() == [values.count(v) for v in first]


# The unpacked tables kept in a cache folder and mapped (identifier.Identifier.load).

def _mapped(ident: identifier.Identifier) -> bool:
    """Whether both big tables are read from a mapped file."""
    return all(isinstance(table.base, np.memmap) for table in (ident._halves, ident._moves))


def test_the_session_identifier_maps_its_tables_from_the_cache() -> None:
    # conftest points the cache at a folder of the test session's own
    assert _mapped(language._identifier())


def _scores_equal_py3langids(ident: identifier.Identifier) -> bool:
    return all(np.array_equal(ident._decide(text), _py3langid()._decide(text))
               for text in SCORED)


def test_a_cache_is_filled_once_then_mapped(tmp_path: Path) -> None:
    first = identifier.Identifier.load(tmp_path)
    (folder,) = tmp_path.iterdir()  # one folder, no draft left beside it
    written = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    second = identifier.Identifier.load(tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == written
    for ident in (first, second):
        assert ident.vectorised and _mapped(ident)
        assert _scores_equal_py3langids(ident)


def test_without_a_cache_the_tables_are_loaded_into_memory() -> None:
    ident = identifier.Identifier.load(Path())
    assert ident.vectorised and not _mapped(ident)
    assert _scores_equal_py3langids(ident)


def test_a_damaged_cache_is_filled_again(tmp_path: Path) -> None:
    identifier.Identifier.load(tmp_path)
    (folder,) = tmp_path.iterdir()
    table = folder / "nextmove.npy"
    table.write_bytes(table.read_bytes()[:1000])  # cut short, as by a crash
    ident = identifier.Identifier.load(tmp_path)
    assert _mapped(ident) and _scores_equal_py3langids(ident)
    assert table.stat().st_size > 1000


def test_a_cache_that_cannot_be_written_leaves_the_tables_in_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    ident = identifier.Identifier.load(blocked)
    assert ident.vectorised and not _mapped(ident)
    assert list(tmp_path.iterdir()) == [blocked]


@pytest.mark.parametrize(("env", "expected"), [
    ({"NEWSCLEAN_CACHE_DIR": "/c/n", "XDG_CACHE_HOME": "/x"}, "/c/n"),
    ({"NEWSCLEAN_CACHE_DIR": ""}, ""),  # turned off
    ({"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x/newsclean"),
    ({"HOME": "/h"}, "/h/.cache/newsclean"),
])
def test_cache_folder(env: dict[str, str], expected: str,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEWSCLEAN_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert identifier.cache_folder() == Path(expected)


def test_no_home_folder_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEWSCLEAN_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(identifier.os.path, "expanduser", lambda path: path)  # "~" unresolved
    assert identifier.cache_folder() == Path()


# A record's language: the guess made before classifying, from the page's longest
# lines, is kept when most of what it read is body text; else the body is read.

_PARAGRAPHS = [
    "Le conseil municipal a voté mardi soir le budget de l’année prochaine, après un long "
    "débat sur les écoles, les parcs et les transports de la ville.",
    "La maire a défendu une hausse des dépenses pour les écoles, que l’opposition juge trop "
    "coûteuse alors que les impôts locaux augmentent déjà cette année.",
    "Le vote final a eu lieu peu avant minuit, et le budget sera présenté aux habitants lors "
    "d’une réunion publique le mois prochain dans la salle des fêtes.",
]
_LINKS = ["Lire aussi : Les impôts locaux en hausse", "Lire aussi : Le nouveau parc ouvrira en mai",
          "Partager sur Facebook", "Partager sur Twitter", "Newsletter", "Accueil", "Politique",
          "Contact", "Mentions légales"]
_COMMENTS = [
    "I think this budget is a disgrace and the council should be ashamed of what it is doing "
    "to the schools and the parks of this city, honestly.",
    "Totally agree with the previous comment, they never listen to the people who actually "
    "live here and pay the taxes every single year without fail.",
]
_TITLE = "Budget : le conseil municipal vote"


@pytest.mark.parametrize(("page", "identifications"), [
    # three paragraphs are most of the text read, though fewer lines than the links
    ("\n\n".join([_TITLE, *_PARAGRAPHS, "\n".join(_LINKS)]), 1),
    # the English comments are most of it: the body is read again
    ("\n\n".join([_TITLE, *_PARAGRAPHS[:2], "Commentaires",
                  *(f"Jean Dupont\n{c}" for c in _COMMENTS)]), 2),
])
def test_the_body_is_identified_again_only_when_the_guess_read_mostly_other_text(
        page: str, identifications: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import core

    read: list[str] = []

    def counted(text: str) -> str | None:
        read.append(text)
        return detect_language(text)

    monkeypatch.setattr(core, "detect_language", counted)
    (record,) = core.clean_bytes(page.encode(), path="page.txt")
    assert record.language == "fr"
    assert len(read) == identifications
