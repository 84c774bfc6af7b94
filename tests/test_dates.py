"""Dates: the forms pages write → ISO 8601, and what must stay null."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dates import _FOLD, FoundDates, find_dates, fold, match_date, parse_date

PARSED = [
    # ISO, with and without time, offsets
    ("2023-11-20", None, "2023-11-20"),
    ("2023-11-20 15:55:27", None, "2023-11-20T15:55:27"),
    ("2023-11-20T15:55:27", "fr", "2023-11-20T15:55:27"),
    ("2023-11-20T15:55:27Z", None, "2023-11-20T15:55:27+00:00"),
    ("2023-11-20T15:55:27.123456+01:00", None, "2023-11-20T15:55:27+01:00"),
    ("2023-11-20T15:55+0530", None, "2023-11-20T15:55+05:30"),
    ("2023/11/20", None, "2023-11-20"),
    # labels before the date
    ("Publish date : 2023-11-20 15:55:27", "fr", "2023-11-20T15:55:27"),
    ("Date de publication : 21/11/2023", "fr", "2023-11-21"),
    ("Publié le 21 novembre 2023", "fr", "2023-11-21"),
    ("Publie le 21 novembre 2023", "fr", "2023-11-21"),  # accents dropped by the scrape
    ("Mis à jour le 22 novembre 2023 à 08h15", "fr", "2023-11-22T08:15"),
    ("Updated: Nov. 20, 2023", "en", "2023-11-20"),
    ("Published March 3, 2024 at 8:15 a.m.", "en", "2024-03-03T08:15"),
    ("Published November 19, 2019 at 6:56 PM", "en", "2019-11-19T18:56"),
    # French words
    ("21 novembre 2023", "fr", "2023-11-21"),
    ("20 novembre 2023 à 17h19", "fr", "2023-11-20T17:19"),
    ("20 novembre 2023 à 17 h 19", "fr", "2023-11-20T17:19"),
    ("20 novembre 2023 à 17:19", "fr", "2023-11-20T17:19"),
    ("20 novembre 2023 à 17h", "fr", "2023-11-20T17:00"),
    ("20 novembre 2023 - 17:19", "fr", "2023-11-20T17:19"),
    ("le 1er août 2024", "fr", "2024-08-01"),
    ("le 1ᵉʳ août 2024", "fr", "2024-08-01"),
    ("mardi 9 avril 2024", "fr", "2024-04-09"),
    ("le mardi 9 avril 2024", "fr", "2024-04-09"),
    ("21 nov. 2023", "fr", "2023-11-21"),
    ("1 FÉVRIER 2024", "fr", "2024-02-01"),
    # numeric dates: day first in French
    ("12/02/2024", "fr", "2024-02-12"),
    ("21.11.2023", "fr", "2023-11-21"),
    ("21-11-2023", "fr", "2023-11-21"),
    ("21/11/23 à 10h00", "fr", "2023-11-21T10:00"),
    # English: only unambiguous numeric dates
    ("20/11/2023", "en", "2023-11-20"),
    ("11/20/2023", "en", "2023-11-20"),
    ("05/05/2024", "en", "2024-05-05"),
    # unknown language: day first, month first when day first is impossible
    ("12/02/2024", None, "2024-02-12"),
    ("11/20/2023", None, "2023-11-20"),
    # English words
    ("Nov. 20, 2023", "en", "2023-11-20"),
    ("November 20 2023", "en", "2023-11-20"),
    ("March 3rd, 2024", "en", "2024-03-03"),
    ("20 Nov 2023", None, "2023-11-20"),
    ("21st November 2023", "en", "2023-11-21"),
    ("Tuesday, April 9, 2024 at 12:30 am", "en", "2024-04-09T00:30"),
    ("Tuesday, April 9, 2024 at 12:30 pm", "en", "2024-04-09T12:30"),
    ("on March 3, 2024", "en", "2024-03-03"),
    # time before the date, zone names that state one offset
    ("Updated 10:01 pm PST, Tuesday, November 19, 2019", "en", "2019-11-19T22:01-08:00"),
    ("Published 11:11 PM EST Nov 19, 2019", "en", "2019-11-19T23:11-05:00"),
    # "ET" is EST or EDT: the time is read with no offset; "et" is French for "and",
    # so an ambiguous zone is read only where a statement ends
    ("Nov. 20, 2019 5:52 AM ET", "en", "2019-11-20T05:52"),
    ("20 novembre 2023 à 17h19 et 18h", "fr", None),
    # RFC 2822
    ("Mon, 20 Nov 2023 15:55:27 +0100", None, "2023-11-20T15:55:27+01:00"),
    ("Mon, 20 Nov 2023 15:55:27 GMT", None, "2023-11-20T15:55:27+00:00"),
    # German
    ("3. März 2024", "de", "2024-03-03"),
    ("am 3. März 2024 um 17:19 Uhr", "de", "2024-03-03T17:19"),
    ("Stand: 20.11.2023 17:19 Uhr", "de", "2023-11-20T17:19"),
    # fallback: a language without a table, through dateparser
    ("3 de marzo de 2024", "es", "2024-03-03"),
    # relative dates are never resolved against the clock
    ("il y a 2 heures", "fr", None),
    ("hier à 10h00", "fr", None),
    ("aujourd'hui à 10h00", "fr", None),
    ("yesterday", "en", None),
    ("2 hours ago", "en", None),
    ("today at 8:15 a.m.", "en", None),
    ("vor 3 Stunden", "de", None),
    # a date needs its year; the calendar must allow it
    ("21 novembre", "fr", None),
    ("novembre 2023", "fr", None),
    ("Nov 20", "en", None),
    ("31/02/2024", None, None),
    ("30 février 2024", "fr", None),
    ("2023-13-01", None, None),
    ("20 novembre 2023 à 25h00", "fr", None),
    ("21 novembre 1850", "fr", None),
    # Spanish: the words between day, month and year, the time after "a las"
    ("3 de mayo de 2022", "es", "2022-05-03"),
    ("04 de mayo 2022 a las 09:01 hrs.", "es", "2022-05-04T09:01"),
    ("Viernes 22 abril, 2022", "es", "2022-04-22"),
    ("08/05/2022 02:14 a.m.", "es", "2022-05-08T02:14"),
    ("3 mayo de", "es", None),
    # ambiguous for the language: null rather than a guess
    ("12/02/2024", "en", None),
    ("11/20/2023", "fr", None),
    # not dates, or more than a date
    ("", None, None),
    ("à 17:19", "fr", None),
    ("Le 21 novembre 2023, le conseil a tranché.", "fr", None),
    ("Vendredi 17 novembre, l'annonce du CA", "fr", None),
    ("20 novembre 2023 à Paris", "fr", None),
    ("2023", None, None),
    ("Commentaires (10)", "fr", None),
]


@pytest.mark.parametrize(("text", "language", "expected"), PARSED)
def test_parse_date(text: str, language: str | None, expected: str | None) -> None:
    assert parse_date(text, language=language) == expected


FOUND = [
    ("Publié le 21 novembre 2023", FoundDates("2023-11-21", None)),
    ("Mis à jour le 22 novembre 2023", FoundDates(None, "2023-11-22")),
    ("Updated: Nov. 20, 2023", FoundDates(None, "2023-11-20")),
    ("Publié le 21 novembre 2023 à 10h00, mis à jour le 22 novembre 2023 à 08h00",
     FoundDates("2023-11-21T10:00", "2023-11-22T08:00")),
    ("PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: 11:05, Tue, Nov 19, 2019",
     FoundDates("2019-11-19T10:48", "2019-11-19T11:05")),
    ("20 novembre 2023 à 17h19", FoundDates("2023-11-20T17:19", None)),
    ("Mon 20 Jan 2020 06.05 GMT Last modified on Mon 20 Jan 2020 06.07 GMT",
     FoundDates("2020-01-20T06:05+00:00", "2020-01-20T06:07+00:00")),
    # a relative date is a date statement with no value
    ("Publié le 21 novembre 2023, mis à jour il y a 2 heures", FoundDates("2023-11-21", None)),
    ("il y a 2 heures", FoundDates(None, None)),
    # a second date of one kind does not replace the first
    ("29 November 2018 | 20 January 2019", FoundDates("2018-11-29", None)),
    # an ambiguous zone at the end of a statement is read and gives no offset; "et"
    # inside a French line is the conjunction
    ("Nov 8, 2023 04:43 PM CST", FoundDates("2023-11-08T16:43", None)),
    ("Posted: Nov 8, 2023 / 04:43 PM CST", FoundDates("2023-11-08T16:43", None)),
    ("Nov. 19, 2019 8:21 am ET | Updated Nov. 19, 2019 9:02 am ET",
     FoundDates("2019-11-19T08:21", "2019-11-19T09:02")),
    ("Publié le 20 novembre 2023 à 17h19 et mis à jour le 21 novembre 2023",
     FoundDates("2023-11-20T17:19", "2023-11-21")),
    # the time after a slash ("Posted: Nov 8, 2023 / 04:43 PM CST" on TV stations' pages)
    ("Nov 8, 2023 / 04:43 PM", FoundDates("2023-11-08T16:43", None)),
    ("20/11/2019 / 11:42 am", FoundDates("2019-11-20T11:42", None)),
    ("12. März 2021 / 14:30 Uhr", FoundDates("2021-03-12T14:30", None)),
    # a theme's publication and update dates glued together by the dump
    ("19. Dezember 202219. Dezember 2022", FoundDates("2022-12-19", None)),
    ("August 2, 2019August 2, 2019", FoundDates("2019-08-02", None)),
    ("17/11/201917/11/2019", FoundDates("2019-11-17", None)),
    ("28. Juni 201914. Januar 2020", FoundDates("2019-06-28", None)),
    # a year glued to other digits is no year
    ("12.03.20231", None),
    ("21 novembre 20231 visiteurs", None),
    # more than dates: not a date line
    ("Par Jean Dupont, publié le 21 novembre 2023", None),
    ("Publié le 21 novembre 2023 dans la rubrique Économie", None),
    ("Le sommet s’est tenu le 21 novembre 2023.", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_find_dates(text: str, expected: FoundDates | None) -> None:
    assert find_dates(text) == expected


def test_match_date_reports_where_the_date_ends() -> None:
    text = fold("Publié le 21 novembre 2023 à 10h00 par Jean Dupont")
    found = match_date(text, len("Publié le "), language="fr")
    assert found == ("2023-11-21T10:00", len("Publié le 21 novembre 2023 à 10h00"))
    assert text[found[1]:] == " par jean dupont"


FOLDED = [
    ("Publié le 1ᵉʳ Août", "publie le 1er aout"),
    ("L’Express", "l'express"),
    ("17\u00a0h\u202f19", "17 h 19"),
    ("İstanbul", "istanbul"),  # "İ".lower() is two characters: folded one by one
    ("Posted `Today`\tby", "posted 'today' by"),  # ASCII: the same table, without look-ups
]


@pytest.mark.parametrize(("text", "expected"), FOLDED)
def test_fold_keeps_positions(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert len(fold(text)) == len(text)


def test_fold_of_ascii_is_the_table_fold() -> None:
    # fold() takes a shorter way for ASCII text: it must give what the table gives
    for code in range(0x80):
        char = chr(code)
        assert fold(char) == char.lower().translate(_FOLD), hex(code)
        assert fold(f"A{char}Z") == f"A{char}Z".lower().translate(_FOLD), hex(code)


MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)),
       st.integers(0, 23), st.integers(0, 59))
def test_written_dates_round_trip(day: dt.date, hour: int, minute: int) -> None:
    iso = day.isoformat()
    french = f"{day.day} {MONTHS_FR[day.month - 1]} {day.year} à {hour}h{minute:02d}"
    english = f"{day:%B} {day.day}, {day.year} at {hour % 12 or 12}:{minute:02d} " + (
        "p.m." if hour >= 12 else "a.m.")
    expected = f"{iso}T{hour:02d}:{minute:02d}"
    assert parse_date(french, language="fr") == expected
    assert parse_date(english, language="en") == expected
    assert parse_date(f"{day:%d/%m/%Y}", language="fr") == iso


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_iso_or_none(text: str) -> None:
    result = parse_date(text)
    assert result is None or (len(result) >= 10 and result[4] == "-" and result[7] == "-")
