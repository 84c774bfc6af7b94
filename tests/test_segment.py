"""Segmenting repaired lines, and splitting glued paragraphs only on strong evidence."""

import pytest

from pipeline.segment import segment, split_glued

SPLITS = [
    # sentence end glued to the next sentence
    ("par le géant Microsoft.De la mise à l’écart",
     ["par le géant Microsoft.", "De la mise à l’écart"]),
    ("He left.She stayed.", ["He left.", "She stayed."]),
    ("Vraiment ?Oui, vraiment !Bon.", ["Vraiment ?", "Oui, vraiment !", "Bon."]),
    # a closing quote stays with its sentence
    ("a-t-il dit.”Le départ", ["a-t-il dit.”", "Le départ"]),
    ("« Partez. »Puis il est parti.", ["« Partez. »Puis il est parti."]),  # space before »: no glue
    # a heading glued to the next sentence
    ("le licenciement surprise de la superstarVendredi 17 novembre",
     ["le licenciement surprise de la superstar", "Vendredi 17 novembre"]),
    ("la confirmation d’OpenAIMais Sam Altman", ["la confirmation d’OpenAI", "Mais Sam Altman"]),
    # an ellipsis of three full stops ends a sentence as "…" does
    ("You may also like...Who will make it?", ["You may also like...", "Who will make it?"]),
    ("la suite…Le départ", ["la suite…", "Le départ"]),
]

UNCHANGED = [
    "OpenAI, ChatGPT, iPhone, eBay, McDonald, YouTube, PayPal et JPMorgan",
    "Le taux est passé à 3.5 % aux U.S.A. selon M. Dupont",
    "Voir https://www.example.com/Page.Html?Id=Ab.Cd et mail@Example.Com",
    "La version 2.0.Beta est sortie",  # digit then capital + lower: "2.0.Beta" is a version
    "Il a dit : « Oui. » Puis il est parti.",
    "Un texte ordinaire, sans rien de collé.",
    "日本語の文章です。次の文です。",
    "C’est l’été à Saint-Étienne.",
    "Made in the U.S...The end",  # a dotted token before the ellipsis: an abbreviation
    "Wait... What now",
]


@pytest.mark.parametrize(("text", "expected"), SPLITS)
def test_glued_paragraphs_are_split(text: str, expected: list[str]) -> None:
    assert split_glued(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_text_without_strong_evidence_stays_whole(text: str) -> None:
    assert split_glued(text) == [text]


def test_segment_numbers_lines_and_marks_gaps() -> None:
    lines = list(segment(["Titre", "", "", "Premier.Second", "Suite"]))
    assert [(x.number, x.part, x.text, x.gap_before) for x in lines] == [
        (1, 0, "Titre", True),
        (4, 0, "Premier.", True),
        (4, 1, "Second", False),
        (5, 0, "Suite", False),
    ]


def test_segment_keeps_line_breaks_inside_a_line() -> None:
    [line] = list(segment(["un commentaire\navec une ligne de plus"]))
    assert line.text == "un commentaire\navec une ligne de plus"


def test_a_long_line_is_cut_at_its_sentence_ends() -> None:
    lines = list(segment(["Il pleut. Le vent souffle fort. Il pleut."], long_line_chars=20))
    assert [(x.part, x.text, x.continues) for x in lines] == [
        (0, "Il pleut.", False), (1, "Le vent souffle fort.", True), (2, "Il pleut.", True)]


def test_a_sentence_repeated_through_a_long_line_is_held_once() -> None:
    # a 50 MB page of one sentence over and over would otherwise hold it 700,000 times
    line = " ".join(["Le conseil a voté.", "Le maire a parlé."] * 500)
    lines = list(segment([line], long_line_chars=100))
    assert len(lines) == 1000
    assert len({id(x.text) for x in lines}) == 2
