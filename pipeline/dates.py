"""Dates as news pages write them → ISO 8601 strings, never resolved against the clock.

A hand-written grammar reads the forms bylines and datelines use, from word
tables per language in ``pipeline/rules/metadata_<lang>.toml``:

- ISO (``2023-11-20 15:55:27``, ``2023-11-20T15:55:27+01:00``, ``Z``);
- day-month-year words (``21 novembre 2023``, ``le 1er août 2024``, ``mardi 9 avril
  2024``, ``20 Nov 2023``, ``3. März 2024``) and RFC 2822 (``Mon, 20 Nov 2023
  15:55:27 +0100``), which is one case of it;
- month-day-year words (``Nov. 20, 2023``, ``March 3rd, 2024``);
- numbers (``12/02/2024``, ``21.11.2023``): see :class:`NumericOrder`;
- a time after the date (``à 17h19``, ``à 17 h 19``, ``at 8:15 a.m.``, ``17:19 Uhr``)
  or before it (``3:15 PM EST, November 20, 2023``), and an offset or a zone name
  that states one offset.

Why a grammar and not only dateparser: dateparser reads a date *somewhere* in a
string and fills missing parts from the clock; a metadata line must be a date
*as a whole*, with its exact extent (so a byline can go on after it), and the
same input must give the same output on any day. dateparser serves as a
fallback for short strings in languages without a table, with relative dates
refused and every part required.

Output: ``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM[:SS]``, with ``±HH:MM`` only when
the text gives an offset or a zone. A date without a year, or a relative date
("il y a 2 heures", "yesterday"), is None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any, NamedTuple, TypeVar

import tomllib

__all__ = ["COMMON", "LANGUAGES", "DateKind", "FoundDates", "NumericOrder", "find_dates", "fold",
           "label_regex", "language_tables", "match_date", "match_label", "match_relative",
           "parse_date", "read_labels"]

RULES_DIR = "rules"
COMMON_RULES = "metadata.toml"
_LANGUAGE_FILE = re.compile(r"metadata_([a-z]{2})\.toml")
# Site templates speak English whatever the article's language ("Publish date :"),
# so the English table is always used beside the article's own.
TEMPLATE_LANGUAGE = "en"


def _read(name: str) -> dict[str, Any]:
    text = resources.files("pipeline").joinpath(f"{RULES_DIR}/{name}").read_text("utf-8")
    return tomllib.loads(text)


def _read_languages() -> dict[str, dict[str, Any]]:
    folder = resources.files("pipeline").joinpath(RULES_DIR)
    found = sorted(m[1] for p in folder.iterdir() if (m := _LANGUAGE_FILE.fullmatch(p.name)))
    return {lang: _read(f"metadata_{lang}.toml") for lang in found}


COMMON: dict[str, Any] = _read(COMMON_RULES)
LANGUAGES: dict[str, dict[str, Any]] = _read_languages()
_LIMITS: dict[str, int] = COMMON["limits"]


# ---------------------------------------------------------------------------
# Folding: compare case- and accent-insensitively while keeping positions, so
# a match on the folded line slices the original line.

def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base != chr(cp) and base.isascii():
            table[cp] = base.lower()
    table.update({ord(c): "'" for c in "’‘ʼ´`′"})
    table.update({ord(c): " " for c in "\u00a0\u202f\u2009\u2007\u2002\u2003\t"})
    table.update({ord("ᵉ"): "e", ord("ʳ"): "r", ord("ᵗ"): "t", ord("ʰ"): "h", ord("ˢ"): "s"})
    return table


_FOLD = _fold_table()
# The few ASCII characters the table changes (` and tab). An ASCII line, as most are,
# is folded by lower() and a replace() of each: translate() looks up every character.
_ASCII_FOLD = tuple((chr(cp), to) for cp, to in _FOLD.items() if cp < 0x80)


def fold(text: str) -> str:
    """A lower-case, accent-free copy of ``text`` of the same length (positions carry over).

    >>> fold("Publié le 1ᵉʳ Août à 17h19")
    'publie le 1er aout a 17h19'
    """
    if text.isascii():
        low = text.lower()
        for char, to in _ASCII_FOLD:
            low = low.replace(char, to)
        return low
    low = text.lower()
    if len(low) != len(text):  # "İ".lower() is two characters
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low.translate(_FOLD)


def _alternation(words: list[str] | set[str]) -> str:
    """A regex alternation of folded words, longest first so "publiée le" beats "publié"."""
    folded = {fold(w) for w in words if w}
    return "|".join(re.escape(w) for w in sorted(folded, key=lambda w: (-len(w), w)))


def language_tables(language: str | None) -> tuple[dict[str, Any], ...]:
    """The per-language rule tables that apply for an ISO 639-1 hint.

    A language with a table is read with English beside it (templates); None or
    a language without a table is read with every table.

    >>> [t["dates"]["numeric_order"] for t in language_tables("fr")]
    ['day-first', 'unambiguous']
    """
    return tuple(LANGUAGES[lang] for lang in _languages(language))


@cache
def _languages(language: str | None) -> tuple[str, ...]:
    if language in LANGUAGES:
        return tuple(dict.fromkeys([language, TEMPLATE_LANGUAGE]))
    return tuple(LANGUAGES)


# ---------------------------------------------------------------------------
# The grammar, compiled once per language hint.

class NumericOrder(str, Enum):
    """How ``a/b/yyyy`` is read.

    DAY_FIRST: French, German and most languages write the day first.
    UNAMBIGUOUS: English is day-first in Britain and month-first in the US, so
    only a date where one number cannot be a month (or both are equal) is read.
    DAY_FIRST_ELSE_MONTH: language unknown; day first, month first when the
    day-first reading is impossible ("11/20/2023").
    """

    DAY_FIRST = "day-first"
    UNAMBIGUOUS = "unambiguous"
    DAY_FIRST_ELSE_MONTH = "day-first-else-month"


class DateKind(str, Enum):
    PUBLISHED = "published"
    UPDATED = "updated"


class FoundDates(NamedTuple):
    published: str | None
    updated: str | None


@dataclass(frozen=True, slots=True)
class _Grammar:
    months: dict[str, int]
    numeric: NumericOrder
    forms: tuple[re.Pattern[str], ...]  # ISO, numeric, day-month-year, month-day-year
    clock_after: re.Pattern[str]  # joiner + time + zone, right after a date
    clock_before: re.Pattern[str]  # time + zone + comma, before a date
    label: re.Pattern[str]  # "publié le", "Updated:" …
    label_kind: dict[str, DateKind]
    relative: re.Pattern[str]  # a relative-date word anywhere
    relative_statement: re.Pattern[str]  # "il y a 2 heures", "yesterday at 8:15 a.m."
    separator: re.Pattern[str]  # between two date statements on one line


def _words(tables: tuple[dict[str, Any], ...], key: str) -> list[str]:
    return [w for t in tables for w in t["dates"].get(key, [])]


def _opt(alternation: str) -> str:
    """A group for an alternation that may be empty (an empty group would match anything)."""
    return f"(?:{alternation})" if alternation else "(?!)"


def label_regex(bare: list[str], colon: list[str]) -> str:
    """Regex for labels: a ``bare`` label may omit the colon, a ``colon`` label needs one.

    Named groups ``bare`` and ``colon`` hold the folded label.

    >>> re.match(label_regex(["publié le"], ["date"]), fold("Date : 2023")).group("colon")
    'date'
    """
    return (rf"(?:(?P<bare>{_opt(_alternation(bare))})(?!\w)\s*:?"
            rf"|(?P<colon>{_opt(_alternation(colon))})\s*:)\s*")


_K = TypeVar("_K", bound=Enum)


def read_labels(entries: Iterable[tuple[dict[str, Any], _K]]
                ) -> tuple[list[str], list[str], dict[str, _K]]:
    """The ``bare`` and ``colon`` labels of each (language table, kind), and the kind
    of each folded label: the first entry naming a label wins, so the caller's
    order of tables and kinds is the precedence.

    >>> table = {"labels": {"published": {"bare": ["publié le"], "colon": ["date"]}}}
    >>> read_labels([(table, DateKind.PUBLISHED)])[2]
    {'publie le': <DateKind.PUBLISHED: 'published'>, 'date': <DateKind.PUBLISHED: 'published'>}
    """
    bare: list[str] = []
    colon: list[str] = []
    kinds: dict[str, _K] = {}
    for table, kind in entries:
        labels = table["labels"][kind.value]
        bare += labels["bare"]
        colon += labels["colon"]
        for word in labels["bare"] + labels["colon"]:
            kinds.setdefault(fold(word), kind)
    return bare, colon, kinds


@cache
def _grammar(language: str | None) -> _Grammar:
    tables = language_tables(language)
    months: dict[str, int] = {}
    for table in tables:
        for number, names in enumerate(table["dates"]["months"], start=1):
            for name in names:
                months.setdefault(fold(name), number)
    if language in LANGUAGES:
        numeric = NumericOrder(LANGUAGES[language]["dates"]["numeric_order"])
    else:
        numeric = NumericOrder.DAY_FIRST_ELSE_MONTH

    month = rf"(?P<month>{_alternation(set(months))})\.?(?!\w)"
    weekday = rf"(?:{_opt(_alternation(_words(tables, 'weekdays')))})\.?(?!\w)\s*,?"
    prefix = rf"(?:{_opt(_alternation(_words(tables, 'day_prefixes')))})(?!\w)"
    lead = rf"(?:{prefix}\s+)?(?:{weekday}\s+)?(?:{prefix}\s+)?"
    ordinal = _alternation(_words(tables, "ordinals"))
    day = rf"(?P<day>3[01]|[12]\d|0?[1-9])(?:{ordinal})?(?!\d)\.?" if ordinal else (
        r"(?P<day>3[01]|[12]\d|0?[1-9])(?!\d)\.?")
    # a year ends at a non-digit, or where the same date is glued on again: themes
    # print the publication and update dates side by side ("19. Dezember 202219.
    # Dezember 2022", "17/11/201917/11/2019"), and a dump loses the space between them
    year_end = r"(?:(?!\d)|(?=\d{1,2}[./]))"
    year = rf"(?P<year>\d{{4}}){year_end}"
    # the words some languages put between day, month and year ("3 de mayo de 2022")
    connectors = _words(tables, "date_connectors")
    link = rf"(?:(?:{_alternation(connectors)})\s+)?" if connectors else ""
    forms = (
        re.compile(r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
                   r"(?!\d)"),
        re.compile(rf"{lead}(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)"
                   rf"(?P<year>\d{{4}}{year_end}|\d{{2}}(?!\d))"),
        re.compile(rf"{lead}{day}[\s-]*{link}{month}[\s,-]*{link}{year}"),
        re.compile(rf"{lead}{month}\s*{day}\s*,?\s*{year}"),
    )

    joiners = _alternation(_words(tables, "time_joiners"))
    meridiem = _alternation(_words(tables, "meridiem_am") + _words(tables, "meridiem_pm"))
    hour_marks = _alternation(_words(tables, "hour_marks"))
    suffixes = _alternation(_words(tables, "time_suffixes"))
    clock_forms = [
        r"(?P<h1>[01]?\d|2[0-3])\s*[:.]\s*(?P<m1>[0-5]\d)(?:\s*:\s*(?P<s1>[0-5]\d)(?:[.,]\d+)?)?"
        r"(?!\d)",
    ]
    if hour_marks:
        clock_forms.append(rf"(?P<h2>[01]?\d|2[0-3])\s*(?:{hour_marks})\s*(?P<m2>[0-5]\d)?"
                           r"(?!\d)(?:\s*(?:min|mn)(?!\w))?")
    if meridiem:
        clock_forms.append(rf"(?P<h3>1[0-2]|0?[1-9])(?=\s*(?:{meridiem})(?!\w))")
    zones = _alternation({k for k in COMMON["timezones"]} - {"Z"})
    ambiguous = _alternation(COMMON["ambiguous_timezones"]["names"])
    clock = (rf"(?:{'|'.join(clock_forms)})"
             rf"(?:\s*(?P<ap>{_opt(meridiem)})(?!\w))?"
             rf"(?:\s*(?:{_opt(suffixes)})(?!\w))?"
             rf"(?:(?<=\d)(?P<z>z)(?!\w)|\s*\(?(?P<zone>[+-]\d{{2}}:?\d{{2}}"
             rf"|(?:utc|gmt)\s*[+-]\s*\d{{1,2}}(?::?\d{{2}})?|{_opt(zones)})\)?(?!\w)"
             rf"|\s+(?:{ambiguous})(?=\s*(?:$|[|/,;•·])))?")
    clock_after = re.compile(
        rf"(?:\s*,\s*|\s*t\s*|\s+(?:{_opt(joiners)}|-|–|—|\||/)\s+|\s*-\s*|\s+){clock}")
    clock_before = re.compile(rf"{clock}\s*,?\s+")

    bare, colon, label_kind = read_labels((t, k) for t in tables for k in DateKind)
    relative = re.compile(rf"(?<!\w)(?:{_opt(_alternation(_words(tables, 'relative')))})(?!\w)")
    count = rf"(?:\d+|{_opt(_alternation(_words(tables, 'relative_counts')))})"
    unit = rf"{_opt(_alternation(_words(tables, 'relative_units')))}\.?(?!\w)"
    days = _alternation(_words(tables, "relative_days"))
    relative_statement = re.compile(
        rf"(?:{_opt(_alternation(_words(tables, 'relative_before')))}\s+{count}\s*{unit}"
        rf"|{count}\s*{unit}\s+{_opt(_alternation(_words(tables, 'relative_after')))}(?!\w)"
        rf"|{_opt(days)}(?!\w))"
        rf"(?:(?:\s*,\s*|\s+(?:{_opt(joiners)})\s+|\s+){clock})?")
    conjunctions = _alternation([w for t in tables for w in t["byline"]["conjunctions"]])
    separator = re.compile(rf"\s*[,;|•·]\s*|\s+[-–—]\s+|\s+(?:{_opt(conjunctions)})\s+|\s+")
    return _Grammar(months, numeric, forms, clock_after, clock_before,
                    re.compile(label_regex(bare, colon)), label_kind, relative,
                    relative_statement, separator)


# ---------------------------------------------------------------------------
# Matching

def _year(text: str) -> int:
    value = int(text)
    if len(text) == 2:
        value += 2000 if value < _LIMITS["two_digit_year_pivot"] else 1900
    return value


def _valid(y: int, m: int, d: int) -> bool:
    if not _LIMITS["min_year"] <= y <= _LIMITS["max_year"]:
        return False
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _day_month(a: int, b: int, order: NumericOrder, y: int) -> tuple[int, int] | None:
    """(day, month) for the numeric date a/b/y, or None when it cannot be told."""
    if order is NumericOrder.UNAMBIGUOUS:
        if a == b or (a > 12 >= b):
            return (a, b) if _valid(y, b, a) else None
        if b > 12 >= a:
            return (b, a) if _valid(y, a, b) else None
        return None
    if _valid(y, b, a):
        return a, b
    if order is NumericOrder.DAY_FIRST_ELSE_MONTH and _valid(y, a, b):
        return b, a
    return None


def _ymd(m: re.Match[str], g: _Grammar) -> tuple[int, int, int] | None:
    groups = m.groupdict()
    y = _year(groups["year"])
    if groups.get("a") is not None:
        dm = _day_month(int(groups["a"]), int(groups["b"]), g.numeric, y)
        if dm is None:
            return None
        d, mo = dm
    else:
        raw = groups["month"]
        mo = int(raw) if raw.isdigit() else g.months[raw]
        d = int(groups["day"])
    return (y, mo, d) if _valid(y, mo, d) else None


_ZONES: dict[str, str] = {k.lower(): str(v) for k, v in COMMON["timezones"].items()}


def _offset(z: str | None, zone: str | None) -> str:
    if z:
        return "+00:00"
    if not zone:
        return ""
    if zone in _ZONES:
        return _ZONES[zone]
    if m := re.fullmatch(r"(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", zone):
        return f"{m[1]}{int(m[2]):02d}:{m[3] or '00'}"
    sign, digits = zone[0], zone[1:].replace(":", "")
    return f"{sign}{digits[:2]}:{digits[2:]}"


def _clock(m: re.Match[str], g: _Grammar) -> str | None:
    """'THH:MM[:SS][±HH:MM]' from a clock match, or None when the time is impossible."""
    hour = m["h1"] or m.groupdict().get("h2") or m.groupdict().get("h3")
    if hour is None:
        return None
    h = int(hour)
    minute = m["m1"] or m.groupdict().get("m2") or "00"
    ap = m["ap"]
    if ap:
        if not 1 <= h <= 12:
            return None
        pm = ap.startswith("p")
        h = (h % 12) + (12 if pm else 0)
    seconds = f":{m['s1']}" if m["s1"] else ""
    return f"T{h:02d}:{int(minute):02d}{seconds}{_offset(m['z'], m['zone'])}"


def match_date(folded: str, pos: int = 0, *, language: str | None = None
               ) -> tuple[str, int] | None:
    """(ISO date, end position) for a date starting at ``pos`` of a folded string.

    The match is the longest the grammar allows (a time and zone are taken when
    they follow); what comes after is the caller's business.

    >>> match_date(fold("20 novembre 2023 à 17h19 par Jean"))
    ('2023-11-20T17:19', 24)
    """
    g = _grammar(language)
    for form in g.forms:
        m = form.match(folded, pos)
        if m is None:
            continue
        ymd = _ymd(m, g)
        if ymd is None:
            return None
        day = "{:04d}-{:02d}-{:02d}".format(*ymd)
        c = g.clock_after.match(folded, m.end())
        if c and (t := _clock(c, g)):
            return day + t, c.end()
        return day, m.end()
    c = g.clock_before.match(folded, pos)
    if c and (t := _clock(c, g)):
        for form in g.forms:
            m = form.match(folded, c.end())
            if m and (ymd := _ymd(m, g)):
                return "{:04d}-{:02d}-{:02d}".format(*ymd) + t, m.end()
    return None


def match_relative(folded: str, pos: int = 0, *, language: str | None = None) -> int | None:
    """End position of a relative date at ``pos`` ("il y a 2 heures", "yesterday"), or None.

    A relative date is read so that the statement around it can be, never turned
    into a date.

    >>> match_relative(fold("il y a 2 heures, par Jean Dupont"), language="fr")
    15
    """
    m = _grammar(language).relative_statement.match(folded, pos)
    return m.end() if m else None


def match_label(folded: str, pos: int = 0, *, language: str | None = None
                ) -> tuple[DateKind, int] | None:
    """(kind, end position) of a date label ("Publié le", "Updated:") at ``pos``.

    >>> match_label(fold("Mis à jour le 22 novembre 2023"))
    (<DateKind.UPDATED: 'updated'>, 14)
    """
    g = _grammar(language)
    m = g.label.match(folded, pos)
    if m is None:
        return None
    return g.label_kind[m["bare"] or m["colon"]], m.end()


def glued_date(folded: str, pos: int, *, language: str | None = None) -> bool:
    """Whether a date starts at ``pos`` right after another one, with nothing between.

    Themes print a post's publication and update dates side by side, and a dump
    loses the space between them: "August 2, 2019August 2, 2019".

    >>> glued_date(fold("August 2, 2019August 2, 2019"), 14)
    True
    """
    return pos > 0 and folded[pos - 1].isalnum() and match_date(
        folded, pos, language=language) is not None


_TRAILING = " .,;"


def find_dates(text: str, *, language: str | None = None) -> FoundDates | None:
    """The publication and update dates a line states, when the whole line is date statements.

    A relative date ("Mis à jour il y a 2 heures") is a date statement with no value.

    >>> find_dates("Publié le 21 novembre 2023 à 10h00, mis à jour le 22 novembre 2023")
    FoundDates(published='2023-11-21T10:00', updated='2023-11-22')
    >>> find_dates("Le 21 novembre 2023, le conseil a tranché.") is None
    True
    """
    s = fold(text.strip()).rstrip(_TRAILING)
    if not s or len(s) > _LIMITS["max_line_chars"]:
        return None
    g = _grammar(language)
    found: dict[DateKind, str] = {}
    pos = 0
    while True:
        kind = DateKind.PUBLISHED
        if (label := match_label(s, pos, language=language)) is not None:
            kind, pos = label
        hit = match_date(s, pos, language=language)
        if hit is not None:
            found.setdefault(kind, hit[0])
            pos = hit[1]
        elif (end := match_relative(s, pos, language=language)) is not None:
            pos = end
        else:
            return None
        if pos >= len(s):
            break
        sep = g.separator.match(s, pos)
        if sep is None or sep.end() == pos:
            if hit is None or not glued_date(s, pos, language=language):
                return None
            continue
        pos = sep.end()
    return FoundDates(found.get(DateKind.PUBLISHED), found.get(DateKind.UPDATED))


def parse_date(text: str, *, language: str | None = None) -> str | None:
    """ISO 8601 form of a short text that is a date (an optional "Publié le"-style label first).

    >>> parse_date("Publié le 21 novembre 2023")
    '2023-11-21'
    >>> parse_date("Published March 3, 2024 at 8:15 a.m.", language="en")
    '2024-03-03T08:15'
    >>> parse_date("il y a 2 heures") is None
    True
    """
    s = fold(text.strip()).rstrip(_TRAILING)
    if not s or len(s) > _LIMITS["max_date_chars"]:
        return None
    pos = 0
    if (label := match_label(s, pos, language=language)) is not None:
        pos = label[1]
    hit = match_date(s, pos, language=language)
    if hit is not None:
        return hit[0] if hit[1] == len(s) else None
    return _fallback(text.strip(), s, language)


# dateparser only sees strings with a four-digit year (a date without one would
# be completed from the clock), another number for the day (every part is
# required: "2025 Biopic sur …" has no day, and dateparser takes ~1 ms to say so)
# and no numeric date (the grammar rules on those).
_HAS_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")
_NUMBER = re.compile(r"\d+")
_NUMERIC_DATE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}")
_HAS_TIME = re.compile(r"\d\s*(?:[:h]\s*\d\d|(?:[ap]\.?m\.?)(?!\w))")
_HAS_SECONDS = re.compile(r"\d:\d\d:\d\d")
# Never the clock: relative parsers off, every part required, a fixed base.
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_DAY_OF_MONTH": "first",
    "PARSERS": ["absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RELATIVE_BASE": datetime(2000, 1, 1),
}


def _fallback(original: str, folded: str, language: str | None) -> str | None:
    g = _grammar(language)
    if (not _HAS_YEAR.search(folded) or len(_NUMBER.findall(folded)) < 2
            or _NUMERIC_DATE.search(folded) or g.relative.search(folded)):
        return None
    import dateparser  # slow to import; most runs never need it

    languages = [language] if language else list(LANGUAGES)
    try:
        found = dateparser.parse(original, languages=languages, settings=_DATEPARSER_SETTINGS)
    except ValueError:  # a language dateparser does not know
        return None
    if found is None or not _LIMITS["min_year"] <= found.year <= _LIMITS["max_year"]:
        return None
    iso = found.date().isoformat()
    if _HAS_TIME.search(folded):
        iso += found.strftime("T%H:%M:%S" if _HAS_SECONDS.search(folded) else "T%H:%M")
    return iso
