"""Metadata lines and hints → article fields (URL, title, dates, authors, tags, credit, site).

A metadata line is read as a sequence of *statements*, each opened by a label
from the per-language tables in ``pipeline/rules/metadata_<lang>.toml`` ("Par",
"Publié le", "Source link :", "Tags :") or, outside the body, unlabeled (a bare
date, a bare URL, "(avec AFP)"). Every statement must read completely, or the
line is not a metadata line: a sentence that contains a date or a URL never is.

Values are validated where they are read, in the form :func:`merge` keeps them,
so a line's hits compare equal to the merged fields they produced:

- authors: each name must look like a person; agencies ("AFP") go to
  ``source_credit``, publication names ("Le Monde") to ``site_name``, and
  newsroom or CMS bylines ("La rédaction", "admin") are dropped — they name
  nobody and are no source either;
- dates: ISO 8601 from :mod:`pipeline.dates`, never relative;
- URLs: absolute http(s) URLs with a dotted host, kept as written.

Which value wins when several sources give one: see :func:`merge`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from pipeline.dates import (
    COMMON,
    LANGUAGES,
    DateKind,
    fold,
    glued_date,
    label_regex,
    language_tables,
    match_date,
    match_relative,
    parse_date,
    read_labels,
)
from pipeline.document import Hints, Metadata

__all__ = ["MetaField", "MetaHit", "Origin", "Zone", "from_hints", "looks_like_person", "merge",
           "parse_comment_count", "read_line"]


class MetaField(str, Enum):
    TITLE = "title"
    URL = "url"
    PUBLISHED_AT = "published_at"
    UPDATED_AT = "updated_at"
    AUTHORS = "authors"
    TAGS = "tags"
    SOURCE_CREDIT = "source_credit"
    SITE_NAME = "site_name"
    COMMENT_COUNT = "comment_count"


class Zone(str, Enum):
    """Where a line stands relative to the article body."""

    HEAD = "head"  # before the first body line
    BODY = "body"  # between body lines
    TAIL = "tail"  # after the last body line


class Origin(str, Enum):
    """Where a hit comes from: the article's text, or the input's own metadata."""

    TEXT = "text"
    HINT = "hint"


@dataclass(frozen=True, slots=True)
class MetaHit:
    field: MetaField
    value: str | int | tuple[str, ...]
    origin: Origin = Origin.TEXT


_LIMITS: dict[str, int] = COMMON["limits"]


# ---------------------------------------------------------------------------
# Vocabulary shared by every language

def _key(text: str) -> str:
    """Comparison key: folded, inner spaces collapsed, outer punctuation trimmed."""
    return " ".join(fold(text).split()).strip(" .,;:()[]\"'")


def _letters(text: str) -> str:
    """Letters and digits only, folded: 'L’Express' and 'lexpress.fr' meet on 'lexpress'."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


_AGENCIES: dict[str, str] = {_key(name): name for name in COMMON["agencies"]["names"]}
_GENERIC: tuple[str, ...] = tuple(_key(name) for name in COMMON["generic"]["names"])
# one alternation instead of a loop over the names: this runs on every candidate name
_GENERIC_RE = re.compile("(?:" + "|".join(re.escape(g) for g in sorted(_GENERIC, key=len,
                                                                          reverse=True))
                         + ")(?: |$)")
_GENERIC_ENDINGS = tuple(" " + _key(name) for name in COMMON["generic"]["endings"])
_SITE_SHAPE = re.compile("|".join(f"(?:{p})" for p in COMMON["site_name"]["patterns"]))
_SITE_LIKE = re.compile("|".join(f"(?:{p})" for p in (COMMON["site_name"]["patterns"]
                                                       + COMMON["site_name"]["press_words"])))
_PHOTO_CREDITS = frozenset(_key(name) for name in COMMON["photo_credits"]["names"])
_PARTICLES = frozenset(_key(p) for p in COMMON["person"]["particles"])
_SECOND_LEVEL = frozenset(COMMON["host"]["second_level"])
_ROLES = frozenset(_key(w) for table in LANGUAGES.values()
                   for w in table["person"].get("roles", ()))
_NOT_NAME = _ROLES | frozenset(_key(w) for table in LANGUAGES.values()
                               for w in table["person"]["not_name"])
_ELIDED_PARTICLE = re.compile(r"[dlo]['’](?=[^\W\d_])", re.IGNORECASE)  # d'Alembert, O’Brien
_URL = re.compile(r"https?://[^\s<>\"'«»]+", re.IGNORECASE)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2})?)?")
_SENTENCE_PUNCT = re.compile(r"[.!?…](?:\s|$)|[«»“”\"]")


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    """Values without repeats (compared folded), each as first written."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(_key(value), value)
    return tuple(seen.values())


def _agency(text: str) -> str | None:
    """The agency a value names, as written, or None.

    An acronym must be written in capitals: "MAP" is an agency, "Map" a word.
    """
    canonical = _AGENCIES.get(_key(text))
    value = text.strip(" ().[]")
    if canonical is None or (canonical.isupper() and not value.isupper()):
        return None
    return value


def _generic(text: str) -> bool:
    """Whether the name is, starts with or ends with a newsroom or CMS byline ("La
    rédaction …", "Jerusalem Post Staff"). A person named before the ending, with more
    than a newsroom's name between, is no newsroom ("Adam Aaronson PhillyVoice Staff",
    not "Practical Horseman Editorial Staff").

    >>> [_generic(t) for t in ("La rédaction", "HNN Staff", "Adam Aaronson PhillyVoice Staff",
    ...  "Practical Horseman Editorial Staff", "Anna Staffelbach")]
    [True, True, False, True, False]
    """
    key = _key(text)
    if _GENERIC_RE.match(key) is not None:
        return True
    if not key.endswith(_GENERIC_ENDINGS):
        return False
    person = person_before_role(text)
    if person is None:
        return True
    rest = " ".join(text.split()[len(person.split()):])
    return _GENERIC_RE.fullmatch(_key(rest)) is not None


def _site_like(text: str) -> bool:
    return bool(_SITE_LIKE.search(text.strip()))


# a word glued to the next label by a scrape ("Editorial StaffPublish date:"); a
# name's inner capital comes after a short prefix ("McCarthy", "VerBruggen", "FitzGerald")
_GLUED = re.compile(r"[^\W\d_A-ZÀ-Þ]{4}[A-ZÀ-Þ]")
_INITIALS = re.compile(r"(?:[^\W\d_]\.-?)+")  # "J.", "J.-P.", "J.R."


def _name_token(token: str, first: bool) -> bool:
    key = _key(token)
    if not first and (key in _PARTICLES or _ELIDED_PARTICLE.match(token)):
        return True
    if _INITIALS.fullmatch(token) and token[0].isupper():
        return True  # before the words: "L." is no elided "l'" ("Troy L. Smith")
    if key in _NOT_NAME or key in _PARTICLES or not token[0].isupper():
        return False
    # a first name in capitals is an acronym ("CNN Business"); a surname may be
    # ("Marie-Claire DELAIRE")
    if (first and token.isupper() and len(token) > 1) or _GLUED.search(token):
        return False
    return (all(ch.isalpha() or ch in "-'’." for ch in token)
            and all(token.split("-")) and all(token.split("'")) and all(token.split("’")))


def looks_like_person(text: str) -> bool:
    """True when the whole text is a personal name (2 to 5 capitalised words, particles allowed).

    >>> [looks_like_person(t) for t in ("Samir Rahmoune", "Jean-Pierre de La Tour",
    ...  "Microsoft", "Lire d'autres articles", "Le Monde", "AFP")]
    [True, True, False, False, False, False]
    """
    text = text.strip()
    tokens = text.split()
    if (not 2 <= len(tokens) <= _LIMITS["max_name_words"] or len(text) > _LIMITS["max_name_chars"]
            or _agency(text) or _generic(text) or _site_like(text)):
        return False
    if _key(tokens[-1]) in _PARTICLES or not any(ch.islower() for ch in text):
        return False
    return all(_name_token(t, i == 0) for i, t in enumerate(tokens))


# A byline's trade after the name: its word among the first few words of what follows
_ROLE_WITHIN_WORDS = 3
_ROLE_MAX_WORDS = 5


def person_before_role(text: str) -> str | None:
    """The name that opens ``text`` when a trade follows it, with a word or two before
    the trade; the shortest such name, so that the words before the trade are left out.
    A name never ends with an initial ("Bruce Y." of "Bruce Y. Lee Senior Contributor").

    >>> [person_before_role(t) for t in ("Michael Hiltzik Business Columnist",
    ...  "Bruce Y. Lee Senior Contributor", "Jean Dupont correspondant à Londres",
    ...  "Michael Hiltzik", "Business Columnist")]
    ['Michael Hiltzik', 'Bruce Y. Lee', 'Jean Dupont', None, None]
    """
    tokens = text.split()
    for k in range(2, min(len(tokens), _LIMITS["max_name_words"] + 1)):
        tail = tokens[k:]
        if len(tail) > _ROLE_MAX_WORDS:
            continue
        if (any(_key(w) in _ROLES for w in tail[:_ROLE_WITHIN_WORDS])
                and not _INITIALS.fullmatch(tokens[k - 1])
                and looks_like_person(name := " ".join(tokens[:k]))):
            return name
    return None


def _valid_url(text: str) -> str | None:
    """The URL a value is, trimmed of wrapping punctuation, or None."""
    value = text.strip().strip("<>")
    while (value and value[-1] in ".,;:!?»\"'") or (value.endswith(")") and "(" not in value):
        value = value[:-1]
    if not _URL.fullmatch(value):
        return None
    try:
        host = urlsplit(value).hostname or ""
    except ValueError:
        return None
    return value if "." in host.strip(".") else None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or None


def _host_label(host: str | None) -> str:
    """The publication's own label of a host: 'lexpress.fr' → 'lexpress', 'bbc.co.uk' → 'bbc'."""
    if not host:
        return ""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def _names_site(text: str, site_name: str | None, host: str | None) -> bool:
    """True when ``text`` is the publication's name (its site name or its host)."""
    letters = _letters(text)
    if not letters:
        return False
    label = _letters(_host_label(host))
    return bool((site_name and letters == _letters(site_name))
                or (host and letters in (label, _letters(host)))
                or (len(label) >= 3 and letters.startswith(label) and _site_like(text)))


# ---------------------------------------------------------------------------
# Names in a byline

@dataclass(slots=True)
class _Names:
    authors: list[str] = field(default_factory=list)
    credit: str | None = None
    site_name: str | None = None


class _Context(str, Enum):
    AND = "and"
    COMMA = "comma"  # "Jean Dupont, correspondant à Londres": a role may follow
    PAREN = "paren"  # "Julia Hitz (eg)": an aside
    WITH = "with"  # "avec AFP": a credited source
    FOR = "for"  # "pour Le Monde": the publication


def _clean_name(part: str) -> str:
    part = " ".join(part.split()).strip(" ,;:")
    if part.endswith(".") and not re.search(r"(?:^|[\s.-])[^\W\d_]\.$", part):
        part = part[:-1]  # a final full stop, not an initial's
    words = part.split()
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        part = " ".join(words[:half])  # a name printed twice ("Olivier Minot Olivier Minot")
    return part


def _read_names(value: str, lex: _Lexicon, *, strict: bool) -> _Names | None:
    """Authors, credit and site name of a byline's value; None when a part is no name.

    ``strict``: every part must be a person (a byline without a label).
    """
    names = _Names()
    context = _Context.AND
    pos = 0
    parts: list[tuple[_Context, str]] = []
    for m in lex.name_split.finditer(value):
        parts.append((context, value[pos:m.start()]))
        sep = m[0]
        context = (_Context.WITH if m["with"] else _Context.FOR if m["for"]
                   else _Context.PAREN if "(" in sep or "[" in sep
                   else _Context.COMMA if "," in sep and ")" not in sep else _Context.AND)
        pos = m.end()
    parts.append((context, value[pos:]))
    for context, raw in parts:
        part = _clean_name(raw)
        if not part:
            continue
        if agency := _agency(part):
            if strict:
                return None
            names.credit = names.credit or agency
        elif _generic(part) and not strict:
            continue
        elif context is not _Context.FOR and (person := _person(part, strict)):
            if person not in names.authors:
                names.authors.append(person)
        elif strict:
            return None
        elif _site_like(part):
            if context is _Context.WITH:
                names.credit = names.credit or part
            else:
                names.site_name = names.site_name or part
        elif context is _Context.FOR or (names.authors and (
                (context is _Context.COMMA and (part[0].islower()
                                                or (part.isupper() and len(part) <= 6)))
                or (context is _Context.PAREN and len(part.split()) <= 3))):
            # a role ("correspondant à Londres"), a degree ("MS"), an outlet ("CNN")
            # or an aside ("(eg)") after a name
            continue
        else:
            return None
    return names


_VOWEL = re.compile("[AEIOUYÀ-ÆÈ-ÏÒ-ÖØ-Ý]")


def _person(part: str, strict: bool) -> str | None:
    """The person a part of a byline names, or None. After a label ("By"), the name may
    be in capitals ("By DANICA KIRKA and JILL LAWLESS", as agencies print bylines) or
    followed by its author's trade ("By Michael Hiltzik Business Columnist")."""
    if looks_like_person(part):
        return part
    if strict:
        return None
    if part.isupper():
        # a first word without a vowel is an outlet's initials ("By CNN BUSINESS")
        return part if _VOWEL.search(part.split()[0]) and looks_like_person(part.title()) else None
    return person_before_role(part)


def _name_hits(names: _Names) -> list[MetaHit]:
    hits = [MetaHit(MetaField.AUTHORS, tuple(names.authors))]
    if names.credit:
        hits.append(MetaHit(MetaField.SOURCE_CREDIT, names.credit))
    if names.site_name:
        hits.append(MetaHit(MetaField.SITE_NAME, names.site_name))
    return hits


# ---------------------------------------------------------------------------
# Per-language lexicon, compiled once per language hint

class _Kind(str, Enum):
    PUBLISHED = DateKind.PUBLISHED.value
    UPDATED = DateKind.UPDATED.value
    AUTHOR = "author"
    URL = "url"
    SOURCE = "source"  # a URL or a credited source
    CREDIT = "credit"
    TAGS = "tags"
    TITLE = "title"


# Statements whose value runs to the end of the line (or a " | ").
_REST_KINDS = frozenset({_Kind.URL, _Kind.SOURCE, _Kind.CREDIT, _Kind.TAGS, _Kind.TITLE})


@dataclass(frozen=True, slots=True)
class _Lexicon:
    prefilter: re.Pattern[str]
    label: re.Pattern[str]
    kinds: dict[str, _Kind]
    weak: frozenset[str]
    author_end: re.Pattern[str]  # where the names of a byline stop
    rest_end: re.Pattern[str]
    tags_end: re.Pattern[str]  # a "|" before the next label
    inner_label: re.Pattern[str]  # a label with its colon inside a value
    separator: re.Pattern[str]  # between two statements
    name_split: re.Pattern[str]  # between two names of a byline
    with_credit: re.Pattern[str]  # "(avec AFP)"
    tag_split: re.Pattern[str]


def _alt(words: Iterable[str]) -> str:
    folded = {fold(w) for w in words if w}
    return "|".join(re.escape(w) for w in sorted(folded, key=lambda w: (-len(w), w))) or "(?!)"


def _words(tables: Sequence[dict[str, Any]], *path: str) -> list[str]:
    found: list[str] = []
    for table in tables:
        node: Any = table
        for step in path:
            node = node.get(step, {})
        found += list(node)
    return found


@cache
def _lexicon(language: str | None) -> _Lexicon:
    tables = language_tables(language)
    # kind by kind: a label two kinds share goes to the earlier kind in every language
    bare, colon, kinds = read_labels((t, k) for k in _Kind for t in tables)
    weak = {fold(w) for k in _Kind for t in tables for w in t["labels"][k.value]["weak"]}
    label = label_regex(bare, colon)
    # "Posted in X by Y on <date>": the tags stop where a byline or a date starts
    # (not at a name particle: "Georg von Below" is one tag)
    statement_starts = _alt(
        w for t in tables for k in ("author", "published", "updated")
        for w in t["labels"][k]["bare"] if _key(w) not in _PARTICLES)
    date_labels = label_regex(
        _words(tables, "labels", "published", "bare") + _words(tables, "labels", "updated", "bare"),
        _words(tables, "labels", "published", "colon")
        + _words(tables, "labels", "updated", "colon"))
    date_words = (_words(tables, "dates", "weekdays")
                  + [m for t in tables for names in t["dates"]["months"] for m in names])
    day_prefixes = _words(tables, "dates", "day_prefixes")
    date_start = _alt(date_words + day_prefixes)
    # "By Jane Doe on July 27, 2017": the names stop where a date's prefix starts,
    # when a date does follow it ("Jean Le Gall" keeps its particle)
    prefixed_date = rf"(?:{_alt(day_prefixes)})\s+(?:\d|(?:{_alt(date_words)})(?!\w))"
    relative_start = _alt(_words(tables, "dates", "relative_days")
                          + _words(tables, "dates", "relative_before")
                          + _words(tables, "dates", "relative_counts"))
    conj = _alt(_words(tables, "byline", "conjunctions"))
    with_words = _alt(_words(tables, "byline", "with"))
    for_words = _alt(_words(tables, "byline", "for"))
    starts = _alt(list(kinds) + _words(tables, "byline", "with") + list(_AGENCIES))
    return _Lexicon(
        prefilter=re.compile(rf"(?:{starts}|{date_start}|{relative_start})(?!\w)"
                             r"|[\d(\[]|https?:|www\."),
        label=re.compile(label),
        kinds=kinds,
        weak=frozenset(weak),
        author_end=re.compile(
            rf"\s*[|•·]\s*|\s+[-–—]\s+|(?:\s*[,;]\s*|\s+)(?={date_labels})"
            rf"|\s*[,;]\s*(?=\d|(?:{date_start})(?!\w))|\s+(?=\d|{prefixed_date})"),
        rest_end=re.compile(r"\s+[|•·]\s+"),
        tags_end=re.compile(rf"\s*[|•·]\s*(?={label})|\s+(?=(?:{statement_starts})\s)"),
        inner_label=re.compile(rf"\s(?:{_alt(bare + colon)})\s*:"),
        separator=re.compile(rf"\s*[,;|•·/]\s*|\s*[-–—]\s+|\s+(?:{conj})\s+|\s+"),
        name_split=re.compile(
            rf"\s*[,;/&+]\s*|\s*[()\[\]]\s*|\s+(?:{conj})\s+"
            rf"|\s+(?P<with>{with_words})\s+|\s+(?P<for>{for_words})\s+"),
        with_credit=re.compile(
            rf"(?P<open>\(\s*)?(?:{with_words})\s+(?P<value>[^()]+?)\s*\)?\.?"),
        tag_split=re.compile(r"\s*[,;|·•]\s*|\s+(?=#)"),
    )


# ---------------------------------------------------------------------------
# Reading one line

def _credit(value: str) -> str | None:
    """A credited source's name, or None when the value reads as a sentence."""
    value = _clean_name(value)
    if (not value or len(value) > _LIMITS["max_credit_chars"] or "http" in value.casefold()
            or _key(value) in _PHOTO_CREDITS or _key(value.split()[0]) in _PHOTO_CREDITS
            or len(value.split()) > _LIMITS["max_credit_words"] or _SENTENCE_PUNCT.search(value)):
        return None
    return _agency(value) or value


def _tags(value: str, lex: _Lexicon) -> tuple[str, ...] | None:
    tags: dict[str, str] = {}
    for raw in lex.tag_split.split(value):
        tag = raw.strip().lstrip("#").strip()
        if not tag:
            continue
        if (len(tag) > _LIMITS["max_tag_chars"] or len(tag.split()) > _LIMITS["max_tag_words"]
                or _SENTENCE_PUNCT.search(tag) or _URL.search(tag) or ":" in tag):
            return None
        tags.setdefault(_key(tag), tag)
    return tuple(tags.values())


_HARD_SEPARATOR = re.compile(r"[|•·/–—-]")


class _Reader:
    """One line's statements, read left to right."""

    def __init__(self, line: str, folded: str, zone: Zone, language: str | None) -> None:
        self.line, self.folded, self.zone, self.language = line, folded, zone, language
        self.lex = _lexicon(language)
        self.hits: list[MetaHit] = []
        self.loose_names: list[str] = []
        self.empty_byline = False  # "Par" with no name and no colon
        self.hard_separator = False  # the last separator was "|", "/", "—"…
        self.dated = False  # a date statement was read (a relative one too)
        self.dated_at: int | None = None  # where the last date read ends

    def read(self) -> tuple[MetaHit, ...] | None:
        if (whole := self._whole_line()) is not None:
            return whole
        pos, end = 0, len(self.folded)
        statements = 0
        while pos < end:
            new = self._statement(pos)
            if new is None:
                return None
            pos = new
            statements += 1
            if pos >= end:
                break
            sep = self.lex.separator.match(self.folded, pos)
            if sep is None or sep.end() == pos:
                # two dates glued together ("2. Februar 20202. Februar 2020")
                if not (self.dated_at == pos and glued_date(self.folded, pos,
                                                            language=self.language)):
                    return None
                continue
            self.hard_separator = bool(_HARD_SEPARATOR.search(sep[0]))
            pos = sep.end()
        if self.loose_names:
            if not self.dated:
                return None
            self.hits.append(MetaHit(MetaField.AUTHORS, tuple(self.loose_names)))
        if statements == 1 and self.empty_byline:
            return None  # "Par" or "By" alone on a line says nothing
        return _combine(self.hits)

    def _whole_line(self) -> tuple[MetaHit, ...] | None:
        """Hits of a line that is one value: a bare URL, "(avec AFP)", "AFP"; else None."""
        line, outside = self.line, self.zone is not Zone.BODY
        if outside and " " not in line and (url := _valid_url(line)):
            return (MetaHit(MetaField.URL, url),)
        if m := self.lex.with_credit.fullmatch(self.folded):
            # "(avec AFP)", "avec AFP et Reuters", "(with The Guardian)"; not "Mit Video"
            value = self.line[m.start("value"):m.end("value")]
            parts = [p for p in self.lex.name_split.split(value) if p and p.strip()]
            if (parts and all(_agency(p) for p in parts)) or (
                    m["open"] and _SITE_LIKE.search(value) and _credit(value)):
                return (MetaHit(MetaField.SOURCE_CREDIT, _credit(value) or value),)
        if outside and (agency := _agency(line)):
            return (MetaHit(MetaField.SOURCE_CREDIT, agency),)
        return None

    def _statement(self, pos: int) -> int | None:
        """Read the statement at ``pos``; its end, or None when it does not read."""
        folded, line, lex = self.folded, self.line, self.lex
        m = lex.label.match(folded, pos)
        if m is not None:
            key = m["bare"] or m["colon"]
            if self.zone is Zone.BODY and key in lex.weak:
                return None
            return self._labelled(lex.kinds[key], m.end(), bool(m["colon"]))
        if self.zone is Zone.BODY:
            return None  # a date heading in the body ("Vendredi 17 novembre 2023")
        if (date := match_date(folded, pos, language=self.language)) is not None:
            self.hits.append(MetaHit(MetaField.PUBLISHED_AT, date[0]))
            self.dated, self.dated_at = True, date[1]
            return date[1]
        if (relative := match_relative(folded, pos, language=self.language)) is not None:
            self.dated = True  # "il y a 2 heures": a date line, never resolved
            return relative
        # a name without "Par" only after a date and a visible separator
        # ("26.05.2020 / Nicolas Šustr"): after a bare space, capitalised words
        # are as often a heading or an organisation ("Aktuelle Meldung")
        if not self.dated or not self.hard_separator:
            return None
        stop = lex.author_end.search(folded, pos)
        end = stop.start() if stop else len(folded)
        names = _read_names(line[pos:end], lex, strict=True)
        if names is None or not names.authors:
            return None
        self.loose_names += [n for n in names.authors if n not in self.loose_names]
        return end

    def _labelled(self, kind: _Kind, pos: int, colon: bool) -> int | None:
        folded, line, lex = self.folded, self.line, self.lex
        n = len(folded)
        if kind in (_Kind.PUBLISHED, _Kind.UPDATED):
            date = match_date(folded, pos, language=self.language)
            if date is None:
                if (relative := match_relative(folded, pos, language=self.language)) is not None:
                    self.dated = True  # "Publié il y a 2 heures": read, never resolved
                    return relative
                return n if pos >= n and colon else None  # "Publish date :" left empty
            field = MetaField.PUBLISHED_AT if kind is _Kind.PUBLISHED else MetaField.UPDATED_AT
            self.hits.append(MetaHit(field, date[0]))
            self.dated, self.dated_at = True, date[1]
            return date[1]
        if kind is _Kind.AUTHOR:
            stop = lex.author_end.search(folded, pos)
            end = stop.start() if stop else n
            names = _read_names(line[pos:end], lex, strict=False)
            if names is None:
                return None
            self.empty_byline = not colon and not line[pos:end].strip()
            self.hits += _name_hits(names)
            return end
        stop = (lex.tags_end if kind is _Kind.TAGS else lex.rest_end).search(folded, pos)
        end = stop.start() if stop else n
        value = line[pos:end].strip()
        if not value:
            if kind is _Kind.TAGS:
                self.hits.append(MetaHit(MetaField.TAGS, ()))
            return end if colon else None
        if kind in (_Kind.URL, _Kind.SOURCE) and (url := _valid_url(value)):
            self.hits.append(MetaHit(MetaField.URL, url))
        elif kind in (_Kind.SOURCE, _Kind.CREDIT) and (credit := _credit(value)):
            self.hits.append(MetaHit(MetaField.SOURCE_CREDIT, credit))
        elif kind is _Kind.TAGS and (tags := _tags(value, lex)) is not None:
            self.hits.append(MetaHit(MetaField.TAGS, tags))
            # an aggregator files its copy under the source's name: "Tags :L’Express"
            if len(tags) == 1 and _SITE_SHAPE.search(tags[0]):
                self.hits.append(MetaHit(MetaField.SITE_NAME, tags[0]))
        elif (kind is _Kind.TITLE and len(value) <= _LIMITS["max_title_chars"]
              and not lex.inner_label.search(fold(value))):
            self.hits.append(MetaHit(MetaField.TITLE, value))
        else:
            return None
        return end


def _combine(hits: list[MetaHit]) -> tuple[MetaHit, ...]:
    """One hit per field, in first-seen order; authors (tags) of several statements together."""
    out: dict[MetaField, MetaHit] = {}
    for hit in hits:
        if hit.field in (MetaField.AUTHORS, MetaField.TAGS) and hit.field in out:
            old = out[hit.field].value
            assert isinstance(old, tuple) and isinstance(hit.value, tuple)
            out[hit.field] = MetaHit(hit.field, tuple(dict.fromkeys(old + hit.value)))
        else:
            out.setdefault(hit.field, hit)
    return tuple(out.values())


# a list item's marker: dumps render the date or byline of a <li> as "* 26.02.2020"
_LIST_MARKER = re.compile(r"[*+•·▪►‣◦-]\s+")


def read_line(text: str, zone: Zone, language: str | None = None) -> tuple[MetaHit, ...] | None:
    """The fields a whole line states, or None when it is not a metadata line.

    An empty tuple is a metadata line that states nothing ("Publish date :").

    >>> read_line("Par , publié le 21 novembre 2023", Zone.HEAD, "fr")
    (MetaHit(field=<MetaField.AUTHORS: 'authors'>, value=(), origin=<Origin.TEXT: 'text'>), \
MetaHit(field=<MetaField.PUBLISHED_AT: 'published_at'>, value='2023-11-21', \
origin=<Origin.TEXT: 'text'>))
    >>> read_line("Source : Insee", Zone.BODY, "fr") is None
    True
    >>> read_line("* 26.02.2020", Zone.HEAD, "de")
    (MetaHit(field=<MetaField.PUBLISHED_AT: 'published_at'>, value='2020-02-26', \
origin=<Origin.TEXT: 'text'>),)
    """
    line = _LIST_MARKER.sub("", text.strip(), count=1)
    if not line or len(line) > _LIMITS["max_line_chars"] or "\n" in line:
        return None
    folded = fold(line)
    if not _lexicon(language).prefilter.match(folded):
        return None
    return _Reader(line, folded, zone, language).read()


# ---------------------------------------------------------------------------
# Comment counts

@cache
def _count_forms() -> tuple[re.Pattern[str], ...]:
    tables = tuple(LANGUAGES.values())
    words = _alt(_words(tables, "comment_count", "words"))
    about = _alt(_words(tables, "comment_count", "about"))
    zero = _alt(_words(tables, "comment_count", "zero"))
    return (
        re.compile(rf"(?:{words})\s*[:(\[]?\s*(?P<n>\d{{1,6}})\s*[)\]]?"),
        re.compile(rf"(?P<n>\d{{1,6}})\s+(?:{words})"),
        re.compile(rf"(?P<n>\d{{1,6}})\s+(?:{about})\s+\S.*"),
        re.compile(rf"(?:{zero})"),
    )


def parse_comment_count(text: str) -> int | None:
    """The number of comments a line states ("Commentaires (10)", "No Comments Yet"), or None.

    >>> [parse_comment_count(t) for t in ("Commentaires (10)", "12 commentaires", "3 Comments",
    ...  "No Comments Yet", "Réactions (4)", "Comments are closed")]
    [10, 12, 3, 0, 4, None]
    """
    key = " ".join(fold(text).split()).strip(" .!:")
    if not key or len(key) > _LIMITS["max_line_chars"]:
        return None
    for form in _count_forms():
        if m := form.fullmatch(key):
            return int(m["n"]) if "n" in form.groupindex else 0
    return None


# ---------------------------------------------------------------------------
# Hints an input carries

_TITLE_SEPARATOR = re.compile(r"(?<!\s)\s+[|–—:·•»-]\s+")  # from a run's start: linear
_BYLINE_LABEL = re.compile(r"(?:par|by|von)\s+", re.IGNORECASE)
_HINT_AUTHOR_BAD = re.compile(r"[\d@/\\<>{}=_]|https?:|www\.")


def _strip_site(title: str, site_name: str | None, host: str | None) -> str:
    """The title without a site name stuck before or after it (" | Le Monde")."""
    parts = _TITLE_SEPARATOR.split(title)
    seps = _TITLE_SEPARATOR.findall(title)
    if len(parts) < 2:
        return title
    if _names_site(parts[-1], site_name, host):
        return title[: title.rfind(seps[-1])].strip()
    if _names_site(parts[0], site_name, host):
        return title[title.find(seps[0]) + len(seps[0]):].strip()
    return title


def _hint_authors(raw: Iterable[str], site_name: str | None, host: str | None,
                  language: str | None) -> _Names:
    """Names an input lists as authors, sorted into authors, credit and site name.

    Pages mark up authors loosely (one string for several names, the agency, the
    site's own name), so each name is split and sorted; a plain name is kept
    even when it is a single word ("Korben"), since the markup says it is an author.
    """
    names = _Names()
    lex = _lexicon(language)
    for entry in raw:
        # plain split, then strip: a "\s*;\s*" pattern is quadratic on long runs of spaces
        for piece in (p.strip() for p in entry.split(";")):
            piece = _BYLINE_LABEL.sub("", piece, count=1) if _BYLINE_LABEL.match(piece) else piece
            split = _read_names(piece, lex, strict=False)
            if split is not None and (split.authors or split.credit or split.site_name):
                candidates = split.authors
                names.credit = names.credit or split.credit
                names.site_name = names.site_name or split.site_name
            else:
                candidates = [_clean_name(piece)]
            for name in candidates:
                if not name or _HINT_AUTHOR_BAD.search(name) or _generic(name):
                    continue
                if agency := _agency(name):
                    names.credit = names.credit or agency
                elif _names_site(name, site_name, host) or _site_like(name):
                    names.site_name = names.site_name or name
                elif (len(name) <= _LIMITS["max_name_chars"]
                      and len(name.split()) <= _LIMITS["max_name_words"]
                      and all(_key(name) != _key(a) for a in names.authors)):
                    names.authors.append(name)
    return names


def _language(code: str | None) -> str | None:
    """'fr-FR' → 'fr'."""
    if not code:
        return None
    head = code.strip().lower()[:2]
    return head if head.isalpha() and len(head) == 2 else None


def from_hints(hints: Hints) -> tuple[MetaHit, ...]:
    """Hits for the metadata an input carries, validated and normalised.

    >>> [(h.field.value, h.value) for h in from_hints(Hints(
    ...     url="https://www.lemonde.fr/a.html", title="Un titre | Le Monde",
    ...     authors=("Jean Dupont; AFP",), published_at="2023-11-21", site_name="Le Monde"))]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('url', 'https://www.lemonde.fr/a.html'), ('title', 'Un titre'),
     ('published_at', '2023-11-21'), ('authors', ('Jean Dupont',)),
     ('source_credit', 'AFP'), ('site_name', 'Le Monde')]
    """
    hits: list[MetaHit] = []

    def add(field: MetaField, value: str | int | tuple[str, ...] | None) -> None:
        if value is not None and value != "":
            hits.append(MetaHit(field, value, Origin.HINT))

    language = _language(hints.language)
    url = _valid_url(hints.url) if hints.url else None
    host = _host(url)
    site_name = " ".join(hints.site_name.split()) if hints.site_name else None
    add(MetaField.URL, url)
    if hints.title and (title := " ".join(hints.title.split())):
        add(MetaField.TITLE, _strip_site(title, site_name, host) or title)
    for date_field, raw in ((MetaField.PUBLISHED_AT, hints.published_at),
                            (MetaField.UPDATED_AT, hints.updated_at)):
        if raw:
            add(date_field, parse_date(raw, language=language))
    names = _hint_authors(hints.authors, site_name, host, language)
    if hints.authors:
        add(MetaField.AUTHORS, tuple(names.authors))
    tags = _dedupe(" ".join(t.split()) for t in hints.tags
                   if t.strip() and len(t) <= _LIMITS["max_tag_chars"])
    if tags:
        add(MetaField.TAGS, tags)
    add(MetaField.SOURCE_CREDIT, _credit(hints.source_credit) if hints.source_credit else None)
    add(MetaField.SOURCE_CREDIT, names.credit)
    add(MetaField.SITE_NAME, site_name)
    add(MetaField.SITE_NAME, names.site_name)
    return tuple(hits)


# ---------------------------------------------------------------------------
# Merging

# Which origin is tried first for each field. An input's own metadata (a page's
# canonical link, og:title, its date markup) is structured and wins when it
# validates; the text fills what it lacks. A credit and a comment count are
# stated by the text itself ("Source : Wired", "Commentaires (10)").
_TEXT_FIRST = frozenset({MetaField.SOURCE_CREDIT, MetaField.COMMENT_COUNT})


def _ordered(hits: Sequence[MetaHit], field: MetaField) -> list[MetaHit]:
    mine = [h for h in hits if h.field is field]
    first = Origin.TEXT if field in _TEXT_FIRST else Origin.HINT
    return [h for h in mine if h.origin is first] + [h for h in mine if h.origin is not first]


def merge(hits: Iterable[MetaHit]) -> Metadata:
    """Fold hits into one Metadata: per field, the first valid value in origin order.

    The order between text and hint hits does not matter: hint hits win for
    every field but ``source_credit`` and ``comment_count`` (see ``_TEXT_FIRST``);
    among hits of one origin, the first wins (document order). Empty author or
    tag lists only count when no hit gives names. Agencies found among authors
    become the credit, site names the site name; a site name read from the
    text must match the URL's host when there is one.

    >>> m = merge([MetaHit(MetaField.AUTHORS, ()), MetaHit(MetaField.URL,
    ...     "https://www.lexpress.fr/a"), MetaHit(MetaField.TAGS, ("L’Express",)),
    ...     MetaHit(MetaField.SITE_NAME, "L’Express")])
    >>> (m.site, m.site_name, m.authors, m.tags)
    ('lexpress.fr', 'L’Express', (), ('L’Express',))
    """
    hits = list(hits)

    url = next((u for h in _ordered(hits, MetaField.URL)
                if isinstance(h.value, str) and (u := _valid_url(h.value))), None)
    host = _host(url)

    def first_str(field: MetaField, valid: re.Pattern[str] | None = None) -> str | None:
        for h in _ordered(hits, field):
            if isinstance(h.value, str) and h.value.strip() and (
                    valid is None or valid.fullmatch(h.value)):
                return h.value.strip()
        return None

    hint_site = first_str(MetaField.SITE_NAME)
    credits: list[str] = []
    sites: list[tuple[str, Origin]] = [(h.value, h.origin) for h in _ordered(
        hits, MetaField.SITE_NAME) if isinstance(h.value, str) and h.value.strip()]
    authors: tuple[str, ...] | None = None
    for h in _ordered(hits, MetaField.AUTHORS):
        if not isinstance(h.value, tuple):
            continue
        kept: list[str] = []
        for name in h.value:
            if agency := _agency(name):
                credits.append(agency)
            elif _generic(name):
                continue
            elif _names_site(name, hint_site, host) or _site_like(name):
                sites.append((name, h.origin))
            elif all(_key(name) != _key(k) for k in kept):
                kept.append(name.strip())
        if kept and not authors:
            authors = tuple(kept)
    tags: tuple[str, ...] = ()
    for h in _ordered(hits, MetaField.TAGS):
        if isinstance(h.value, tuple) and h.value:
            tags = _dedupe(h.value)
            break

    site_name = None
    for name, origin in sites:
        if origin is Origin.HINT or host is None or _names_site(name, None, host):
            site_name = name.strip()
            break
    credit = first_str(MetaField.SOURCE_CREDIT) or (credits[0] if credits else None)
    count = next((h.value for h in _ordered(hits, MetaField.COMMENT_COUNT)
                  if isinstance(h.value, int) and not isinstance(h.value, bool)
                  and h.value >= 0), None)
    return Metadata(
        title=first_str(MetaField.TITLE),
        url=url,
        site=host,
        site_name=site_name,
        authors=authors or (),
        published_at=first_str(MetaField.PUBLISHED_AT, _ISO),
        updated_at=first_str(MetaField.UPDATED_AT, _ISO),
        tags=tags,
        source_credit=credit,
        comment_count=count,
    )
