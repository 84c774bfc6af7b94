"""Typography profiles and ASCII forms (slugs).

A profile is a style, applied on request to the title, body and comments of a
record, never inside URLs or e-mail addresses: ``keep`` changes nothing, ``fr``
sets French conventions, ``ascii-quotes`` straightens quotes and apostrophes.
Repair (:mod:`pipeline.repair`) has already fixed the errors; a profile only
chooses among correct forms.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Callable

from ftfy.fixes import uncurl_quotes
from unidecode import unidecode

from pipeline.config import Typography

NBSP, NNBSP = "\xa0", "\u202f"

# URLs and e-mail addresses: left exactly as they are by every profile. A URL
# ends before white space, quotes and guillemets, and before final punctuation.
_URL_RE = re.compile(
    r"(?:(?<![\w+.-])[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>\"«»“”‘’]*[^\s<>\"«»“”‘’.,;:!?)\]']"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.I,
)

# --- fr ---------------------------------------------------------------------------
# French typography (Imprimerie nationale, "Lexique des règles typographiques"):
# « » with no-break spaces inside; a narrow no-break space before ; ! ?; a
# no-break space before :; the apostrophe ’; the ellipsis character.
_ELLIPSIS_RE = re.compile(r"(?<!\.)\.\.\.(?!\.)")
_APOSTROPHE_RE = re.compile(r"(?<=\w)'(?=\w)")
_STRAIGHT_DQ_RE = re.compile(r'"')
_DQ_MARKS_RE = re.compile("[«»“”]")
_BEFORE_OPENING = frozenset("([{—–-/«“‘")
_AFTER_CLOSING = frozenset(".,;:!?…)]}—–-/'’»”")
# Spaces inside « »: none, a plain, thin or narrow space → one no-break space.
_AFTER_OPEN_GUILLEMET_RE = re.compile(f"«[ \t\u2009{NNBSP}]*(?=[^\\s{NBSP};:!?])")
_BEFORE_CLOSE_GUILLEMET_RE = re.compile(f"(?<=[^\\s{NBSP}])[ \t\u2009{NNBSP}]*»")
# Before ; ! ? ending a clause (followed by a space, the end, a closing mark or
# more of them): any space or none → narrow no-break space. "?id=3" or "a;b"
# are not clause ends and stay.
_BEFORE_HIGH_PUNCT_RE = re.compile(
    f"(?<=[^\\s:;!?])[ \u2009{NBSP}]?(?=[;!?]+(?:[\\s»”\"')\\]]|$))"
)
# Before a colon ending a clause: any space or none → no-break space ("17:30",
# "http:" and "C:\\" stay).
_BEFORE_COLON_RE = re.compile(f"(?<=[^\\s:;!?])[ \u2009{NNBSP}]?(?=:(?:[\\s»”\"]|$))")

# --- ascii-quotes -----------------------------------------------------------------
# A guillemet and the spaces inside it (on its line: a line break stays); a
# closing one's spaces are taken from where their run starts (linear time), or
# none when the opening one took them ("« »").
_H_SPACE = "[^\\S\\n]"  # no-break and narrow no-break spaces included
_GUILLEMETS_RE = re.compile(f"«{_H_SPACE}*|(?<!{_H_SPACE}){_H_SPACE}*»|»")
_SINGLE_GUILLEMETS_RE = re.compile(f"‹{_H_SPACE}*|(?<!{_H_SPACE}){_H_SPACE}*›|›")


def apply_profile(text: str, profile: Typography) -> tuple[str, int]:
    """Apply a typography profile; returns the text and how many changes it made.

    >>> apply_profile('Il a dit "oui"... C\\'est l\\'été : voilà !', Typography.FR)
    ('Il a dit «\\xa0oui\\xa0»… C’est l’été\\xa0: voilà\\u202f!', 9)
    >>> apply_profile("« L’été » “là”", Typography.ASCII_QUOTES)
    ('"L\\'été" "là"', 5)
    >>> apply_profile("Voir https://ex.fr/a?b=1 ; « ok »", Typography.KEEP)
    ('Voir https://ex.fr/a?b=1 ; « ok »', 0)
    """
    if profile is Typography.KEEP or not text:
        return text, 0
    total = 0
    for step in _PROFILES[profile]:
        text, n = step(text)
        total += n
    return text, total


def fr_ellipsis(text: str) -> tuple[str, int]:
    """Three full stops → the ellipsis character (not in longer runs of dots).

    >>> fr_ellipsis("Et puis... rien. ....")
    ('Et puis… rien. ....', 1)
    """
    return _sub_outside_urls(_ELLIPSIS_RE, "…", text) if "..." in text else (text, 0)


def fr_apostrophes(text: str) -> tuple[str, int]:
    """A straight apostrophe between letters → ’.

    >>> fr_apostrophes("l'été d'O'Neill, 'cité'")
    ("l’été d’O’Neill, 'cité'", 3)
    """
    return _sub_outside_urls(_APOSTROPHE_RE, "’", text) if "'" in text else (text, 0)


def fr_quotes(text: str) -> tuple[str, int]:
    """Straight and English double quotes → « », nested quotes inside « » left as “ ”.

    Each paragraph is done alone, and only when its quotes pair up: a stray
    mark could be anything, so nothing around it is guessed.

    >>> fr_quotes('Il dit "oui" et “non, « vraiment “non” »”.')
    ('Il dit «oui» et «non, « vraiment “non” »».', 4)
    >>> fr_quotes('Un écran de 27" et "rien')
    ('Un écran de 27" et "rien', 0)
    """
    if '"' not in text and "“" not in text:
        return text, 0
    count = 0
    paragraphs = text.split("\n")
    for k, paragraph in enumerate(paragraphs):
        if '"' in paragraph or "“" in paragraph:
            paragraph, n = _straight_to_guillemets(paragraph)
            paragraphs[k], m = _english_to_guillemets(paragraph)
            count += n + m
    return "\n".join(paragraphs), count


def _straight_to_guillemets(text: str) -> tuple[str, int]:
    """Straight double quotes that pair up, each where it fits, → « »."""
    if '"' not in text:
        return text, 0
    spans = _url_spans(text)
    marks = [m.start() for m in _STRAIGHT_DQ_RE.finditer(text) if not _in_url(spans, m.start())]
    if not marks or len(marks) % 2 or not all(
            _quote_fits(text, i, opening=k % 2 == 0) for k, i in enumerate(marks)):
        return text, 0
    chars = list(text)
    for k, i in enumerate(marks):
        chars[i] = "«" if k % 2 == 0 else "»"
    return "".join(chars), len(marks)


def _quote_fits(text: str, i: int, *, opening: bool) -> bool:
    """Whether the quote at ``i`` stands where an opening (closing) one would."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if opening:
        return not after.isspace() and (before.isspace() or before in _BEFORE_OPENING)
    return not before.isspace() and (after.isspace() or after in _AFTER_CLOSING)


def _english_to_guillemets(text: str) -> tuple[str, int]:
    """“ ” pairs not nested in « » become « », when all the marks nest properly."""
    if "“" not in text:
        return text, 0
    stack: list[tuple[str, int, bool]] = []
    changes: list[int] = []
    for m in _DQ_MARKS_RE.finditer(text):
        mark, i = m[0], m.start()
        if mark in "«“":
            outer = not any(opened == "«" or convert for opened, _, convert in stack)
            stack.append((mark, i, mark == "“" and outer))
        elif not stack or stack[-1][0] != ("«" if mark == "»" else "“"):
            return text, 0  # a closing mark with no opening one
        else:
            _, start, convert = stack.pop()
            if convert:
                changes += (start, i)
    if stack or not changes:
        return text, 0
    chars = list(text)
    for i in changes:
        chars[i] = "«" if chars[i] == "“" else "»"
    return "".join(chars), len(changes)


def fr_spaces(text: str) -> tuple[str, int]:
    """No-break spaces inside « » and before :, narrow no-break spaces before ; ! ?.

    >>> fr_spaces("«Oui »: vraiment ! Et ça? 17:30 ; https://a.fr/?q=1")
    ('«\\xa0Oui\\xa0»\\xa0: vraiment\\u202f! Et ça\\u202f? 17:30\\u202f; https://a.fr/?q=1', 6)
    """
    total = 0
    if "«" in text:
        text, n = _sub_outside_urls(_AFTER_OPEN_GUILLEMET_RE, "«" + NBSP, text)
        total += n
    if "»" in text:
        text, n = _sub_outside_urls(_BEFORE_CLOSE_GUILLEMET_RE, NBSP + "»", text)
        total += n
    text, n = _sub_outside_urls(_BEFORE_HIGH_PUNCT_RE, NNBSP, text)
    total += n
    if ":" in text:
        text, n = _sub_outside_urls(_BEFORE_COLON_RE, NBSP, text)
        total += n
    return text, total


def ascii_quotes(text: str) -> tuple[str, int]:
    """Curly quotes, apostrophes and guillemets → straight ASCII quotes.

    >>> ascii_quotes("« Oui », dit l’homme, ‹ non › “peut-être”")
    ('"Oui", dit l\\'homme, \\'non\\' "peut-être"', 7)
    """
    count = 0
    if "«" in text or "»" in text:
        text, n = _sub_outside_urls(_GUILLEMETS_RE, '"', text)
        count += n
    if "‹" in text or "›" in text:
        text, n = _sub_outside_urls(_SINGLE_GUILLEMETS_RE, "'", text)
        count += n
    if not text.isascii():
        straight = uncurl_quotes(text)  # ftfy's table of curly quotes and apostrophes
        if straight != text:
            count += sum(a != b for a, b in zip(text, straight, strict=True))
            text = _restore_urls(text, straight)
    return text, count


def _restore_urls(original: str, changed: str) -> str:
    """``changed`` with the URL spans of ``original`` put back (same length strings)."""
    spans = _url_spans(original)
    if not spans:
        return changed
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces += (changed[last:start], original[start:end])
        last = end
    pieces.append(changed[last:])
    return "".join(pieces)


Step = Callable[[str], tuple[str, int]]

# The steps of each profile, in order. Ellipsis and apostrophes come before
# quotes so "l'" is never read as a quote; spaces come last, around the final marks.
_PROFILES: dict[Typography, tuple[Step, ...]] = {
    Typography.KEEP: (),
    Typography.FR: (fr_ellipsis, fr_apostrophes, fr_quotes, fr_spaces),
    Typography.ASCII_QUOTES: (ascii_quotes,),
}


def _url_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of the URLs and e-mail addresses in ``text``."""
    if "://" not in text and "www." not in text and "@" not in text:
        return []
    return [m.span() for m in _URL_RE.finditer(text)]


def _in_url(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether offset ``pos`` falls inside one of ``spans`` (sorted, disjoint)."""
    k = bisect_right(spans, (pos, sys.maxsize)) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]


def _sub_outside_urls(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str],
                      text: str) -> tuple[str, int]:
    """``pattern.sub`` that leaves matches inside URLs alone; counts real changes."""
    spans = _url_spans(text)
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if spans and (_in_url(spans, match.start()) or _in_url(spans, match.end() - 1)):
            return match[0]
        new = repl if isinstance(repl, str) else repl(match)
        count += new != match[0]
        return new

    return pattern.sub(replace, text), count


def to_ascii(text: str) -> str:
    """ASCII transliteration, for explicit ASCII fields only (never the main text).

    >>> to_ascii("« Déjà l’été » à Zürich")
    "<< Deja l'ete >> a Zurich"
    """
    return unidecode(text)


def slugify(text: str) -> str:
    """ASCII slug.

    >>> slugify("Sam Altman : l’affaire qui secoue OpenAI")
    'sam-altman-laffaire-qui-secoue-openai'
    """
    ascii_text = unidecode(text).lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:120].rstrip("-")
