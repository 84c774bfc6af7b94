"""Label every block of a document: title, body, heading, metadata, comment or noise.

The algorithm follows jusText, adapted to text that has lost its HTML:

1. *Context-free grading.* Each block gets features — length, stopword
   density (jusText's stoplists), final punctuation — and a grade: ``GOOD``
   (long, many stopwords), ``NEARGOOD``, ``SHORT`` or ``BAD``. Lines a noise
   lexicon recognises ("Lire aussi", "Advertisement", separators) are noise
   outright, with the lexicon's reason.
2. *Structure.* Repeated blocks, author biographies (a name line followed by
   a line that starts like a bio or goes on about that person), lists under a
   "related links" header.
3. *The main span.* The article is the run of blocks with the largest score:
   good text adds its length, noise subtracts, short lines cost a little —
   so a sub-heading between two paragraphs stays inside, a menu does not.
   A comments header is a wall the span never crosses. The article's
   opening may stand apart, above a break the span does not cross (a photo
   with its caption and credit, a share bar): the best run before the span,
   when it is worth a paragraph or two on its own, is body too.
4. *Context-sensitive labels.* Inside the span, text is body and short lines
   without final punctuation are headings. Outside, lines are metadata (when
   :mod:`pipeline.metadata` reads a field from them), the title (the best
   headline-like line before the body), reader comments (after a comments
   header), or noise with a reason. Anywhere, a line that opens with an
   author's name and a copula is that author's biography.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from importlib import resources

import tomllib

from pipeline.config import ClassifierThresholds
from pipeline.dates import LANGUAGES, fold, match_date, parse_date
from pipeline.document import Kind, Line
from pipeline.lexicon import match_normalised, normalise, normalise_folded, stopwords
from pipeline.metadata import (
    MetaField,
    MetaHit,
    Zone,
    looks_like_person,
    parse_comment_count,
    read_line,
)
from pipeline.record import RemovalReason
from pipeline.segment import LOWER, PIECE_CHARS, UPPER, text_pieces

_STRUCTURE = tomllib.loads(
    resources.files("pipeline").joinpath("rules/structure.toml").read_text(encoding="utf-8")
)
_BIO_START = re.compile("|".join(f"(?:{p})" for p in _STRUCTURE["bio"]["start"]), re.I)
_BIO_COPULA = re.compile(_STRUCTURE["bio"]["copula"])
_C = _STRUCTURE["comments"]
_AUTHOR_SAYS = re.compile(_C["author_says"], re.I)
_AUTHOR_DASH_DATE = re.compile(_C["author_dash_date"], re.I)
_AUTHOR_ALONE = re.compile(_C["author_alone"])
_AUTHOR_ALONE_MAX_WORDS: int = _C["author_alone_max_words"]
_RELATIVE_DATE = re.compile(_C["relative_date"], re.I)

_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Marks that end a sentence (or a clause, or a statement), and the closing quotes
# and brackets that may follow the mark at the end of a line: see _ends_with.
_CLOSERS = "\"”»’)]」』"
_SENTENCE_MARKS = ".!?…:;,。！？"
_FULL_MARKS = ".!?…:。！？"
_STATEMENT_MARKS = ".!…:;,。！"
_WRAP_MIN_CHARS = 30
# Han, kana, Hangul, Thai: scripts that write words without spaces between them
_DENSE_SCRIPT = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LIST_ITEM = re.compile(r"(?:[*+•·▪◦-]|\d{1,2}[.)])\s")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
# a lower-case letter directly followed by a capitalised word: "NewsSports", "InLog"
_LABEL_JOIN = re.compile(f"[{LOWER}][{UPPER}][{LOWER}]")
# The capital of each such join, found from the capital (see _CAPITALISED): never
# fewer than the joins, so a line with few of them is cleared without counting those.
_JOIN_CAPITAL = re.compile(f"[{UPPER}](?<=[{LOWER}][{UPPER}])[{LOWER}]")
# A capital that starts a word, the look-behind placed after the capital: a
# pattern that begins with a character class lets the regex engine skip ahead
# to the characters that can start a match, instead of trying every position.
_CAPITALISED = re.compile(f"[{UPPER}](?<!\\w[{UPPER}])")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)$")
# a match of _TRUNCATED lies in the line's last 4 characters ("...\n" at most): searched
# from there, a long line is not scanned from its start at every full stop
_TRUNCATED_TAIL = 4
_ONLY_COUNT = re.compile(r"\d{1,6}")
_URL_ONLY = re.compile(r"(?:https?://|www\.)\S+")

# Reasons whose header line also covers the short link lines listed under it.
_LIST_HEADERS = frozenset({RemovalReason.RELATED_LINKS})
# Headers that open the page's furniture after an article.
_SECTION_HEADERS = frozenset({
    RemovalReason.RELATED_LINKS, RemovalReason.COMMENTS_HEADER, RemovalReason.COMMENT_FORM,
    RemovalReason.AUTHOR_BIO, RemovalReason.NEWSLETTER, RemovalReason.PROMOTION,
})
_SECTION_HEADER_MAX_WORDS = 6
# Lexicon classes that can never hold a field value.
_NOT_METADATA = frozenset({RemovalReason.SEPARATOR, RemovalReason.COMMENTS_HEADER,
                           RemovalReason.AUTHOR_BIO, RemovalReason.DUPLICATE})
# Noise reasons that end a comments section (page chrome after the comments).
_COMMENTS_END = frozenset({
    RemovalReason.NAVIGATION, RemovalReason.RELATED_LINKS, RemovalReason.FOOTER,
    RemovalReason.NEWSLETTER, RemovalReason.COOKIE, RemovalReason.PROMOTION,
})


class Grade(str, Enum):
    """jusText's context-free classes."""

    GOOD = "good"
    NEARGOOD = "neargood"
    SHORT = "short"
    BAD = "bad"


@dataclass(slots=True)
class _Block:
    line: Line
    chars: int
    words: int
    stop_density: float
    terminal: bool
    grade: Grade
    noise: RemovalReason | None
    key: str | None  # the line's normalise() form, for comparisons: see _key
    kind: Kind | None = None
    hits: tuple[MetaHit, ...] = ()
    comment: int | None = None
    joined: bool = False
    # NAVIGATION for its capitalised words alone, which a headline in title case has too
    capitalised: bool = False


@dataclass(frozen=True, slots=True)
class Labeled:
    """A line and what it was found to be."""

    line: Line
    kind: Kind
    reason: RemovalReason | None = None
    hits: tuple[MetaHit, ...] = ()
    comment: int | None = None  # index into Classified.comments for COMMENT lines
    joined: bool = False  # continues the previous line's paragraph (hard-wrapped text)


@dataclass(slots=True)
class CommentDraft:
    """A reader comment being assembled from its lines."""

    author: str | None = None
    date: str | None = None
    texts: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Classified:
    labels: tuple[Labeled, ...]
    comments: tuple[CommentDraft, ...]
    found_body: bool


def _ends_with(text: str, marks: str) -> bool:
    """Whether ``text`` ends with one of ``marks``, then any closing quotes or brackets,
    and a final line break or not (as a regex ending in ``$`` would tell, but read from
    the end: a regex search tries every position of the line).

    >>> _ends_with('Il a dit : "oui."', _SENTENCE_MARKS), _ends_with("Menu", _SENTENCE_MARKS)
    (True, False)
    """
    end = len(text) - 1 if text.endswith("\n") else len(text)
    while end and text[end - 1] in _CLOSERS:
        end -= 1
    return end > 0 and text[end - 1] in marks


def _grade(chars: int, stop_density: float, t: ClassifierThresholds) -> Grade:
    if chars < t.length_low:
        return Grade.SHORT
    if stop_density >= t.stopwords_high:
        return Grade.GOOD if chars > t.length_high else Grade.NEARGOOD
    if stop_density >= t.stopwords_low:
        return Grade.NEARGOOD
    return Grade.BAD


@lru_cache(maxsize=4096)
def _ratio(part: int, whole: int) -> float:
    """``part / whole``, one float for each value: every block keeps its stopword density,
    and a page run together on one line has hundreds of thousands of blocks."""
    return part / whole


def _features(line: Line, language: str | None, t: ClassifierThresholds) -> _Block:
    text = line.text
    folded = text.casefold()
    key = normalise_folded(folded)
    stops = stopwords(language)
    # an unknown language falls back to the English and French stoplists, which say
    # nothing about a line in another script (Arabic, Hebrew, Cyrillic, CJK …)
    by_stopwords = bool(stops) and (language is not None or _LATIN.search(text) is not None)
    words, stop_words = _count_words(folded, stops if by_stopwords else frozenset())
    terminal = _ends_with(text, _SENTENCE_MARKS)
    chars = len(text)
    dense = _count(_DENSE_SCRIPT, text)
    if dense:
        chars = int(chars + dense * (t.dense_script_factor - 1))
    if by_stopwords:
        density = _ratio(stop_words, words) if words else 0.0
    else:
        # no stoplist for this language: sentences are told by their punctuation
        density = t.stopwords_high if terminal else t.stopwords_low
    url_only = _URL_ONLY.fullmatch(text) is not None
    if not words:
        noise: RemovalReason | None = RemovalReason.SEPARATOR
    elif url_only:
        noise = None  # a bare URL may be the article's URL: metadata decides
    else:
        noise = match_normalised(key, language=language,
                                 prefix_max_chars=t.lexicon_prefix_max_chars,
                                 row_max_words=t.lexicon_row_max_words)
    capitalised = False
    if noise is None:
        if _is_menu(text, words, t):
            noise = RemovalReason.NAVIGATION
        elif words >= t.menu_min_words and _is_capitalised_menu(text, words, t):
            noise, capitalised = RemovalReason.NAVIGATION, True
    grade = Grade.BAD if url_only or noise else _grade(chars, density, t)
    # the sentences of a cut long line do not keep theirs: a page run together on
    # one line has hundreds of thousands of them, held with their blocks (see _key)
    return _Block(line, chars, words, density, terminal, grade, noise,
                  None if line.continues else key, joined=line.continues, capitalised=capitalised)


def _count_words(folded: str, stops: frozenset[str], piece_chars: int = PIECE_CHARS
                 ) -> tuple[int, int]:
    """How many words a case-folded text has, and how many of them are in ``stops``.

    A long text goes a piece at a time (see :func:`_count`); a piece with no space
    to end it early (a page of Chinese on one line) has its words counted without
    a list of them, or read one at a time when stopwords are counted too.

    >>> _count_words("le chat et le chien", frozenset({"le", "et"}))
    (5, 3)
    """
    if len(folded) <= piece_chars:
        found = _WORD.findall(folded)
        # map() keeps the membership tests in C: a generator costs a step a word
        return len(found), sum(map(stops.__contains__, found)) if stops else 0
    words = stop_words = 0
    for piece in text_pieces(folded, piece_chars):
        if not stops:
            words += _WORD.subn("", piece)[1]
        elif len(piece) <= 2 * piece_chars:
            found = _WORD.findall(piece)
            words += len(found)
            stop_words += sum(map(stops.__contains__, found))
        else:
            for match in _WORD.finditer(piece):
                words += 1
                stop_words += match[0] in stops
    return words, stop_words


def _count(pattern: re.Pattern[str], text: str, piece_chars: int = PIECE_CHARS) -> int:
    """``len(pattern.findall(text))``; a long text a piece at a time, and without the
    list of its matches.

    A line of 50 MB with no sentence end to cut it at would otherwise give lists
    of millions of matches (a page of Chinese, millions of one-character strings).
    Pieces end before a space or line break: exact for the patterns counted here,
    which never match an empty string, and whose matches hold neither and look no
    further than a neighbouring character.
    """
    if len(text) <= piece_chars:
        return len(pattern.findall(text))
    return sum(pattern.subn("", piece)[1] for piece in text_pieces(text, piece_chars))


def _key(b: _Block) -> str:
    """The block's normalise() form: kept from _features, or taken again for a sentence
    of a cut long line."""
    return b.key if b.key is not None else normalise(b.line.text)


def _archive_pattern() -> re.Pattern[str]:
    """Month names (every language the date grammar knows) followed by a year."""
    names = {fold(name) for table in LANGUAGES.values()
             for forms in table.get("dates", {}).get("months", ()) for name in forms}
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})\.?\s+\d{{4}}(?!\d)(?:\s*\(\d+\))?")


# An archive widget: "Select Month December 2019 (6) November 2019 (6) …".
_ARCHIVE = _archive_pattern()
_FOUR_DIGITS = re.compile(r"\d\d{3}")  # \d{4} begun with a class, as _CAPITALISED is


def _is_menu(text: str, words: int, t: ClassifierThresholds) -> bool:
    """A menu run together ("HomeNewsSport") or a list of archive months."""
    # each month names its year: fewer four-digit numbers than that clears the line cheaply
    if words >= t.menu_min_words and _count(_FOUR_DIGITS, text) >= t.archive_min_months:
        months, covered = _archive_months(text)
        # many months, and little else: a sentence listing dates has words between them
        if months >= t.archive_min_months and covered * 2 >= len(text):
            return True
    if _count(_JOIN_CAPITAL, text) >= t.glued_labels_min:
        joins = _count(_LABEL_JOIN, text)
        if joins >= t.glued_labels_min and joins >= t.glued_labels_per_word * words:
            return True
    return False


def _is_capitalised_menu(text: str, words: int, t: ClassifierThresholds) -> bool:
    """A menu spelled out in capitalised labels, or a headline in title case."""
    return words >= t.menu_min_words and (
        _count(_CAPITALISED, text) >= t.menu_capitalised_share * words)


# Where a long line is cut for the archive test: before a space after a digit or a
# bracket and before neither a space nor a bracket, which no month with its year
# ("décembre 2019 (6)") holds.
_ARCHIVE_CUT = re.compile(r"(?<=[\d)]) (?=[^\s(])")


def _archive_months(text: str, piece_chars: int = PIECE_CHARS) -> tuple[int, int]:
    """How many months with their year ``text`` names, and how many characters they take.

    A long text goes a piece at a time: its folded copy whole, for a 50 MB line
    with years in it, took ~650 MB.

    >>> _archive_months("Archives : Décembre 2019 (6) Novembre 2019 (4)")
    (2, 34)
    """
    months = covered = 0
    for piece in text_pieces(text, piece_chars, cut=_ARCHIVE_CUT):  # a short text is one
        for match in _ARCHIVE.finditer(fold(piece)):
            months += 1
            covered += match.end() - match.start()
    return months, covered


def _continues(a: _Block, b: _Block, stops: frozenset[str]) -> bool:
    """Whether line ``b`` carries on the sentence of line ``a`` (text wrapped at a width)."""
    if b.line.gap_before or "\n" in a.line.text or a.chars < _WRAP_MIN_CHARS:
        return False
    text, nxt = a.line.text, b.line.text
    if _ends_with(text, _FULL_MARKS) or _LIST_ITEM.match(nxt):
        return False
    last = text.rsplit(None, 1)[-1].casefold()
    return nxt[0].islower() or text.endswith((",", "-")) or last in stops


def _unwrap(blocks: list[_Block], language: str | None, t: ClassifierThresholds) -> None:
    """Grade hard-wrapped sentences as the paragraphs they are, not as short lines."""
    stops = stopwords(language)
    i = 0
    while i < len(blocks):
        j = i
        while j + 1 < len(blocks) and _continues(blocks[j], blocks[j + 1], stops):
            j += 1
        if j > i:
            unit = blocks[i:j + 1]
            whole = _features(Line(unit[0].line.number, " ".join(b.line.text for b in unit)),
                              language, t)
            for k, b in enumerate(unit):
                b.grade, b.stop_density, b.noise = whole.grade, whole.stop_density, whole.noise
                b.terminal = whole.terminal if k == len(unit) - 1 else False
                b.joined = k > 0
        i = j + 1


def _mark_repeats(blocks: list[_Block], t: ClassifierThresholds) -> None:
    """Later copies of a block (or of a truncated block's full text) are duplicates."""
    seen: dict[str, int] = {}
    truncated: list[tuple[str, int]] = []
    for i, b in enumerate(blocks):
        if b.chars < t.repeat_min_chars:
            continue
        key = _key(b)
        first = seen.get(key)
        if first is None:
            for stem, j in truncated:
                if key.startswith(stem):
                    first = j
                    break
        if first is not None:
            b.noise = blocks[first].noise or RemovalReason.DUPLICATE
            continue
        seen[key] = i
        if _TRUNCATED.search(b.line.text, len(b.line.text) - _TRUNCATED_TAIL):
            stem = normalise(_TRUNCATED.sub("", b.line.text))
            if len(stem) >= t.repeat_min_chars:
                truncated.append((stem, i))


def _mark_bios(blocks: list[_Block]) -> None:
    """A line holding only a name, followed by a line that starts like a bio."""
    for i in range(len(blocks) - 1):
        name, bio = blocks[i], blocks[i + 1]
        if name.noise is not None:
            continue
        text, person = bio.line.text, name.line.text.strip()
        # the bio's opening is the cheaper test: most lines fail it
        if (_BIO_START.match(text) or _BIO_COPULA.match(text)
                or (text.startswith(person) and _goes_on_about(person, text))) and (
                looks_like_person(person)):
            bio.noise = RemovalReason.AUTHOR_BIO
            name.hits = (MetaHit(MetaField.AUTHORS, (person,)),)
            name.kind = Kind.METADATA


def _mark_author_bios(blocks: list[_Block], authors: Sequence[str]) -> None:
    """A line that opens with an author's name and a copula is their biography
    ("Ganesh Sitaraman is a professor at…"): the article's authors are those its
    bylines name (``hits``) and those the input gives (``authors``)."""
    names = set(authors)
    for b in blocks:
        for hit in b.hits:
            if hit.field is MetaField.AUTHORS and isinstance(hit.value, tuple):
                names.update(hit.value)
    names.discard("")
    if not names:
        return
    starts = tuple(name + " " for name in names)
    for b in blocks:
        text = b.line.text
        if b.kind is None and b.noise is None and text.startswith(starts) and any(
                _goes_on_about(name, text) for name in names):
            b.noise = RemovalReason.AUTHOR_BIO


def _goes_on_about(name: str, text: str) -> bool:
    """``text`` opens with ``name`` and a copula: "Jane Smith is…", "Jane Smith ist…"."""
    return text.startswith(name + " ") and _BIO_COPULA.match(text, len(name) + 1) is not None


def _mark_lists(blocks: list[_Block], t: ClassifierThresholds) -> None:
    """Short, unpunctuated lines listed under a "related links" header share its reason.

    The list ends at a sentence, at other noise, or at a line followed by a
    paragraph (a sub-heading of the article resuming after the header).
    """
    for i, b in enumerate(blocks):
        if b.noise not in _LIST_HEADERS or not match_is_whole(b):
            continue
        for j in range(i + 1, min(len(blocks), i + 1 + t.max_list_items)):
            nxt = blocks[j]
            if nxt.terminal or nxt.grade is Grade.GOOD or nxt.noise:
                break
            after = blocks[j + 1] if j + 1 < len(blocks) else None
            if after is not None and after.noise is None and after.grade in (
                    Grade.GOOD, Grade.NEARGOOD) and not _LIST_ITEM.match(nxt.line.text):
                break
            nxt.noise = b.noise


def _score(b: _Block, t: ClassifierThresholds) -> float:
    if b.noise is not None or b.kind in (Kind.METADATA, Kind.COMMENT):
        if b.noise in _SECTION_HEADERS and match_is_whole(b):
            return -t.section_header_penalty
        return -t.noise_line_penalty
    weight = t.list_item_weight if _LIST_ITEM.match(b.line.text) else 1.0
    if b.grade is Grade.GOOD:
        return b.chars * weight
    if b.grade is Grade.NEARGOOD:
        return b.chars * t.neargood_weight * weight
    if b.grade is Grade.SHORT:
        return -t.short_line_penalty
    return -b.chars * (t.bad_sentence_weight if b.terminal else t.bad_text_weight)


def match_is_whole(b: _Block) -> bool:
    """A header standing alone on its line, not a prefix form with a link after it."""
    return b.words <= _SECTION_HEADER_MAX_WORDS


def _main_span(blocks: list[_Block], t: ClassifierThresholds) -> tuple[int, int] | None:
    """The run of blocks with the largest total score, never across a comments header.

    Comments follow the article they discuss: when a run before the first
    comments header is worth an article, a longer discussion after it does not win.
    """
    best, best_span = 0.0, None
    lo = 0
    for i in range(len(blocks) + 1):
        if i < len(blocks) and blocks[i].noise is not RemovalReason.COMMENTS_HEADER:
            continue
        score, span = _best_run(blocks, lo, i, t)
        if score > best:
            best, best_span = score, span
        if i < len(blocks) and best_span is not None and best >= t.article_before_comments:
            return best_span
        lo = i + 1
    return best_span


def _best_run(blocks: list[_Block], lo: int, hi: int, t: ClassifierThresholds
              ) -> tuple[float, tuple[int, int] | None]:
    """The run of ``blocks[lo:hi]`` with the largest total score (Kadane), and that score;
    the first such run when two score the same."""
    best, best_span = 0.0, None
    total, start = 0.0, lo
    for i in range(lo, hi):
        total += _score(blocks[i], t)
        if total <= 0:
            total, start = 0.0, i + 1
        elif total > best:
            best, best_span = total, (start, i)
    return best, best_span


def _article_spans(blocks: list[_Block], t: ClassifierThresholds) -> list[tuple[int, int]]:
    """The main span, and before it the article's opening when it stands apart.

    A lead or first paragraphs cut off from the rest by a photo with its caption
    and credit, or a share bar, cost the main span more than they add. The best
    run before it is the opening when it scores ``opening_min_score`` on its own,
    never across a comments header. Only before: what stands apart after an
    article is mostly teasers of other articles (taking the best run after it too,
    F1 sh-dump / traf-dump: 0.909 / 0.856, against 0.921 / 0.864 for the opening alone).
    """
    main = _main_span(blocks, t)
    if main is None:
        return []
    lo = main[0]
    while lo and blocks[lo - 1].noise is not RemovalReason.COMMENTS_HEADER:
        lo -= 1
    score, opening = _best_run(blocks, lo, main[0], t)
    return [opening, main] if opening and score >= t.opening_min_score else [main]


def _is_heading(b: _Block, t: ClassifierThresholds) -> bool:
    """A short line without final punctuation that reads as words: a sub-heading,
    or a sign-off such as a name under a quoted letter. Dates and times ("November
    20", "15:23 2019") are not headings."""
    text = b.line.text
    if b.chars > t.max_heading_chars:
        return False
    words = len(_LETTER_WORD.findall(text))
    return (not _ends_with(text, _STATEMENT_MARKS)
            and (words >= 2 or (words == 1 and not any(c.isdigit() for c in text)))
            and (text[0].isupper() or text[0].isdigit() or not text[0].isalpha()))


def _title_score(b: _Block, distance: int, t: ClassifierThresholds,
                 others: Sequence[str]) -> float | None:
    """How well a line before the body reads as the headline; None when it cannot be one.

    ``others`` are the keys of the other lines before the body. A copy of an earlier
    line that was itself no noise stays a candidate when it is long enough: the
    headline under a breadcrumb or a page title ending in it is a copy of that line.
    So may a line of capitalised words be, which reads as a menu (:func:`_may_be_headline`).
    """
    text = b.line.text
    if (not _may_be_headline(b) or b.kind is not None or b.hits
            or not t.title_min_words <= b.words <= t.title_max_words
            or _ends_with(text, _STATEMENT_MARKS) or "\n" in text
            or not (text[0].isupper() or text[0].isdigit() or text[0] in "«“\"'‘")):
        return None
    # a byline or a dateline ("By Jane Doe | November 19, 2019", "Publié le 3 mai
    # 2022 par …") that the metadata rules did not read: a headline rarely holds a
    # date, so any line without one comes first, and a dateline said twice is no echo
    dated = _holds_date(text)
    echo = b.words >= t.title_echo_min_words and not dated
    if b.noise is RemovalReason.DUPLICATE and not echo:
        return None
    score = 1.0 - distance / (t.title_max_distance + 1)
    key = _key(b)
    echoed = any(key in other and (echo or key != other) for other in others)
    # capitals throughout, further up and said once, are a menu's labels: title case
    # leaves its short words in lower case ("Why My Friend Became a Grocery Store")
    if b.capitalised and not echoed and distance > 0 and not _LOWER_WORD.search(text):
        return None
    if echoed:
        score += 1.0  # the headline is echoed (page title, breadcrumb)
    if b.words >= 4:
        score += 0.5
    if dated:
        score -= 1.0
    return score


_WORD_START = re.compile(r"(?<!\w)\w")
_LOWER_WORD = re.compile(f"(?<!\\S)[{LOWER}]")


def _holds_date(text: str) -> bool:
    """Whether a whole date (day, month and year, in any form the date grammar knows)
    starts at one of the words of ``text``.

    >>> _holds_date("By Jane Doe | Nov. 19, 2019"), _holds_date("Les 10 chiffres du budget")
    (True, False)
    """
    if not any(c.isdigit() for c in text):  # every form has its year in digits
        return False
    folded = fold(text)
    return any(match_date(folded, m.start()) for m in _WORD_START.finditer(folded))


def _may_be_headline(b: _Block) -> bool:
    """No noise, or noise a headline may be taken for: a copy of an earlier line, or a
    line of capitalised words ("Why My Friend Became a Grocery Store on Instagram")."""
    return b.noise is None or b.noise is RemovalReason.DUPLICATE or (
        b.capitalised and b.noise is RemovalReason.NAVIGATION)


def _pick_title(blocks: list[_Block], start: int, end: int, t: ClassifierThresholds
                ) -> int | None:
    """The best headline before the body; else, or when it says the same words, the
    body's first line when it reads as one."""
    head = blocks[:start]
    keys = [_key(b) for b in head]
    best: tuple[float, int] | None = None
    distance = 0
    for i in range(len(head) - 1, max(-1, len(head) - 1 - t.title_max_lines), -1):
        b = head[i]
        if b.kind is Kind.METADATA or not _may_be_headline(b):
            continue  # a byline, a date, a share bar or a caption between is no distance
        score = _title_score(b, distance, t, keys[:i] + keys[i + 1:])
        if score is not None and (best is None or score > best[0]):
            best = (score, i)
        distance += 1
        if distance > t.title_max_distance:
            break
    # a dump that starts with its headline and goes straight into the text (the
    # headline before it may be the same words, spaced or punctuated otherwise)
    if start < end and _title_score(blocks[start], 0, t, ()) is not None and (
            blocks[start + 1].grade in (Grade.GOOD, Grade.NEARGOOD)) and (
            best is None or _alnum(keys[best[1]]) == _alnum(_key(blocks[start]))):
        return start
    return best[1] if best else None


def _alnum(text: str) -> str:
    return "".join(filter(str.isalnum, text))


def _comment_author(b: _Block, nxt: _Block | None) -> tuple[str, str | None] | None:
    """(author, raw date) when the line introduces a comment."""
    text = b.line.text
    if m := _AUTHOR_SAYS.fullmatch(text):
        return m["author"].strip(), None
    if (m := _AUTHOR_DASH_DATE.fullmatch(text)) and (
            _RELATIVE_DATE.fullmatch(m["date"].strip()) or _parse_date(m["date"])):
        return m["author"].strip(), m["date"].strip()
    if (nxt is not None and _AUTHOR_ALONE.fullmatch(text) and len(text.split()) <=
            _AUTHOR_ALONE_MAX_WORDS and not _AUTHOR_ALONE.fullmatch(nxt.line.text)
            and b.noise is None):
        return text.strip(), None
    return None


def _parse_date(text: str) -> str | None:
    """A comment's date; relative dates ("il y a 2 heures") are not resolved."""
    if _RELATIVE_DATE.fullmatch(text.strip()):
        return None
    return parse_date(text)


def _read_comments(blocks: list[_Block], header: int) -> list[CommentDraft]:
    """Split the lines after a comments header into comments; label what they consume."""
    comments: list[CommentDraft] = []
    i = header + 1
    while i < len(blocks):
        b = blocks[i]
        if b.noise in _COMMENTS_END:
            break
        if b.noise is not None:
            i += 1
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        author = _comment_author(b, nxt)
        if author is not None:
            draft = CommentDraft(author=author[0], date=_parse_date(author[1]) if author[1]
                                 else None)
            comments.append(draft)
            b.kind, b.comment = Kind.COMMENT, len(comments) - 1
            if nxt is not None and draft.date is None and nxt.noise is None and (
                    nxt.chars < 60 and (d := _parse_date(nxt.line.text))):
                draft.date = d
                nxt.kind, nxt.comment = Kind.COMMENT, len(comments) - 1
                i += 1
        elif comments:
            comments[-1].texts.append(b.line.text)
            b.kind, b.comment = Kind.COMMENT, len(comments) - 1
        else:
            break  # no comment structure: leave the lines to the general rules
        i += 1
    return comments


def classify(lines: Sequence[Line], *, language: str | None, extracted: bool,
             thresholds: ClassifierThresholds, authors: Sequence[str] = ()) -> Classified:
    """Label each line; see the module docstring for the algorithm.

    >>> from pipeline.segment import segment
    >>> text = ["Menu", "Un titre de test assez long", "", "Le corps de l’article est là, "
    ...         "avec des mots et des phrases qui se suivent comme il se doit dans un texte.",
    ...         "", "Partager"]
    >>> [(x.kind.value, x.reason and x.reason.value) for x in classify(list(segment(text)),
    ...     language="fr", extracted=False, thresholds=ClassifierThresholds()).labels]
    [('noise', 'navigation'), ('title', None), ('body', None), ('noise', 'share')]
    """
    t = thresholds
    blocks = [_features(line, language, t) for line in lines]
    _unwrap(blocks, language, t)
    _mark_bios(blocks)  # before repeats: a bio's later copies inherit its reason there
    _mark_repeats(blocks, t)
    _mark_lists(blocks, t)
    # Reader comments are found before the article: a long discussion would
    # otherwise outweigh the article it discusses.
    comments: list[CommentDraft] = []
    header = None
    for i, b in enumerate(blocks):
        if b.noise is RemovalReason.COMMENTS_HEADER:
            if header is None:
                header = i
            if (count := parse_comment_count(b.line.text)) is not None:
                b.hits = (MetaHit(MetaField.COMMENT_COUNT, count),)
            if comments := _read_comments(blocks, i):
                header = i
                break
    spans = [(0, len(blocks) - 1)] if extracted and blocks else _article_spans(blocks, t)
    # the body's lines (1, and 2 for the first lines of each of its runs), and where it
    # starts and ends: the lines outside it are the head up to its last line (between
    # an opening and the main span too), then the tail
    in_body = bytearray(len(blocks))
    for first, last in spans:
        in_body[first:last + 1] = b"\x01" * (last + 1 - first)
        lead = min(last + 1, first + t.body_head_lines)
        in_body[first:lead] = b"\x02" * (lead - first)
    start, end = (spans[0][0], spans[-1][1]) if spans else (len(blocks), len(blocks) - 1)

    # a bare link under a comments header is a reader's, not the article's address
    readers = len(blocks) if header is None else header
    for i, b in enumerate(blocks):
        if b.kind is not None or b.noise in _NOT_METADATA or (
                i > readers and _URL_ONLY.fullmatch(b.line.text)):
            continue
        if in_body[i] and b.noise is None and b.grade in (Grade.GOOD, Grade.NEARGOOD):
            continue  # a paragraph
        # a dateline or byline among the first lines of the body (under a lead, a
        # kicker) reads as in the head: further in, a date is a heading of the text
        zone = (Zone.BODY if in_body[i] == 1 else Zone.HEAD if in_body[i] or i < end
                else Zone.TAIL)
        hits = read_line(b.line.text, zone, language)
        if hits is not None:
            b.kind, b.hits = Kind.METADATA, hits
    _mark_author_bios(blocks, authors)

    title = None if extracted else _pick_title(blocks, start, end, t)
    has_comments = bool(comments) or header is not None
    # each block goes once labelled, so that a page run together on one line
    # (hundreds of thousands of sentences) never has all its blocks and labels at once
    labels: list[Labeled] = []
    blocks.reverse()
    while blocks:
        i = len(labels)
        labels.append(_label(blocks.pop(), i, bool(in_body[i]), i < start, title,
                             has_comments, extracted, t))
    return Classified(tuple(labels), tuple(comments), bool(spans))


def _label(b: _Block, i: int, body: bool, head: bool, title: int | None, has_comments: bool,
           extracted: bool, t: ClassifierThresholds) -> Labeled:
    line = b.line
    if b.kind is Kind.COMMENT:
        return Labeled(line, Kind.COMMENT, comment=b.comment)
    if b.kind is Kind.METADATA:
        return Labeled(line, Kind.METADATA, hits=b.hits)
    if i == title:  # the headline may be a copy of a breadcrumb's last item
        return Labeled(line, Kind.TITLE)
    if b.noise is not None:
        return Labeled(line, Kind.NOISE, b.noise, hits=b.hits)
    if body:
        if b.grade in (Grade.GOOD, Grade.NEARGOOD):
            return Labeled(line, Kind.BODY, joined=b.joined)
        if _is_heading(b, t):
            return Labeled(line, Kind.HEADING)
        if extracted or b.terminal or (b.grade is Grade.BAD and b.chars >= t.length_low):
            # an extractor already chose these lines: only lexicon noise is taken out
            return Labeled(line, Kind.BODY, joined=b.joined)
        return Labeled(line, Kind.NOISE, RemovalReason.BOILERPLATE)
    if head and has_comments and _ONLY_COUNT.fullmatch(line.text):
        # a lone number near the headline is the comment count (Clubic-style pages),
        # but only when the page does have a comments section to confirm it
        return Labeled(line, Kind.METADATA, hits=(MetaHit(MetaField.COMMENT_COUNT,
                                                          int(line.text)),))
    return Labeled(line, Kind.NOISE, RemovalReason.BOILERPLATE)
