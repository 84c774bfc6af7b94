"""The block classifier on small documents: what each line becomes, and why."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import classify as classify_module
from pipeline.classify import classify
from pipeline.config import ClassifierThresholds
from pipeline.document import Kind, Line
from pipeline.lexicon import stopwords
from pipeline.metadata import MetaField
from pipeline.record import RemovalReason as R
from pipeline.segment import segment

P1 = ("Le gouvernement a présenté mardi un projet de loi qui doit réformer en profondeur "
      "le financement des collectivités locales, une réforme attendue depuis des années.")
P2 = ("Selon le ministre, les communes les plus petites seront les premières à en bénéficier, "
      "alors que les grandes villes devront accepter une baisse de leurs dotations.")
P3 = ("Les associations d’élus ont salué un texte « enfin ambitieux », tout en réclamant des "
      "garanties sur le calendrier et sur la compensation des pertes de recettes.")
E1 = ("The city council voted on Tuesday to approve a new budget that raises spending on "
      "schools and parks, after a debate that lasted well into the night.")
E2 = ("Supporters said the plan would help families, while critics warned that the city "
      "could not afford it without raising taxes in the coming years.")


def labels(lines: list[str], language: str | None = "fr") -> list[tuple[str, str | None]]:
    result = classify(list(segment(lines)), language=language, extracted=False,
                      thresholds=ClassifierThresholds())
    return [(x.kind.value, x.reason.value if x.reason else None) for x in result.labels]


BODY = ("body", None)
HEADING = ("heading", None)
TITLE = ("title", None)

CASES = [
    pytest.param(["Menu", "", "Un titre de test assez long", "", P1, "", P2],
                 [("noise", "navigation"), TITLE, BODY, BODY], id="menu-title-body"),
    pytest.param([P1, "", "Lire aussi : Le budget des communes en hausse", "", P2, "", P3],
                 [BODY, ("noise", "related-links"), BODY, BODY], id="read-also-mid-body"),
    pytest.param([P1, "", "Publicité", "", P2],
                 [BODY, ("noise", "advertising"), BODY], id="ad-mid-body"),
    pytest.param([P1, "", "Une réforme attendue", "", P2, "", P3],
                 [BODY, HEADING, BODY, BODY], id="sub-heading-kept"),
    pytest.param([P1, "", "— Je ne partirai pas, répondit le maire.", "", P2],
                 [BODY, BODY, BODY], id="dialogue-line-kept"),
    pytest.param([P1, "", P2, "", "Partager", "Facebook", "Twitter"],
                 [BODY, BODY, ("noise", "share"), ("noise", "share"), ("noise", "share")],
                 id="share-bar"),
    pytest.param([P1, "", P2, "", "*.*.*", "...%%%...$$$---"],
                 [BODY, BODY, ("noise", "separator"), ("noise", "separator")], id="separators"),
    pytest.param([P1, "", P2, "", "Pour aller plus loin :", "– Le budget voté",
                  "– Les élus inquiets"],
                 [BODY, BODY] + [("noise", "related-links")] * 3, id="related-list"),
    pytest.param([P1, "", P2, "", P2], [BODY, BODY, ("noise", "duplicate")], id="repeated-block"),
]


@pytest.mark.parametrize(("lines", "expected"), CASES)
def test_labels(lines: list[str], expected: list[tuple[str, str | None]]) -> None:
    assert labels(lines) == expected


def test_english_page_with_cookie_banner_and_newsletter() -> None:
    got = labels(["We use cookies to improve your experience.", "Accept", "",
                  "City approves budget after long night", "", E1, "", E2, "",
                  "Sign up for our daily newsletter"], language="en")
    assert got == [("noise", "cookie"), ("noise", "cookie"), TITLE, BODY, BODY,
                   ("noise", "newsletter")]


def test_the_article_before_a_comments_header_outweighs_a_longer_discussion() -> None:
    # comments in a layout no reader splits: the discussion scores higher than the article
    discussion = [f"Je ne suis pas d’accord avec cette réforme, écrit {name}, qui oublie une "
                  "fois de plus les communes rurales et leurs habitants, comme la précédente."
                  for name in ("Paul", "Marie", "Jeanne", "Pierre", "Luc", "Anne", "Marc",
                               "Julie", "Louis", "Claire", "Hugo", "Emma")]
    got = labels([f"{P1} {P2}", "", P3, "", "Commentaires", "", *discussion])
    assert got[:2] == [BODY, BODY]
    assert BODY not in got[3:]


def test_a_short_opening_before_a_comments_header_does_not_hold_the_article() -> None:
    # one sentence before a stray "Comments" link (a count in the byline) is not the article
    opening = ("Le maire a réagi dans la soirée, sans donner plus de détails sur ses "
               "intentions pour la suite du mandat.")
    got = labels([opening, "", "Commentaires", "", P1, "", P2, "", P3])
    assert got[-3:] == [BODY, BODY, BODY]


P4 = ("Le texte sera examiné au Sénat au début de l’automne, après une série de consultations "
      "avec les maires, les départements et les régions, a précisé le ministère.")
P5 = ("D’ici là, le gouvernement promet de publier une simulation commune par commune, afin que "
      "chaque conseil municipal puisse préparer son budget de l’an prochain.")
P6 = ("Les élus de l’opposition ont annoncé qu’ils déposeraient des amendements pour protéger "
      "les communes touristiques, dont les charges dépassent de loin le nombre d’habitants.")
# the rest of the article, worth more than its opening paragraph
REST = [f"{P3} {P4}", "", f"{P5} {P6}"]
# a photo's credit and a share bar: more lines of noise than an opening paragraph outweighs
BREAK = ["Photo : Jean Martin / AFP", "Partager", "Facebook", "Twitter", "LinkedIn", "E-mail",
         "Imprimer"]


def test_an_opening_paragraph_set_apart_by_a_share_bar_is_body() -> None:
    got = labels([f"{P1} {P2}", "", *BREAK, "", *REST])
    assert got[0] == BODY
    assert all(kind == "noise" for kind, _ in got[1:-2])
    assert got[-2:] == [BODY, BODY]


def test_a_teaser_set_apart_is_not_worth_a_paragraph() -> None:
    # a teaser of one sentence, shorter than length_high: half its length, under the bar
    teaser = P1
    assert ClassifierThresholds().length_low <= len(teaser) < (
        ClassifierThresholds().length_high)
    got = labels([teaser, "", *BREAK, "", *REST])
    assert got[0] == ("noise", "boilerplate")
    assert got[-2:] == [BODY, BODY]


def test_the_opening_is_never_looked_for_across_a_comments_header() -> None:
    # worth a paragraph, but not the article_before_comments the main span needs
    opening = f"{P1} {P2}"
    assert ClassifierThresholds().opening_min_score <= len(opening) < (
        ClassifierThresholds().article_before_comments)
    got = labels([opening, "", "Commentaires", "", *BREAK, "", *REST])
    assert got[0] == ("noise", "boilerplate")
    assert got[-2:] == [BODY, BODY]


HEADLINE = "City approves budget after a long night of debate"


@pytest.mark.parametrize("byline", [
    "By Tim Childers - Live Science Contributor 2019-11-19T12:48:14Z Space",
    "Written by Rachael Link, MS, RD on November 14, 2019",
    "Posted by Michael David Smith on November 19, 2019, 6:21 AM EST",
    "Mi, 18. Oktober 2023 um 12:50 Uhr",
])
def test_a_dated_byline_nearer_the_body_is_not_taken_for_the_headline(byline: str) -> None:
    got = labels([HEADLINE, byline, "", E1, "", E2], language="en")
    assert got[0] == TITLE and got[1] != TITLE


def test_a_headline_holding_a_date_is_still_the_title_when_nothing_else_is() -> None:
    headline = "Voters go to the polls on 5 November 2024 in record numbers"
    assert labels([headline, "", E1, "", E2], language="en")[0] == TITLE


def test_figures_without_a_date_do_not_hold_a_headline_back() -> None:
    # a shorter label nearer the body loses to a longer headline unless the latter is held back
    got = labels(["The 10 numbers of the 2024 city budget", "Local politics news", "", E1, "",
                  E2], language="en")
    assert got[0] == TITLE and got[1] != TITLE


MENU = ["World", "Business", "Climate", "Log Out", "Local news", "Opinion pages"]


def test_the_headline_said_again_under_its_breadcrumb_is_the_title() -> None:
    # the breadcrumb's last item is the headline: the headline's line is a copy of it
    got = labels([*MENU, f"* {HEADLINE}", "", HEADLINE, "", E1, "", E2], language="en")
    assert got.index(TITLE) == len(MENU) + 1 and got.count(TITLE) == 1
    assert got[-2:] == [BODY, BODY]


def test_a_short_line_said_twice_is_a_menu_not_the_headline() -> None:
    # desktop and mobile menus draw the same links twice, nearer the body than the headline
    got = labels([HEADLINE, "Local news", "Log Out", "Local news", "Log Out", "", E1, "", E2],
                 language="en")
    assert got[0] == TITLE and TITLE not in got[1:]


def test_a_dateline_said_twice_is_not_the_headline() -> None:
    dateline = "Associated Press November 19, 2019, 9:02 AM"
    got = labels(["Sports scores and schedules", dateline, "", dateline, "", E1, "", E2],
                 language="en")
    assert got[0] == TITLE and TITLE not in got[1:]


def test_a_share_bar_between_headline_and_body_is_no_distance() -> None:
    # a dozen share lines, more than title_max_distance: the lexicon knows them all
    share = ["Share this with Facebook", "Share this with Twitter", "Share this with Email",
             "Share this with WhatsApp"] * 3 + ["Close share panel"]
    assert len(share) > ClassifierThresholds().title_max_distance
    got = labels([*MENU, HEADLINE, *share, "", E1, "", E2], language="en")
    assert got.index(TITLE) == len(MENU)
    assert got[-2:] == [BODY, BODY]


def test_the_body_s_first_line_is_the_title_when_the_headline_before_it_says_the_same() -> None:
    # the page title before a share bar, and the text opening with the headline spaced
    # otherwise: long and asking, it reads as the body's first paragraph
    headline = "Covid-19: can the city still keep its budget after such a long night of debate?"
    got = labels([*MENU, headline, "Share this with Facebook", "Share this with Twitter",
                  "Close share panel", "", headline.replace(":", " :"), "", E1, "", E2],
                 language="en")
    assert got[-3:] == [TITLE, BODY, BODY] and got.count(TITLE) == 1


@pytest.mark.parametrize(("lines", "title"), [
    # title case leaves its short words in lower case
    pytest.param(["Why My Friend Became a Grocery Store on Instagram", "A council vote"], 0,
                 id="title-case"),
    # capitals throughout: the page's title said it before
    pytest.param(["Cells That Taste Danger Set Off Immune Responses", "A council vote",
                  "Cells That Taste Danger Set Off Immune Responses", "A council vote"], 2,
                 id="capitals-echoed"),
    # capitals throughout, right above the body
    pytest.param(["A council vote", "Cells That Taste Danger Set Off Immune Responses"], 1,
                 id="capitals-above-the-body"),
    # capitals throughout, further up and said once: a menu, though a better headline
    pytest.param(["Home News Sport Weather Jobs Advertise With Us Contact", "A council vote"], 1,
                 id="menu"),
])
def test_a_line_whose_capitals_read_as_a_menu_may_be_the_headline(lines: list[str],
                                                                   title: int) -> None:
    got = labels([*lines, "", E1, "", E2], language="en")
    assert got[-2:] == [BODY, BODY]
    assert [i for i, label in enumerate(got) if label == TITLE] == [title]


def test_a_menu_of_capitalised_labels_further_up_is_not_the_headline() -> None:
    menu = "Home News Sport Weather Jobs Advertise With Us Contact"
    got = labels([menu, "", HEADLINE, "", E1, "", E2], language="en")
    assert got[:2] == [("noise", "navigation"), TITLE]


def test_a_date_under_the_lead_is_the_article_s_and_one_further_in_is_not() -> None:
    lines = [f"{P1} {P2}", "", "26 octobre 2023", "", *REST, "", "Une réforme attendue", "",
             f"{P4} {P6}", "", "3 novembre 2023", "", f"{P5} {P3}"]
    result = classify(list(segment(lines)), language="fr", extracted=False,
                      thresholds=ClassifierThresholds())
    kinds = [x.kind for x in result.labels]
    assert kinds[1] is Kind.METADATA
    assert [(h.field, h.value) for h in result.labels[1].hits] == [
        (MetaField.PUBLISHED_AT, "2023-10-26")]
    assert kinds[-2] is not Kind.METADATA  # a heading of the text, not its date


D1 = ("Der Gemeinderat hat am Dienstag einen neuen Haushalt beschlossen, der mehr Geld für "
      "Schulen und Parks vorsieht, nach einer Debatte, die bis tief in die Nacht dauerte.")
D2 = ("Befürworter sagten, der Plan werde den Familien helfen, während Kritiker warnten, dass "
      "die Stadt sich das ohne höhere Steuern in den kommenden Jahren nicht leisten könne.")
BIO = ("metadata", None), ("noise", "author-bio")


@pytest.mark.parametrize(("lines", "language", "expected"), [
    pytest.param([E1, "", E2, "", "Jane Smith", "Jane Smith is a professor of law at "
                  "Vanderbilt Law School and the author of three books."], "en",
                 [BODY, BODY, *BIO], id="name-said-again"),
    pytest.param([D1, "", D2, "", "Thomas Schulte", "ist Gründungspartner einer Kanzlei in "
                  "Berlin und berät Anleger seit zwanzig Jahren."], "de",
                 [BODY, BODY, *BIO], id="copula-after-the-name"),
    pytest.param([E1, "", E2, "", "Jane Smith", "Jane Smith is a reporter for the paper."],
                 "en", [BODY, BODY, *BIO], id="trade-after-the-name"),
    # "Was" opens a German question, not a biography
    pytest.param([D1, "", "Anna Schmidt", "Was ist aus den Plänen der Stadt geworden, fragen "
                  "sich viele Bürger seit dem Sommer, und niemand weiß eine Antwort.", "", D2],
                 "de", [BODY, HEADING, BODY, BODY], id="question-after-a-name-kept"),
    # someone else the article speaks of
    pytest.param([E1, "", "Jane Smith", "John Doe is the mayor of the town and said the plan "
                  "was the best the city could hope for this year.", "", E2], "en",
                 [BODY, HEADING, BODY, BODY], id="another-person-kept"),
])
def test_author_biographies(lines: list[str], language: str,
                            expected: list[tuple[str, str | None]]) -> None:
    assert labels(lines, language) == expected


def test_a_byline_s_author_speaking_of_themselves_in_the_third_person_is_a_bio() -> None:
    lines = [E1, "", "By Jane Smith", "", E2, "", "Jane Smith is a professor at Vanderbilt "
             "Law School and the author of The Great Democracy."]
    assert labels(lines, "en")[-1] == ("noise", "author-bio")


def test_an_author_the_input_names_marks_their_biography() -> None:
    bio = "Jane Smith ist Professorin an der Universität Wien und schreibt über Verkehr."
    lines = list(segment([D1, "", D2, "", bio]))
    for authors, expected in [(("Jane Smith",), R.AUTHOR_BIO), ((), None)]:
        result = classify(lines, language="de", extracted=True,
                          thresholds=ClassifierThresholds(), authors=authors)
        assert result.labels[-1].reason is expected


@pytest.mark.parametrize(("lines", "is_url"), [
    ([E1, "", E2, "", "https://example.org/city-budget"], True),
    # under a comments header, a bare link is a reader's
    ([E1, "", E2, "", "Comments (2)", "", "https://example.org/other-story"], False),
])
def test_a_bare_link_is_the_article_s_address_unless_a_reader_gave_it(
        lines: list[str], is_url: bool) -> None:
    result = classify(list(segment(lines)), language="en", extracted=False,
                      thresholds=ClassifierThresholds())
    last = result.labels[-1]
    assert (last.kind is Kind.METADATA and [h.field for h in last.hits] == [MetaField.URL]
            ) is is_url


def test_comments_in_author_then_text_layout() -> None:
    lines = [P1, "", P2, "", "Commentaires (2)", "", "jdupont",
             "Très bon article, merci pour ces précisions.", "marie_l",
             "Je ne suis pas d’accord avec la conclusion."]
    result = classify(list(segment(lines)), language="fr", extracted=False,
                      thresholds=ClassifierThresholds())
    assert [c.author for c in result.comments] == ["jdupont", "marie_l"]
    assert [c.texts for c in result.comments] == [
        ["Très bon article, merci pour ces précisions."],
        ["Je ne suis pas d’accord avec la conclusion."]]
    assert [x.kind for x in result.labels][:3] == [Kind.BODY, Kind.BODY, Kind.NOISE]
    assert result.labels[2].reason is R.COMMENTS_HEADER


def test_comments_in_wordpress_layout() -> None:
    lines = [P1, "", P2, "", "2 réponses à « Le projet de loi »", "", "Paul dit :",
             "Un texte qui va dans le bon sens.", "Répondre", "Anne dit :",
             "Il faudra voir l’application.", "Répondre", "Laisser un commentaire",
             "Votre adresse e-mail ne sera pas publiée."]
    result = classify(list(segment(lines)), language="fr", extracted=False,
                      thresholds=ClassifierThresholds())
    assert [(c.author, c.texts) for c in result.comments] == [
        ("Paul", ["Un texte qui va dans le bon sens."]),
        ("Anne", ["Il faudra voir l’application."])]
    reasons = [x.reason for x in result.labels if x.kind is Kind.NOISE]
    assert R.COMMENT_FORM in reasons and R.COMMENTS_HEADER in reasons


def test_comments_with_relative_dates_are_not_dated() -> None:
    lines = [E1, "", E2, "", "Réactions", "", "pseudo42 — il y a 2 heures",
             "Encore une réforme qui ne changera rien.", "Signaler un abus"]
    result = classify(list(segment(lines)), language="fr", extracted=False,
                      thresholds=ClassifierThresholds())
    assert [(c.author, c.date, c.texts) for c in result.comments] == [
        ("pseudo42", None, ["Encore une réforme qui ne changera rien."])]


def test_a_page_of_noise_has_no_body() -> None:
    result = classify(list(segment(["Menu", "Accueil", "Publicité", "Partager"])),
                      language="fr", extracted=False, thresholds=ClassifierThresholds())
    assert not result.found_body
    assert all(x.kind is Kind.NOISE for x in result.labels)


@pytest.mark.parametrize(("line", "menu"), [
    ("Select Month December 2019 (6) November 2019 (6) October 2019 (7) September 2019 (4)", True),
    ("Monat auswählen Januar 2020 (1) November 2019 (1) Oktober 2019 (1) März 2019 (2)", True),
    ("Home News Sport Weather Jobs Advertise With Us Join Our Team Contact", True),
    ("HomeNewsSportWeatherJobsAdvertise", True),  # labels run into one token
    ("Skip to ArticleMenuHomeNewsBack To Main MenuMetroAkron NewsThe Plain Dealer", True),
    ("Le projet, lancé en mars 2019, repoussé en mai 2020, puis en juin 2021, a abouti en "
     "juillet 2023.", False),
    ("Die Bundesregierung hat am Mittwoch einen Entwurf für das neue Klimaschutzgesetz "
     "beschlossen, der im Herbst in Kraft treten soll.", False),
    ("McDonald’s and PlayStation sponsor the event in New York on Sunday afternoon.", False),
])
def test_menus_are_told_from_sentences(line: str, menu: bool) -> None:
    from pipeline.classify import _is_capitalised_menu, _is_menu

    words, t = len(line.split()), ClassifierThresholds()
    assert (_is_menu(line, words, t) or _is_capitalised_menu(line, words, t)) is menu


def test_text_in_another_script_is_judged_when_the_language_is_unknown() -> None:
    # the fallback stoplists (English, French) say nothing about Arabic: its
    # sentences are told by their punctuation, as for a language with no stoplist
    arabic = ("دافعت الأغلبية عن زيادة نفقات صيانة المدارس، بينما طالبت المعارضة بخفض "
              "الضرائب المحلية في المدينة خلال العام المقبل.")
    assert labels([arabic], language=None) == [BODY]
    # a Latin-script menu on the same terms stays chrome
    assert labels(["Accueil Actualités Politique Économie Culture Sport Contact Recherche"],
                  language=None) != [BODY]


# Text with every kind of character the counted patterns look at, and the spaces and
# line breaks long text is cut at: the counts must not depend on the cuts.
_MIXED = st.text(st.sampled_from(list("abcxyzAÉZéß 12034\n\t\u00a0.,-_'’MɌΩжЖ日本語ไทย")),
                 max_size=80)


@settings(max_examples=300, deadline=None)
@given(_MIXED, st.integers(1, 12))
def test_long_text_is_counted_a_piece_at_a_time_as_whole(text: str, piece_chars: int) -> None:
    from pipeline import classify as c
    from pipeline.lexicon import normalise_folded

    folded = text.casefold()
    stops = stopwords(None) | {"ab", "été"}
    for words in (stops, frozenset()):
        assert c._count_words(folded, words, piece_chars) == c._count_words(folded, words)
    for pattern in (c._DENSE_SCRIPT, c._FOUR_DIGITS, c._JOIN_CAPITAL, c._LABEL_JOIN,
                    c._CAPITALISED):
        assert c._count(pattern, text, piece_chars) == len(pattern.findall(text))
    assert normalise_folded(folded, piece_chars) == normalise_folded(folded)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Décembre", "mai", "Mai.", "2019", "2020", "(6)", "(12)", "x",
                                 "1234", ")", "(", " ", "  ", "\n"]), max_size=40).map("".join),
       st.integers(1, 12))
def test_archive_months_are_counted_a_piece_at_a_time_as_whole(text: str,
                                                               piece_chars: int) -> None:
    from pipeline.classify import _archive_months

    assert _archive_months(text, piece_chars) == _archive_months(text)


def test_a_line_longer_than_a_piece_is_judged_as_whole() -> None:
    # a page of words on one line with no stop to cut it at goes a piece at a time
    from pipeline import classify as c
    from pipeline.segment import PIECE_CHARS

    sentence = "le conseil municipal a voté le budget de la ville après un long débat "
    line = (sentence * (PIECE_CHARS // len(sentence) + 2)).strip()
    block = c._features(Line(1, line), "fr", ClassifierThresholds())
    assert (block.words, block.key) == (len(line.split()), line)
    assert block.stop_density == sum(w in stopwords("fr") for w in line.split()) / block.words


@pytest.mark.parametrize("marks", ["_SENTENCE_MARKS", "_FULL_MARKS", "_STATEMENT_MARKS"])
@given(text=st.text(st.sampled_from(".!?;,…。a ”»)」\"\n"), max_size=8))
def test_a_line_end_is_read_as_a_regex_ending_in_dollar_reads_it(marks: str, text: str) -> None:
    """_ends_with reads from the end what this pattern, tried at every position, finds."""
    chars = getattr(classify_module, marks)
    closers = re.escape(classify_module._CLOSERS)
    pattern = re.compile(f"[{re.escape(chars)}][{closers}]*$")
    assert classify_module._ends_with(text, chars) is (pattern.search(text) is not None)
