"""A body's fingerprint: trafilatura's Simhash of its words, as 16 hex digits.

A fingerprint is trafilatura's Charikar Simhash (64 bits, bag of words) of the
body after :func:`normalize_for_fingerprint`. Workers compute it for each
record; :mod:`pipeline.dedup` compares fingerprints without numpy or
trafilatura, so that the process running the duplicate pass never loads them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from hashlib import blake2b

import numpy as np

from pipeline.dedup import FINGERPRINT_BITS
from pipeline.segment import text_pieces

# A word is a run of letters and digits: anything else separates words
# (punctuation, symbols, quotes of every style ’ ' « " “, dashes, white space).
_WORD = re.compile(r"[^\W_]+")


# The longest words trafilatura samples: a run of five word characters or more is
# always a whole word (the match starts at its first letter and takes all of it).
_SAMPLED_LENGTH = 5
_LONG_WORD = re.compile(rf"[^\W_]{{{_SAMPLED_LENGTH},}}")


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _words(text: str) -> list[str]:
    """The words of :func:`normalize_for_fingerprint`, found directly: no white space
    is a word character, so they are its ``split()`` (one scan instead of three)."""
    return _WORD.findall(_normalized(text))


def normalize_for_fingerprint(text: str) -> str:
    """Reduce text to lower-case words separated by single spaces, the form fingerprints hash.

    NFKC folds compatibility forms (ligatures, full-width letters, no-break
    spaces); casefold ignores case; every run of non-word characters becomes
    one space, so typography (’ vs ', « » vs ", … vs ...), punctuation and
    line wrapping make no difference. Accents are kept: they tell words apart.

    >>> normalize_for_fingerprint("L’affaire  « OpenAI »…\\n\\nﬁn d'ACTE-1")
    'l affaire openai fin d acte 1'
    """
    return " ".join(_words(text))


def fingerprint(body: str) -> str | None:
    """Simhash of the normalised body as 16 hex digits; None when it has no words.

    The body is normalised and its words counted a piece at a time: the bag of
    words :func:`simhash` would take from ``normalize_for_fingerprint(body)``.

    >>> value = fingerprint("Sam Altman rejoint Microsoft.")
    >>> value == fingerprint("sam  ALTMAN\\nrejoint « Microsoft »"), len(value)
    (True, 16)
    >>> fingerprint("") is None, fingerprint(" *** ") is None
    (True, True)
    """
    # trafilatura samples the words of five letters and more when there are
    # enough of them (see _sampled), as in nearly every body: those are counted
    # first, without a string for each shorter word
    long_words: Counter[str] = Counter()
    for piece in text_pieces(body):
        long_words.update(_LONG_WORD.findall(_normalized(piece)))
    if long_words.total() >= FINGERPRINT_BITS / 2:
        return _hex(_simhash_of(long_words))
    words: Counter[str] = Counter()
    for piece in text_pieces(body):
        words.update(_words(piece))
    if not words:
        # Simhash of nothing sets every bit: all empty bodies would "match"
        return None
    return _hex(_simhash_of(_sampled(words, FINGERPRINT_BITS)))


def _hex(value: int) -> str:
    return f"{value:0{FINGERPRINT_BITS // 4}x}"


# Distinct tokens whose bit vectors are summed at a time. A body is rarely over a
# few thousand; a page of numbered sentences on one line has hundreds of thousands,
# and all their 64-column rows at once would take hundreds of MB.
SIMHASH_ROWS = 1 << 13


class _TokenHashes(dict[str, int]):
    """The hash trafilatura gives a token (blake2b, 8 bytes), kept once computed: common
    words recur from article to article (trafilatura keeps them too). A plain dict
    filled on a miss, and emptied when full: a hit is one lookup, where an
    ``lru_cache`` hit also moves its entry in the recency order, and costs half as
    much again (55 against 38 µs for the ~200 tokens of a bench body, while cleaning)."""

    def __missing__(self, token: str) -> int:
        if len(self) >= _TOKEN_HASHES_MAX:
            self.clear()
        value = self[token] = int.from_bytes(blake2b(token.encode(), digest_size=8).digest(),
                                             "big")
        return value


_TOKEN_HASHES_MAX = 1 << 14
_token_hash = _TokenHashes().__getitem__


def simhash(text: str, *, rows: int = SIMHASH_ROWS) -> int:
    """trafilatura's ``Simhash(text, length=64).hash``, computed with numpy.

    trafilatura adds a 64-element list per token in Python, which made the
    fingerprint an eighth of the cleaning time; this takes the sign of the same
    sums of ±1 bit vectors as one product: the weight (count) of the tokens
    that have each bit, against half the weight of all, ``rows`` distinct tokens
    at a time, over the tokens trafilatura samples and with the hash it uses
    (blake2b, 8 bytes). The tests compare both on the dev pages and on
    generated text.

    >>> from trafilatura.deduplication import Simhash
    >>> simhash("sam altman rejoint microsoft") == Simhash("sam altman rejoint microsoft").hash
    True
    """
    from trafilatura.deduplication import sample_tokens  # the text path loads no trafilatura

    return _simhash_of(Counter(sample_tokens(text, FINGERPRINT_BITS)), rows)


def _sampled(words: Counter[str], length: int) -> Counter[str]:
    """The words trafilatura's ``sample_tokens`` keeps, from the bag of a normalised text.

    Its tokens are the text's words (normalised words are letters and digits
    only): the longest words when there are enough of them, else all.
    """
    for shortest in range(_SAMPLED_LENGTH, 1, -1):
        kept = Counter({word: n for word, n in words.items() if len(word) >= shortest})
        if kept.total() >= length / 2:
            return kept
    return words


def _simhash_of(counts: Counter[str], rows: int = SIMHASH_ROWS) -> int:
    if not counts:
        return (1 << FINGERPRINT_BITS) - 1  # every bit of a zero vector is set (>= 0)
    # little-endian whatever the machine, so that byte k holds bits 8k to 8k + 7
    hashes = np.fromiter(map(_token_hash, counts), dtype="<u8", count=len(counts))
    weights = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    # Bit i of the sum is set when the tokens with bit i weigh at least half of all:
    # sum(w * (2b - 1)) >= 0. Float sums of integer counts are exact below 2**53.
    ones = np.zeros(FINGERPRINT_BITS, dtype=np.float64)
    for start in range(0, len(hashes), rows):
        # each hash as 64 columns of 0/1, bit i in column i (little-endian bytes and bits)
        bits = np.unpackbits(hashes[start:start + rows, None].view(np.uint8), axis=1,
                             bitorder="little")
        ones += weights[start:start + rows] @ bits
    return int(np.packbits((2 * ones >= weights.sum())[::-1]).view(">u8")[0])
