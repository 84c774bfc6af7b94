"""Language of a text (ISO 639-1), from a prefix: enough for a news article."""

from __future__ import annotations

import re
from functools import cache
from itertools import islice

# A thousand-odd characters identify the language as well as the whole text
# and keep the cost flat for long inputs.
SAMPLE_CHARS = 3000
# Below this many letters, an identification is a guess: return None.
MIN_LETTERS = 40
# Identifying costs in proportion to the text read (the model's tables take ~70 MB, out
# of the processor's caches between two texts: 1,000 characters cost ~150 µs while
# cleaning, ~85 µs read twice in a row), so the identifier reads these many characters
# in turn and goes on only while it is not sure. On the 682 dev pages and samples,
# 608 prefixes of 1,000 characters pass the bar and every one of them names the
# language the whole sample names (at 0.99, one in 643 did not); of 1,571 bodies (the
# dev pages' and 300 benchmark documents'), 1,306 prefixes of 500 characters pass it,
# each naming the language the longer reads name (300 characters: 1,039, all agreeing
# too).
QUICK_CHARS = (500, 1000)
QUICK_CONFIDENCE = 0.9999
_LETTER = re.compile(r"[^\W\d_]")


@cache
def _identifier():  # type: ignore[no-untyped-def]
    from pipeline.identifier import Identifier

    return Identifier.load()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``, or None when too short or unsure.

    >>> detect_language("Quatre jours après avoir été écarté de la tête d’OpenAI, l’avenir")
    'fr'
    >>> detect_language("ok") is None
    True
    """
    sample = text[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_LETTERS, MIN_LETTERS * 20):
        return None
    identifier = _identifier()
    for chars in QUICK_CHARS:
        code, probability = identifier.classify(sample[:chars])
        if probability >= QUICK_CONFIDENCE or len(sample) <= chars:
            break
    else:
        code, probability = identifier.classify(sample)
    # the model knows a few languages with no ISO 639-1 code ("pcm"): report none
    return str(code) if probability >= 0.5 and len(code) == 2 else None


def _has_letters(text: str, count: int, within: int) -> bool:
    """Whether ``text[:within]`` holds ``count`` letters; reads no further than the last.

    >>> _has_letters("a1b2c", 3, 10), _has_letters("a1b2c", 3, 4)
    (True, False)
    """
    return next(islice(_LETTER.finditer(text, 0, within), count - 1, None), None) is not None


def language_code(tag: str | None) -> str | None:
    """ISO 639-1 code of a language tag as pages declare it, or None.

    >>> language_code("en-US"), language_code("FR"), language_code("deu"), language_code("")
    ('en', 'fr', None, None)
    """
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if len(primary) == 2 and primary.isalpha() and primary.isascii() else None
