"""Noise lexicons and stoplists, loaded once from the data files in ``pipeline/rules/``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import justext
import tomllib

from pipeline.record import RemovalReason
from pipeline.segment import PIECE_CHARS, text_pieces

NOISE_DIR = "rules/noise"
COMMON = "common"

# jusText names its stoplists in English; map ISO 639-1 codes to them.
_JUSTEXT_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "sv": "Swedish",
    "da": "Danish", "no": "Norwegian_Bokmal", "fi": "Finnish", "cs": "Czech",
    "hu": "Hungarian", "ro": "Romanian", "tr": "Turkish", "el": "Greek", "uk": "Ukrainian",
    "ca": "Catalan", "id": "Indonesian", "sk": "Slovak", "sl": "Slovenian", "hr": "Croatian",
    "bg": "Bulgarian", "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "ar": "Arabic",
    "fa": "Persian", "hi": "Hindi", "vi": "Vietnamese", "ms": "Malay", "eu": "Basque",
    "gl": "Galician", "sr": "Serbian", "he": "Hebrew",
}
# Trimmed from both ends before lexicon lookups: bullets, arrows, spaces, and a
# final colon or full stop ("Lire aussi :", "Partager."). Brackets stay: they
# carry counts ("Commentaires (10)") and kinds ("[VIDEO]").
_TRIM = " \t\n*•·●◦▪▸►▶›»«>→←|-–—_:.;,!?\"'“”‘’"


def normalise(text: str) -> str:
    """The form a line is compared in: case-folded, bullets and end punctuation trimmed.

    >>> normalise("  • Lire aussi :  ")
    'lire aussi'
    """
    return normalise_folded(text.casefold())


def normalise_folded(folded: str, piece_chars: int = PIECE_CHARS) -> str:
    """:func:`normalise` of a text already case-folded, for a caller that needs the folded
    text too. Trimming may follow the folding: every trimmed character folds to itself, no
    other folds to one of them, and casefold maps each character alone (tests check it).

    >>> normalise_folded("  • lire aussi :  ")
    'lire aussi'
    """
    stripped = folded.strip(_TRIM)
    if len(stripped) <= piece_chars:
        if "  " not in stripped and stripped.isprintable():
            return stripped  # white space, if any, is single ASCII spaces between words
        return " ".join(stripped.split())
    # A long line a piece at a time: a 50 MB line with no sentence end to cut it at
    # would otherwise be split into millions of words at once (~10 times its size).
    # Pieces end before a space or line break, so no word spans two of them.
    pieces = (" ".join(piece.split()) for piece in text_pieces(stripped, piece_chars))
    return " ".join(filter(None, pieces))


@dataclass(frozen=True)
class _Rules:
    exact: dict[str, RemovalReason]
    # the first words of ``exact`` entries: "skip", "skip to", "skip to site", "skip to site index"
    exact_starts: frozenset[str]
    # one alternation per kind, a named group per reason: one scan finds the reason
    prefix: re.Pattern[str] | None
    regex: re.Pattern[str] | None
    # prefixes that judge a line of any length ("We use cookies …" paragraphs)
    sentence: re.Pattern[str] | None


def _group(reason: RemovalReason) -> str:
    return reason.name


def _load(name: str) -> _Rules:
    data = tomllib.loads(resources.files("pipeline").joinpath(f"{NOISE_DIR}/{name}.toml")
                         .read_text(encoding="utf-8"))
    exact: dict[str, RemovalReason] = {}
    prefixes: list[str] = []
    sentences: list[str] = []
    patterns: list[str] = []
    for reason_name, table in data.items():
        reason = RemovalReason(reason_name)
        for entry in table.get("exact", ()):
            exact.setdefault(normalise(entry), reason)
        for key, found in (("prefix", prefixes), ("sentence_prefix", sentences)):
            if starts := table.get(key):
                alternatives = "|".join(re.escape(s.casefold())
                                        for s in sorted(starts, key=len, reverse=True))
                # a whole word: a word character never goes on after the prefix's last
                # one ("share" is no start of "shareholders"; "skip to " is of "skip to content")
                found.append(f"(?P<{_group(reason)}>{alternatives})(?:(?<!\\w)|(?!\\w))")
        if regexes := table.get("regex"):
            alternatives = "|".join(f"(?:{p})" for p in regexes)
            patterns.append(f"(?P<{_group(reason)}>{alternatives})")
    return _Rules(
        exact,
        frozenset(" ".join(words[:n]) for words in map(str.split, exact)
                  for n in range(1, len(words) + 1)),
        re.compile("|".join(prefixes)) if prefixes else None,
        re.compile("|".join(f"(?:{p})\\Z" for p in patterns)) if patterns else None,
        re.compile("|".join(sentences)) if sentences else None,
    )


def available_languages() -> tuple[str, ...]:
    """Languages that have a noise lexicon file.

    >>> {"en", "fr"} <= set(available_languages())
    True
    """
    folder = resources.files("pipeline").joinpath(NOISE_DIR)
    return tuple(sorted(p.name[:-5] for p in folder.iterdir()
                        if p.name.endswith(".toml") and p.name != f"{COMMON}.toml"))


@cache
def _rules(language: str) -> _Rules:
    return _load(language)


# Site templates are very often left in English whatever the article's
# language (WordPress themes, share widgets, "No Comments Yet"), so English
# chrome is looked for on every page.
TEMPLATE_LANGUAGE = "en"


@cache
def _rule_sets(language: str | None) -> tuple[_Rules, ...]:
    langs = available_languages()
    if language in langs:
        chosen = list(dict.fromkeys([language, TEMPLATE_LANGUAGE]))
    else:
        chosen = list(langs)
    return (_rules(COMMON), *(_rules(lang) for lang in chosen))


def match_noise(text: str, *, language: str | None, prefix_max_chars: int,
                row_max_words: int = 0) -> RemovalReason | None:
    """The removal reason a lexicon gives a whole line, or None.

    Unknown or undetected language: every loaded lexicon applies. A line of up to
    ``row_max_words`` words made of two ``exact`` entries or more, one after the
    other, is a row of labels drawn on one line ("Log in Register", "Facebook
    Twitter Email"): it takes the reason of its first one.

    >>> match_noise("Lire aussi : le nouveau plan", language="fr", prefix_max_chars=200)
    <RemovalReason.RELATED_LINKS: 'related-links'>
    >>> match_noise("Partager sur Facebook ses photos de vacances est risqué, dit-il.",
    ...             language="fr", prefix_max_chars=40) is None
    True
    >>> match_noise("Log in Register", language="en", prefix_max_chars=200, row_max_words=12)
    <RemovalReason.NAVIGATION: 'navigation'>
    """
    return match_normalised(normalise(text), language=language,
                            prefix_max_chars=prefix_max_chars, row_max_words=row_max_words)


def match_normalised(key: str, *, language: str | None, prefix_max_chars: int,
                     row_max_words: int = 0) -> RemovalReason | None:
    """:func:`match_noise` of a line already put in its :func:`normalise` form.

    >>> match_normalised(normalise("• Publicité"), language="fr", prefix_max_chars=200)
    <RemovalReason.ADVERTISING: 'advertising'>
    """
    if not key:
        return None
    rule_sets = _rule_sets(language)
    for rules in rule_sets:
        if (reason := rules.exact.get(key)) is not None:
            return reason
    short = len(key) <= prefix_max_chars  # only sentence prefixes judge a longer line
    for rules in rule_sets:
        for pattern in (rules.sentence, rules.prefix, rules.regex) if short else (rules.sentence,):
            if pattern is not None and (m := pattern.match(key)):
                return RemovalReason[m.lastgroup or ""]
    return _labels_row(key, rule_sets, row_max_words) if " " in key else None


def _labels_row(key: str, rule_sets: tuple[_Rules, ...], max_words: int
                ) -> RemovalReason | None:
    """The reason of the first label when ``key`` is a row of ``exact`` entries."""
    words = key.split(" ", max_words)
    if len(words) > max_words:
        return None
    # the reason of the row's first label, at each word a row of labels reaches
    reached: dict[int, RemovalReason] = {}
    for start in range(len(words)):
        if start and start not in reached:
            continue
        label = words[start]
        for end in range(start + 1, len(words) + 1):
            if end > start + 1:
                label += " " + words[end - 1]
            # most lines stop at their first word: it begins no label
            if not any(label in rules.exact_starts for rules in rule_sets):
                break
            if end in reached:
                continue
            for rules in rule_sets:
                if (reason := rules.exact.get(label)) is not None:
                    reached[end] = reached.get(start, reason)
                    break
    return reached.get(len(words))


@cache
def stopwords(language: str | None) -> frozenset[str]:
    """jusText's stoplist for a language; English and French together when the
    language is unknown; empty for a language jusText has no list for.

    >>> "the" in stopwords("en") and "le" in stopwords("fr")
    True
    >>> stopwords("ja")
    frozenset()
    """
    if language is not None and language not in _JUSTEXT_NAMES:
        return frozenset()
    names = [_JUSTEXT_NAMES[language]] if language else ["English", "French"]
    words: set[str] = set()
    for name in names:
        words |= justext.get_stoplist(name)
    return frozenset(w.casefold() for w in words)
