"""Nothing lost: every non-blank input line ends up in exactly one place."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import DEFAULT_CONFIG, ClassifierThresholds, Config
from pipeline.core import Placement, clean_item
from pipeline.document import Item, Line
from pipeline.record import Article, SourceFormat
from pipeline.repair import repair
from pipeline.segment import segment

RAW = Path(__file__).resolve().parent.parent / "raw"

POOL = [
    "Menu", "close", "logo", "*.*.*", "Publicité", "Lire aussi : un autre article", "Partager",
    "Facebook", "Commentaires (3)", "Répondre", "Par Jean Dupont, publié le 21 novembre 2023",
    "Source : Wired", "Tags : économie, politique", "Publish date : 2023-11-20 15:55:27",
    "Source link : https://www.example.com/a/b", "Author :", "jdupont", "Paul dit :",
    "Un titre de test assez long pour en être un",
    "Le gouvernement a présenté mardi un projet de loi qui doit réformer en profondeur le "
    "financement des collectivités locales, une réforme attendue depuis des années.",
    "The city council voted on Tuesday to approve a new budget that raises spending on "
    "schools and parks.Critics said the plan was unaffordable.",
    "Sur le même sujet", "Copyright © 2024 Exemple", "Voici ce qu’en dit ChatGPT :<br /> Sam",
    "10", "", "", "",
]


def check_placements(item: Item, article: Article, placements: list[Placement],
                     config: Config = DEFAULT_CONFIG) -> None:
    lines = list(segment(repair(item.text).lines,
                         long_line_chars=config.classifier.long_line_chars))
    keys = [(x.number, x.part) for x in lines]
    placed = [(p.line, p.part) for p in placements]
    assert sorted(placed) == sorted(keys), "every line placed exactly once"
    by_key = {(x.number, x.part): x for x in lines}
    for p in placements:
        line = by_key[(p.line, p.part)]
        if p.place == "body":
            for part in line.text.split("\n"):
                assert part.strip() in article.body
        elif p.place == "title":
            assert article.title == line.text
        elif p.place == "comment":
            # a comment's text line, its author line ("Paul dit :") or its date line
            assert any(line.text in c.text or (c.author and c.author in line.text) or c.date
                       for c in article.comments)
        else:
            assert p.place.startswith(("removed:", "metadata:"))
    assert [(r.line, r.text, f"removed:{r.reason.value}") for r in article.removed] == \
        expected_removed(placements, by_key)


def expected_removed(placements: list[Placement], by_key: dict[tuple[int, int], Line]
                     ) -> list[tuple[int, str, str]]:
    """One entry per removed line; sentences cut from one long line and removed one after
    the other for the same reason share an entry, their texts joined with a space."""
    entries: list[tuple[int, str, str]] = []
    previous = None
    for p in placements:
        line = by_key[(p.line, p.part)]
        if p.place.startswith("removed:"):
            if line.continues and previous == p.place:
                entries[-1] = (line.number, f"{entries[-1][1]} {line.text}", p.place)
            else:
                entries.append((line.number, line.text, p.place))
        previous = p.place
    return entries


def _item(text: str) -> Item:
    return Item(text=text, format=SourceFormat.TXT, encoding="utf-8")


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name[:3])
def test_every_sample_line_is_placed_once(path: Path) -> None:
    item = _item(path.read_text(encoding="utf-8"))
    article, placements = clean_item(item, record_id="x", path=path.name, sha256="0" * 64)
    check_placements(item, article, placements)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(POOL), st.text(max_size=80)), min_size=1,
                max_size=25))
def test_every_generated_line_is_placed_once(lines: list[str]) -> None:
    text = "\n".join(lines)
    if not any(line.strip() for line in repair(text).lines):
        return
    item = _item(text)
    article, placements = clean_item(item, record_id="x", path="x.txt", sha256="0" * 64)
    check_placements(item, article, placements)


# Long lines are cut at sentence ends from this many characters: low enough that
# lines of a few pool sentences run together are judged sentence by sentence.
SHORT_CUT = Config(classifier=ClassifierThresholds(long_line_chars=60))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(st.sampled_from(POOL), st.text(max_size=40)), min_size=1,
                         max_size=8).map(" ".join), min_size=1, max_size=12))
def test_every_sentence_of_a_long_line_is_placed_once(lines: list[str]) -> None:
    text = "\n".join(lines)
    if not any(line.strip() for line in repair(text).lines):
        return
    item = _item(text)
    article, placements = clean_item(item, record_id="x", path="x.txt", sha256="0" * 64,
                                     config=SHORT_CUT)
    check_placements(item, article, placements, SHORT_CUT)


def test_sentences_of_a_long_line_removed_together_are_one_entry() -> None:
    article, _ = clean_item(_item("Un titre de test assez long pour en être un\n\n" + POOL[19]
                                  + "\n\n" + " ".join([POOL[19]] * 3)),
                            record_id="x", path="x.txt", sha256="0" * 64, config=SHORT_CUT)
    assert [(r.line, r.text, r.reason.value) for r in article.removed] == [
        (5, " ".join([POOL[19]] * 3), "duplicate")]


def test_a_long_line_cut_for_judging_is_whole_again_and_not_a_repair() -> None:
    line = " ".join(f"Le conseil municipal a adopté le point {n} du budget pour les écoles, "
                    f"après un long débat sur les dépenses de la ville." for n in range(30))
    article, placements = clean_item(_item(line), record_id="x", path="x.txt", sha256="0" * 64)
    assert len(placements) > 1  # judged sentence by sentence
    assert article.body == line
    assert "glued-paragraph" not in article.repairs


def test_glued_paragraphs_are_counted_as_repairs() -> None:
    article, _ = clean_item(_item("Le vote a eu lieu mardi soir.Le budget a été adopté."),
                            record_id="x", path="x.txt", sha256="0" * 64)
    assert article.repairs["glued-paragraph"] == 1
