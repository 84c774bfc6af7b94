"""Metadata lines, hints and merging: what each form gives, and what must give nothing."""

from __future__ import annotations

import time

import pytest

from pipeline.dates import LANGUAGES, fold
from pipeline.document import Hints, Metadata
from pipeline.metadata import (
    MetaField,
    MetaHit,
    Origin,
    Zone,
    from_hints,
    looks_like_person,
    merge,
    parse_comment_count,
    read_line,
)

F = MetaField
H, B, T = Zone.HEAD, Zone.BODY, Zone.TAIL
NOT_METADATA = None
URL000 = ("https://www.lexpress.fr/economie/high-tech/"
          "sam-altman-laffaire-qui-secoue-openai-en-5-actes-WSTLOMW24BC4HDFOGMMSFZT6GU/")

Expected = tuple[tuple[MetaField, object], ...] | None

LINES: list[tuple[str, Zone, str | None, Expected]] = [
    # --- the five samples' metadata lines (golden expectations)
    (f"Source link : {URL000}", T, "fr", ((F.URL, URL000),)),
    ("Author :", T, "fr", ((F.AUTHORS, ()),)),
    ("Publish date : 2023-11-20 15:55:27", T, "fr", ((F.PUBLISHED_AT, "2023-11-20T15:55:27"),)),
    ("Tags :L’Express", T, "fr", ((F.TAGS, ("L’Express",)), (F.SITE_NAME, "L’Express"))),
    ("Par , publié le 21 novembre 2023", H, "fr",
     ((F.AUTHORS, ()), (F.PUBLISHED_AT, "2023-11-21"))),
    ("20 novembre 2023 à 17h19", H, "fr", ((F.PUBLISHED_AT, "2023-11-20T17:19"),)),
    ("Source : Wired", T, "fr", ((F.SOURCE_CREDIT, "Wired"),)),
    ("Copyright for syndicated content belongs to the linked Source.", T, "fr", NOT_METADATA),
    # --- URL lines
    ("Lien source : https://www.example.fr/a/b.html", T, "fr",
     ((F.URL, "https://www.example.fr/a/b.html"),)),
    ("Lien source : https://www.example.fr/a/b.html", B, "fr",  # unambiguous label
     ((F.URL, "https://www.example.fr/a/b.html"),)),
    ("Source : https://www.wired.com/story/openai/", T, "fr",
     ((F.URL, "https://www.wired.com/story/openai/"),)),
    ("Article original : https://example.com/article", T, "fr",
     ((F.URL, "https://example.com/article"),)),
    ("Original article: https://example.com/article.", T, "en",
     ((F.URL, "https://example.com/article"),)),
    ("Read more at https://example.com/story", T, "en", ((F.URL, "https://example.com/story"),)),
    ("Read more at https://example.com/story", B, "en", NOT_METADATA),  # a link in the text
    ("https://www.example.com/2023/11/20/story", T, None,
     ((F.URL, "https://www.example.com/2023/11/20/story"),)),
    ("https://www.example.com/2023/11/20/story", H, None,
     ((F.URL, "https://www.example.com/2023/11/20/story"),)),
    ("https://www.example.com/2023/11/20/story", B, None, NOT_METADATA),
    ("Source link : example dot com", T, "en", NOT_METADATA),
    ("Voir https://www.example.com/ pour les détails.", H, "fr", NOT_METADATA),
    # --- dates
    ("Publié le 21 novembre 2023", H, "fr", ((F.PUBLISHED_AT, "2023-11-21"),)),
    ("Publié le 21 novembre 2023", B, "fr", ((F.PUBLISHED_AT, "2023-11-21"),)),
    ("Date de publication : 12/02/2024", T, "fr", ((F.PUBLISHED_AT, "2024-02-12"),)),
    ("le 1er août 2024", H, "fr", ((F.PUBLISHED_AT, "2024-08-01"),)),
    ("mardi 9 avril 2024", H, "fr", ((F.PUBLISHED_AT, "2024-04-09"),)),
    ("20 novembre 2023 à 17 h 19", H, "fr", ((F.PUBLISHED_AT, "2023-11-20T17:19"),)),
    ("Mis à jour le 22 novembre 2023 à 08h15", H, "fr", ((F.UPDATED_AT, "2023-11-22T08:15"),)),
    ("Publié le 21 novembre 2023 à 10h00, mis à jour le 22 novembre 2023 à 08h15", H, "fr",
     ((F.PUBLISHED_AT, "2023-11-21T10:00"), (F.UPDATED_AT, "2023-11-22T08:15"))),
    ("Published March 3, 2024 at 8:15 a.m.", H, "en", ((F.PUBLISHED_AT, "2024-03-03T08:15"),)),
    ("Updated: Nov. 20, 2023", H, "en", ((F.UPDATED_AT, "2023-11-20"),)),
    ("Nov. 20, 2023", H, "en", ((F.PUBLISHED_AT, "2023-11-20"),)),
    ("Mon, 20 Nov 2023 15:55:27 +0100", T, None,
     ((F.PUBLISHED_AT, "2023-11-20T15:55:27+01:00"),)),
    ("Stand: 20.11.2023 17:19 Uhr", H, "de", ((F.UPDATED_AT, "2023-11-20T17:19"),)),
    ("Publish date :", T, "en", ()),  # a template line with its value left empty
    ("Vendredi 17 novembre 2023", B, "fr", NOT_METADATA),  # a dated heading in the body
    # relative dates: read as date lines, never resolved (no value)
    ("il y a 2 heures", H, "fr", ()),
    ("Publié il y a 2 heures", H, "fr", ()),
    ("2 hours ago", H, "en", ()),
    ("Updated yesterday at 8:15 a.m.", H, "en", ()),
    ("il y a 2 heures", B, "fr", NOT_METADATA),
    ("Par Jean Dupont, publié il y a 2 heures", H, "fr", ((F.AUTHORS, ("Jean Dupont",)),)),
    ("Il y a 2 ans, la société a changé de patron.", H, "fr", NOT_METADATA),
    ("Le 21 novembre 2023, le conseil d’administration a limogé Sam Altman.", B, "fr",
     NOT_METADATA),
    ("Published in 2019, the report found that emissions rose.", H, "en", NOT_METADATA),
    # --- authors
    ("Par Jean Dupont", H, "fr", ((F.AUTHORS, ("Jean Dupont",)),)),
    ("Par Jean Dupont et Marie Curie", H, "fr", ((F.AUTHORS, ("Jean Dupont", "Marie Curie")),)),
    ("By Jane Doe and John Roe", H, "en", ((F.AUTHORS, ("Jane Doe", "John Roe")),)),
    ("Author : Jane Doe", T, "en", ((F.AUTHORS, ("Jane Doe",)),)),
    ("Auteur : Jean-Pierre Dupont", T, "fr", ((F.AUTHORS, ("Jean-Pierre Dupont",)),)),
    ("Auteur : Victor Hugo", B, "fr", NOT_METADATA),  # a book review's fact box
    ("Par Jean Dupont, publié le 21 novembre 2023 à 10h00", H, "fr",
     ((F.AUTHORS, ("Jean Dupont",)), (F.PUBLISHED_AT, "2023-11-21T10:00"))),
    ("Publié le 21 novembre 2023 par Jean Dupont", H, "fr",
     ((F.PUBLISHED_AT, "2023-11-21"), (F.AUTHORS, ("Jean Dupont",)))),
    ("By Jane Doe | Updated 10:01 pm PST, Tuesday, November 19, 2019", H, "en",
     ((F.AUTHORS, ("Jane Doe",)), (F.UPDATED_AT, "2019-11-19T22:01-08:00"))),
    ("Par Marie-Claire DELAIRE, le mercredi 15 mai 2019 à 15h24", H, "fr",
     ((F.AUTHORS, ("Marie-Claire DELAIRE",)), (F.PUBLISHED_AT, "2019-05-15T15:24"))),
    ("By Jane Doe, senior correspondent", H, "en", ((F.AUTHORS, ("Jane Doe",)),)),
    # a trade after the name, a word or two before it; a name in capitals after a label
    ("By Michael Hiltzik Business Columnist", H, "en", ((F.AUTHORS, ("Michael Hiltzik",)),)),
    ("By Bruce Y. Lee Senior Contributor", H, "en", ((F.AUTHORS, ("Bruce Y. Lee",)),)),
    ("Par Jean Dupont correspondant à Londres", H, "fr", ((F.AUTHORS, ("Jean Dupont",)),)),
    ("By DANICA KIRKA and JILL LAWLESS", H, "en",
     ((F.AUTHORS, ("DANICA KIRKA", "JILL LAWLESS")),)),
    ("By CNN BUSINESS", H, "en", None),  # an outlet's initials, not a first name
    ("By BBC SPORT", H, "en", None),
    ("By ÉMILE ZOLA", H, "en", ((F.AUTHORS, ("ÉMILE ZOLA",)),)),
    ("By Jerusalem Post Staff", H, "en", ((F.AUTHORS, ()),)),
    ("Michael Hiltzik Business Columnist", H, "en", NOT_METADATA),  # no label: a heading
    ("By Jane Doe | November 18, 2019 at 2:26 PM HST", H, "en",
     ((F.AUTHORS, ("Jane Doe",)), (F.PUBLISHED_AT, "2019-11-18T14:26-10:00"))),
    ("Written by Alina Petre, MS, RD", H, "en", ((F.AUTHORS, ("Alina Petre",)),)),
    ("By Andrew C. McCarthy", H, "en", ((F.AUTHORS, ("Andrew C. McCarthy",)),)),
    ("Par Marine Le Pen", H, "fr", ((F.AUTHORS, ("Marine Le Pen",)),)),
    ("Von Heike Buchter", H, "de", ((F.AUTHORS, ("Heike Buchter",)),)),
    ("26.05.2020 / Nicolas Šustr", H, "de",
     ((F.PUBLISHED_AT, "2020-05-26"), (F.AUTHORS, ("Nicolas Šustr",)))),
    ("2020-04-26 Deutsche Sprache", H, "de", NOT_METADATA),  # no separator: a heading
    ("Par AFP", H, "fr", ((F.AUTHORS, ()), (F.SOURCE_CREDIT, "AFP"))),
    ("By Reuters", H, "en", ((F.AUTHORS, ()), (F.SOURCE_CREDIT, "Reuters"))),
    ("Par Jean-Pierre Dupont (AFP)", H, "fr",
     ((F.AUTHORS, ("Jean-Pierre Dupont",)), (F.SOURCE_CREDIT, "AFP"))),
    ("Par Jean Dupont avec AFP", H, "fr",
     ((F.AUTHORS, ("Jean Dupont",)), (F.SOURCE_CREDIT, "AFP"))),
    ("Par Le Figaro avec AFP", H, "fr",
     ((F.AUTHORS, ()), (F.SOURCE_CREDIT, "AFP"), (F.SITE_NAME, "Le Figaro"))),
    ("By Jane Doe for The Guardian", H, "en",
     ((F.AUTHORS, ("Jane Doe",)), (F.SITE_NAME, "The Guardian"))),
    ("Par la rédaction", H, "fr", ((F.AUTHORS, ()),)),
    ("By admin", H, "en", ((F.AUTHORS, ()),)),
    ("By Staff", H, "en", ((F.AUTHORS, ()),)),
    ("Par", H, "fr", NOT_METADATA),
    ("Par ailleurs, le gouvernement a annoncé une réforme le 21 novembre 2023.", B, "fr",
     NOT_METADATA),
    ("Par ailleurs, le gouvernement", H, "fr", NOT_METADATA),
    ("Par exemple", H, "fr", NOT_METADATA),
    ("By the way, nobody asked.", H, "en", NOT_METADATA),
    ("Par Emmanuel Macron lui-même", H, "fr", NOT_METADATA),
    ("Von den 500 Mitarbeitern haben 400 unterschrieben.", B, "de", NOT_METADATA),
    ("Samir Rahmoune", H, "fr", NOT_METADATA),  # a name alone: the classifier decides
    # --- tags
    ("Tags : IA, OpenAI, Microsoft", T, "fr", ((F.TAGS, ("IA", "OpenAI", "Microsoft")),)),
    ("Mots-clés : intelligence artificielle, Sam Altman", T, "fr",
     ((F.TAGS, ("intelligence artificielle", "Sam Altman")),)),
    ("Étiquettes : économie ; technologie", T, "fr", ((F.TAGS, ("économie", "technologie")),)),
    ("Thèmes : Santé, Recherche", T, "fr", ((F.TAGS, ("Santé", "Recherche")),)),
    ("Filed under: Tech, Science", T, "en", ((F.TAGS, ("Tech", "Science")),)),
    ("Tags: #IA #OpenAI", T, "en", ((F.TAGS, ("IA", "OpenAI")),)),
    ("Tags : IA, IA, ia", T, "fr", ((F.TAGS, ("IA",)),)),
    ("Tags :", T, "fr", ((F.TAGS, ()),)),
    ("Tags : Intelligence artificielle", T, "fr", ((F.TAGS, ("Intelligence artificielle",)),)),
    ("Tags : Le site a publié une longue enquête sur le sujet. Lire la suite.", T, "fr",
     NOT_METADATA),
    ("Thème : Twenty Twenty par WordPress", T, "fr", NOT_METADATA),  # a theme credit
    # --- credited source
    ("(avec AFP)", T, "fr", ((F.SOURCE_CREDIT, "AFP"),)),
    ("(avec AFP)", B, "fr", ((F.SOURCE_CREDIT, "AFP"),)),
    ("Avec AFP et Reuters", T, "fr", ((F.SOURCE_CREDIT, "AFP et Reuters"),)),
    ("(with Reuters)", T, "en", ((F.SOURCE_CREDIT, "Reuters"),)),
    ("Crédit : Reuters", T, "fr", ((F.SOURCE_CREDIT, "Reuters"),)),
    ("Crédit : Getty Images", T, "fr", NOT_METADATA),  # a picture's credit
    ("Source : Insee", B, "fr", NOT_METADATA),  # under a chart
    ("Source : Insee", T, "fr", ((F.SOURCE_CREDIT, "Insee"),)),
    ("Sources : Insee, Eurostat", T, "fr", ((F.SOURCE_CREDIT, "Insee, Eurostat"),)),
    ("AFP", T, "fr", ((F.SOURCE_CREDIT, "AFP"),)),
    ("AFP", B, "fr", NOT_METADATA),
    ("Map", T, "en", NOT_METADATA),  # not the agency MAP
    ("Mit Video", T, "de", NOT_METADATA),
    ("Source : selon les chiffres publiés hier, le chômage a baissé. Voir aussi.", T, "fr",
     NOT_METADATA),
    # --- title
    ("Titre : Sam Altman rejoint Microsoft", H, "fr",
     ((F.TITLE, "Sam Altman rejoint Microsoft"),)),
    ("Titre : Les Misérables", B, "fr", NOT_METADATA),
    # --- a byline, then its date after the date's prefix ("on", "le", "am")
    ("Written by Ana Sandoiu on July 27, 2017", H, "en",
     ((F.AUTHORS, ("Ana Sandoiu",)), (F.PUBLISHED_AT, "2017-07-27"))),
    ("By Jane Doe on Monday, March 4, 2024", H, "en",
     ((F.AUTHORS, ("Jane Doe",)), (F.PUBLISHED_AT, "2024-03-04"))),
    ("Par Jean Dupont le 21 novembre 2023", H, "fr",
     ((F.AUTHORS, ("Jean Dupont",)), (F.PUBLISHED_AT, "2023-11-21"))),
    ("Von Anna Schmidt am 3. Mai 2022", H, "de",
     ((F.AUTHORS, ("Anna Schmidt",)), (F.PUBLISHED_AT, "2022-05-03"))),
    # a particle that is no date's prefix stays in the name
    ("Par Jean Le Gall", H, "fr", ((F.AUTHORS, ("Jean Le Gall",)),)),
    ("Par Jean Le Gall le 3 mai 2022", H, "fr",
     ((F.AUTHORS, ("Jean Le Gall",)), (F.PUBLISHED_AT, "2022-05-03"))),
    # --- Spanish bylines and datelines
    ("Por Luciana Bertoia", H, "es", ((F.AUTHORS, ("Luciana Bertoia",)),)),
    ("Por Isabel Caro, Rocío Latorre y José Miguel Wilson", H, "es",
     ((F.AUTHORS, ("Isabel Caro", "Rocío Latorre", "José Miguel Wilson")),)),
    ("Por Rodrigo Mejías 04 de mayo 2022 a las 09:01 hrs.", H, "es",
     ((F.AUTHORS, ("Rodrigo Mejías",)), (F.PUBLISHED_AT, "2022-05-04T09:01"))),
    ("Publicado el 03/05/2022 a las 22h03", H, "es", ((F.PUBLISHED_AT, "2022-05-03T22:03"),)),
    ("Actualizado el 08/05/2022 02:14 a.m.", H, "es", ((F.UPDATED_AT, "2022-05-08T02:14"),)),
    ("Por Juan Pérez con EFE", H, "es", ((F.AUTHORS, ("Juan Pérez",)),
                                         (F.SOURCE_CREDIT, "EFE"))),
    ("Por qué el Gobierno retrasa la reforma", H, "es", NOT_METADATA),
    # --- a list item's marker: a dump renders the date or byline of a <li> as "* …"
    ("* 26.02.2020", H, "de", ((F.PUBLISHED_AT, "2020-02-26"),)),
    ("• 20 novembre 2023 à 17h19", H, "fr", ((F.PUBLISHED_AT, "2023-11-20T17:19"),)),
    ("- By Jane Doe", H, "en", ((F.AUTHORS, ("Jane Doe",)),)),
    ("* Published: 30 January 2017", H, "en", ((F.PUBLISHED_AT, "2017-01-30"),)),
    ("* Sommaire", H, "fr", NOT_METADATA),
    # a theme's publication and update dates, glued together by the dump
    ("Veröffentlicht am 10. Februar 20199. Februar 2019 von Heiko Müller", H, "de",
     ((F.PUBLISHED_AT, "2019-02-10"), (F.AUTHORS, ("Heiko Müller",)))),
    ("Posted on August 2, 2019August 2, 2019", H, "en", ((F.PUBLISHED_AT, "2019-08-02"),)),
    ("20 novembre 202320 novembre", H, "fr", NOT_METADATA),
    ("-20 novembre 2023", H, "fr", NOT_METADATA),  # a marker has its space
    # --- lines that are no metadata at all
    ("Sam Altman : l’affaire qui secoue OpenAI en cinq actes", H, "fr", NOT_METADATA),
    ("Lire d'autres articles", T, "fr", NOT_METADATA),
    ("Commentaires (10)", T, "fr", NOT_METADATA),
    ("10", H, "fr", NOT_METADATA),
    ("", H, "fr", NOT_METADATA),
    ("Publié le " + "très " * 60 + "tard", H, "fr", NOT_METADATA),
]


def _pairs(hits: tuple[MetaHit, ...] | None) -> Expected:
    return None if hits is None else tuple((h.field, h.value) for h in hits)


@pytest.mark.parametrize(("text", "zone", "language", "expected"), LINES)
def test_read_line(text: str, zone: Zone, language: str | None, expected: Expected) -> None:
    assert _pairs(read_line(text, zone, language)) == expected


@pytest.mark.parametrize(("text", "zone", "language", "expected"),
                         [case for case in LINES if case[2] in ("fr", "en")])
def test_read_line_without_language_hint(text: str, zone: Zone, language: str | None,
                                         expected: Expected) -> None:
    # French and English are both tried when the language is unknown
    assert _pairs(read_line(text, zone, None)) == expected


def test_read_line_is_cheap_on_paragraphs() -> None:
    paragraph = ("Par ailleurs, le conseil d’administration d’OpenAI a annoncé vendredi 17 "
                 "novembre 2023 le départ de son patron, une décision qui a surpris. ") * 3
    lines = [paragraph, "Des centaines d'employés d'OpenAI ont signé une lettre.",
             "Le drame d’OpenAI touche à sa fin"] * 300
    read_line("warm up", Zone.BODY, "fr")
    start = time.perf_counter()
    for line in lines:
        read_line(line, Zone.BODY, "fr")
    assert (time.perf_counter() - start) / len(lines) < 2e-4


PERSONS = [
    ("Samir Rahmoune", True),
    ("Jean-Pierre Dupont", True),
    ("Marie-Hélène de La Tour", True),
    ("Jean DUPONT", True),
    ("J.-P. Dupont", True),
    ("Troy L. Smith", True),  # "L." is an initial, not the elided article "l'"
    ("Marie L. Dupont", True),
    ("Pierre d’Alembert", True),
    ("Ursula von der Leyen", True),
    ("Microsoft", False),
    ("Satya", False),
    ("Lire d'autres articles", False),
    ("Sur le même sujet", False),
    ("Voir tous les messages sur le forum", False),
    ("Read More Stories", False),
    ("Related Articles", False),
    ("Le Monde", False),
    ("The Washington Post", False),
    ("AFP", False),
    ("La Rédaction", False),
    ("CNN Business", False),
    ("HAUT DE PAGE", False),
    ("Jean Dupont, journaliste", False),
    ("Jean 2 Dupont", False),
    ("de Gaulle", False),
    ("Ihr Warenkorb", False),  # a possessive: "your basket"
    ("Unser Team", False),
    ("Jean de", False),
    ("Editorial StaffPublish", False),
    ("Un smartphone affichant ChatGPT avec OpenAI en arrière-fond", False),
]


@pytest.mark.parametrize(("text", "expected"), PERSONS)
def test_looks_like_person(text: str, expected: bool) -> None:
    assert looks_like_person(text) is expected


COUNTS = [
    ("Commentaires (10)", 10),
    ("Commentaires : 10", 10),
    ("12 commentaires", 12),
    ("1 commentaire", 1),
    ("3 Comments", 3),
    ("Comments (3)", 3),
    ("No Comments Yet", 0),
    ("Aucun commentaire", 0),
    ("Be the first to comment!", 0),
    ("Réactions (4)", 4),
    ("12 thoughts on “Sam Altman returns”", 12),
    ("5 Kommentare", 5),
    ("Comments are closed", None),
    ("Laisser un commentaire", None),
    ("Commentaires", None),
    ("10", None),
    ("Il y a 12 commentaires sur cet article et d'autres encore", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), COUNTS)
def test_parse_comment_count(text: str, expected: int | None) -> None:
    assert parse_comment_count(text) == expected


def _hint_pairs(hints: Hints) -> dict[MetaField, object]:
    hits = from_hints(hints)
    assert all(h.origin is Origin.HINT for h in hits)
    found: dict[MetaField, object] = {}
    for h in hits:
        found.setdefault(h.field, h.value)
    return found


HINTS = [
    # title: the site suffix goes when it names the site (site_name or host)
    (Hints(title="Un titre | Le Monde", site_name="Le Monde"), {F.TITLE: "Un titre",
                                                                F.SITE_NAME: "Le Monde"}),
    (Hints(title="Storm hits coast - BBC News", url="https://www.bbc.co.uk/news/1"),
     {F.TITLE: "Storm hits coast", F.URL: "https://www.bbc.co.uk/news/1"}),
    (Hints(title="Le Monde | Un titre", site_name="Le Monde"), {F.TITLE: "Un titre",
                                                                F.SITE_NAME: "Le Monde"}),
    (Hints(title="Sam Altman : l’affaire en cinq actes", site_name="L’Express"),
     {F.TITLE: "Sam Altman : l’affaire en cinq actes", F.SITE_NAME: "L’Express"}),
    (Hints(title="Crisis at Apple - Apple stock drops", url="https://www.apple.com/x"),
     {F.TITLE: "Crisis at Apple - Apple stock drops", F.URL: "https://www.apple.com/x"}),
    # URLs: only absolute http(s) ones with a host
    (Hints(url="/relative/path.html"), {}),
    (Hints(url="javascript:void(0)"), {}),
    (Hints(url="https://localhost/x"), {}),
    # dates: parsed to ISO, relative or invalid ones dropped
    (Hints(published_at="2023-11-20"), {F.PUBLISHED_AT: "2023-11-20"}),
    (Hints(published_at="2023-11-20T15:55:27+01:00", updated_at="2023-11-21 08:00:00"),
     {F.PUBLISHED_AT: "2023-11-20T15:55:27+01:00", F.UPDATED_AT: "2023-11-21T08:00:00"}),
    (Hints(published_at="21 novembre 2023", language="fr-FR"), {F.PUBLISHED_AT: "2023-11-21"}),
    (Hints(published_at="il y a 2 heures", language="fr"), {}),
    (Hints(published_at="n/a"), {}),
    # authors: split, sorted into people, agencies and site names
    (Hints(authors=("Jean Dupont; Marie Curie",)), {F.AUTHORS: ("Jean Dupont", "Marie Curie")}),
    (Hints(authors=("Jean Dupont, Marie Curie",)), {F.AUTHORS: ("Jean Dupont", "Marie Curie")}),
    (Hints(authors=("Jane Doe and John Roe",)), {F.AUTHORS: ("Jane Doe", "John Roe")}),
    (Hints(authors=("Jean Dupont et Marie Curie",)), {F.AUTHORS: ("Jean Dupont", "Marie Curie")}),
    (Hints(authors=("By Jane Doe",)), {F.AUTHORS: ("Jane Doe",)}),
    (Hints(authors=("Korben",)), {F.AUTHORS: ("Korben",)}),  # the markup says it is an author
    (Hints(authors=("AFP",)), {F.AUTHORS: (), F.SOURCE_CREDIT: "AFP"}),
    (Hints(authors=("Jean Dupont; AFP",)), {F.AUTHORS: ("Jean Dupont",),
                                            F.SOURCE_CREDIT: "AFP"}),
    (Hints(authors=("Le Monde",), site_name="Le Monde"),
     {F.AUTHORS: (), F.SITE_NAME: "Le Monde"}),
    (Hints(authors=("Clubic",), url="https://www.clubic.com/a.html"),
     {F.AUTHORS: (), F.URL: "https://www.clubic.com/a.html", F.SITE_NAME: "Clubic"}),
    (Hints(authors=("La rédaction",)), {F.AUTHORS: ()}),
    (Hints(authors=("admin",)), {F.AUTHORS: ()}),
    # a newsroom named after its paper; a person before a paper's newsroom is kept
    (Hints(authors=("HNN Staff",)), {F.AUTHORS: ()}),
    (Hints(authors=("Practical Horseman Editorial Staff",)), {F.AUTHORS: ()}),
    (Hints(authors=("Adam Aaronson PhillyVoice Staff",)), {F.AUTHORS: ("Adam Aaronson",)}),
    (Hints(authors=("Jean Dupont", "jean dupont")), {F.AUTHORS: ("Jean Dupont",)}),
    (Hints(authors=("https://example.com/author/jd",)), {F.AUTHORS: ()}),
    # tags: deduplicated; site name and credit kept
    (Hints(tags=("IA", "ia", "OpenAI", " ")), {F.TAGS: ("IA", "OpenAI")}),
    (Hints(source_credit="Wired"), {F.SOURCE_CREDIT: "Wired"}),
    (Hints(), {}),
]


@pytest.mark.parametrize(("hints", "expected"), HINTS)
def test_from_hints(hints: Hints, expected: dict[MetaField, object]) -> None:
    assert _hint_pairs(hints) == expected


def hit(field: MetaField, value: str | int | tuple[str, ...], hint: bool = False) -> MetaHit:
    return MetaHit(field, value, Origin.HINT if hint else Origin.TEXT)


MERGED = [
    # the sample 000 footer
    ([hit(F.URL, URL000), hit(F.AUTHORS, ()), hit(F.PUBLISHED_AT, "2023-11-20T15:55:27"),
      hit(F.TAGS, ("L’Express",)), hit(F.SITE_NAME, "L’Express")],
     Metadata(url=URL000, site="lexpress.fr", site_name="L’Express", authors=(),
              published_at="2023-11-20T15:55:27", tags=("L’Express",))),
    # hints win for url, title and dates whichever order they come in
    ([hit(F.URL, "https://a.example.com/x"), hit(F.URL, "https://b.example.com/y", True)],
     Metadata(url="https://b.example.com/y", site="b.example.com")),
    ([hit(F.URL, "https://b.example.com/y", True), hit(F.URL, "https://a.example.com/x")],
     Metadata(url="https://b.example.com/y", site="b.example.com")),
    ([hit(F.PUBLISHED_AT, "2023-11-21"), hit(F.PUBLISHED_AT, "2023-11-20", True)],
     Metadata(published_at="2023-11-20")),
    ([hit(F.TITLE, "Texte"), hit(F.TITLE, "Balise", True)], Metadata(title="Balise")),
    # the text fills what hints lack; an invalid hint does not block the text
    ([hit(F.PUBLISHED_AT, "2023-11-21"), hit(F.PUBLISHED_AT, "hier", True)],
     Metadata(published_at="2023-11-21")),
    ([hit(F.URL, "not a url", True), hit(F.URL, "https://www.example.org/a")],
     Metadata(url="https://www.example.org/a", site="example.org")),
    # within one origin, the first wins
    ([hit(F.PUBLISHED_AT, "2023-11-20"), hit(F.PUBLISHED_AT, "2023-11-22")],
     Metadata(published_at="2023-11-20")),
    # the text states the credit and the comment count
    ([hit(F.SOURCE_CREDIT, "Reuters", True), hit(F.SOURCE_CREDIT, "Wired")],
     Metadata(source_credit="Wired")),
    ([hit(F.COMMENT_COUNT, 10), hit(F.COMMENT_COUNT, True)], Metadata(comment_count=10)),
    ([hit(F.COMMENT_COUNT, -1)], Metadata()),
    # names beat an empty byline, wherever it stands
    ([hit(F.AUTHORS, ()), hit(F.AUTHORS, ("Jean Dupont",))], Metadata(authors=("Jean Dupont",))),
    ([hit(F.AUTHORS, ("Jean Dupont", "jean dupont", "Marie Curie"))],
     Metadata(authors=("Jean Dupont", "Marie Curie"))),
    # agencies and site names are no authors
    ([hit(F.AUTHORS, ("AFP", "Jean Dupont"))],
     Metadata(authors=("Jean Dupont",), source_credit="AFP")),
    ([hit(F.URL, "https://www.clubic.com/a"), hit(F.AUTHORS, ("Clubic",))],
     Metadata(url="https://www.clubic.com/a", site="clubic.com", site_name="Clubic")),
    ([hit(F.AUTHORS, ("La rédaction", "admin"))], Metadata()),
    # a site name read in the text must agree with the URL's host
    ([hit(F.URL, "https://www.lemonde.fr/a"), hit(F.TAGS, ("Le Pen",)),
      hit(F.SITE_NAME, "Le Pen")],
     Metadata(url="https://www.lemonde.fr/a", site="lemonde.fr", tags=("Le Pen",))),
    ([hit(F.URL, "https://www.lemonde.fr/a"), hit(F.SITE_NAME, "Le Monde")],
     Metadata(url="https://www.lemonde.fr/a", site="lemonde.fr", site_name="Le Monde")),
    ([hit(F.URL, "https://www.sueddeutsche.de/a"),
      hit(F.SITE_NAME, "Süddeutsche Zeitung", True)],
     Metadata(url="https://www.sueddeutsche.de/a", site="sueddeutsche.de",
              site_name="Süddeutsche Zeitung")),
    # invalid dates are dropped
    ([hit(F.PUBLISHED_AT, "21 novembre 2023")], Metadata()),
    ([], Metadata()),
]


@pytest.mark.parametrize(("hits", "expected"), MERGED)
def test_merge(hits: list[MetaHit], expected: Metadata) -> None:
    assert merge(hits) == expected


def test_a_line_s_hits_survive_merge_unchanged() -> None:
    # The classifier places a metadata line by comparing its hits with the merged
    # fields, so what read_line gives must be what merge keeps.
    for text, zone, language, _ in LINES:
        hits = read_line(text, zone, language)
        if not hits:
            continue
        merged = merge(hits)
        for h in hits:
            value = getattr(merged, h.field.value)
            if h.field is F.SITE_NAME:
                continue  # checked against the host only when a URL is known
            assert value == h.value, (text, h)


def test_rule_files_agree() -> None:
    # a label means one thing in every language table
    meaning: dict[str, str] = {}
    for lang, table in LANGUAGES.items():
        for kind, labels in table["labels"].items():
            assert set(labels["weak"]) <= set(labels["bare"]) | set(labels["colon"]), (lang, kind)
            for label in labels["bare"] + labels["colon"]:
                assert meaning.setdefault(fold(label), kind) == kind, (lang, label)
        months = table["dates"]["months"]
        assert len(months) == 12, lang
    # a month name is the same month in every language
    number: dict[str, int] = {}
    for table in LANGUAGES.values():
        for i, names in enumerate(table["dates"]["months"], start=1):
            for name in names:
                assert number.setdefault(fold(name), i) == i, name
