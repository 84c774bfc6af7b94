"""Near duplicates: which record each one repeats, by the fingerprints of their bodies.

Fingerprints come from :mod:`pipeline.fingerprint`, as 16 hex digits. Two
bodies are near duplicates when their fingerprints differ in at most
``NEAR_DUPLICATE_BITS`` bits. :func:`assign_duplicates` finds, for every
record, the first record (in id order) it repeats, without comparing every
pair: see the pigeonhole note of :func:`_key_band_count`.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable

FINGERPRINT_BITS = 64

# Chosen from `python bench/measure_dedup.py` on the dev pages (83 gold bodies of
# the scrapinghub benchmark, 511 trafilatura page dumps, the five raw samples),
# each copied six ways (header/footer lines, share lines, re-flowed text, ASCII
# quotes, a paragraph dropped, all at once). At 6 bits 96% of the copies of full
# texts are found (86% of the gold bodies, 97% of the pages; 68% and 89% at 3
# bits) and no pair of distinct texts matches among the 615,495 pairs (short
# snippets included; one pair of byte-identical pages in the data aside). The
# closest distinct pair differs in 9 bits (pages of two ministries sharing one
# site template; distinct gold bodies: 10; the five samples, one story told by
# five sites: 16 or more), so 6 leaves a margin of 3 bits. On 100k synthetic
# articles (`--scale 100000`) it flags no false pair and assign_duplicates takes
# about 8 s (3 bits: 2 s, 8 bits: 43 s).
NEAR_DUPLICATE_BITS = 6


def hamming(a: str, b: str) -> int:
    """Number of bits in which two hex fingerprints differ.

    >>> hamming("00000000000000ff", "000000000000000f")
    4
    >>> hamming("0123456789abcdef", "0123456789abcdef")
    0
    """
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _band_masks(count: int) -> list[tuple[int, int]]:
    """Split 64 bits into ``count`` contiguous ranges, as (shift, mask) pairs.

    >>> [(shift, f"{mask:x}") for shift, mask in _band_masks(4)]
    [(0, 'ffff'), (16, 'ffff'), (32, 'ffff'), (48, 'ffff')]
    """
    # widths differ by at most one bit when 64 is not a multiple of count
    edges = [FINGERPRINT_BITS * index // count for index in range(count + 1)]
    return [(start, (1 << (end - start)) - 1) for start, end in itertools.pairwise(edges)]


def _key_band_count(threshold: int, records: int) -> int:
    """How many bands each index key spans, the cheapest for this many records.

    Pigeonhole: with ``threshold + k`` bands, two values within ``threshold``
    bits agree exactly on at least ``k`` bands, so one table per choice of
    ``k`` bands finds every match. More bands per key mean more tables but
    longer keys, so fewer values share a key by chance; the cost estimate is
    tables × (records + chance pairs per table), for well-spread values.

    >>> _key_band_count(3, 100_000), _key_band_count(6, 100_000), _key_band_count(6, 50)
    (1, 2, 1)
    """
    best, best_cost = 1, math.inf
    for k in range(1, FINGERPRINT_BITS - threshold + 1):
        bands = threshold + k
        key_bits = FINGERPRINT_BITS * k / bands
        cost = math.comb(bands, k) * (records + records * records / 2 / 2**key_bits)
        if cost < best_cost:
            best, best_cost = k, cost
        elif k > 8:
            break
    return best


def _near_pairs(values: list[int], threshold: int) -> list[array[int]]:
    """For each distinct value, the indexes of the other values within ``threshold`` bits.

    >>> [list(others) for others in _near_pairs([0b0000, 0b0011, 0b1111 << 8], 2)]
    [[1], [0], []]
    """
    key_bands = _key_band_count(threshold, len(values))
    masks = _band_masks(threshold + key_bands)
    columns = [[(value >> shift) & mask for value in values] for shift, mask in masks]
    # compact arrays: a folder of near copies has millions of near pairs
    near = [array("I") for _ in values]
    for chosen in itertools.combinations(range(len(masks)), key_bands):
        # A pair that agrees on several choices of bands sits in several tables; it is kept
        # in one, that of the first bands it agrees on: this choice is that one when the pair
        # differs on every band left out before the last band chosen.
        unchosen = [masks[band] for band in range(chosen[-1]) if band not in chosen]
        # the chosen bands of each value side by side, as one int key
        keys = columns[chosen[0]]
        for band in chosen[1:]:
            width = masks[band][1].bit_length()
            keys = [key << width | part for key, part in zip(keys, columns[band], strict=True)]
        table: dict[int, list[int]] = defaultdict(list)
        for index, key in enumerate(keys):
            table[key].append(index)
        for bucket in table.values():
            if len(bucket) == 1:
                continue
            for x, y in itertools.combinations(bucket, 2):
                bits = values[x] ^ values[y]
                if bits.bit_count() > threshold:
                    continue
                for shift, mask in unchosen:
                    if not bits >> shift & mask:
                        break  # they agree on an earlier band: an earlier choice has them
                else:
                    near[x].append(y)
                    near[y].append(x)
    return near


class StartIndex:
    """Records that start a group so far, to guess ``duplicate_of`` as records are written.

    A run writes each record as soon as it is cleaned, long before its
    duplicate pass knows every record; the pass then rewrites each record whose
    value changes, and in a folder of near copies that is nearly every one.
    Written with this guess instead, a record is rewritten only when the guess
    was wrong. The guess is :func:`assign_duplicates`'s rule over the starts
    known so far: the first of them (by id) before the record and within
    ``threshold`` bits. It misses a record that is near only a member of a
    group, starts not yet known, and some starts exactly ``threshold`` bits
    away (see below); the pass has the last word. It holds at most
    ``capacity`` starts: a folder of distinct texts, where every record starts
    a group, has little to guess.

    >>> index = StartIndex(threshold=3)
    >>> index.add("b", "ffff000000000000")
    >>> index.guess("c", "ffff000000000001"), index.guess("a", "ffff000000000001")
    ('b', None)
    """

    def __init__(self, threshold: int = NEAR_DUPLICATE_BITS, capacity: int = 50_000) -> None:
        self.threshold = threshold
        self.capacity = capacity
        # Pigeonhole: values less than ``threshold`` bits apart agree on one of
        # ``threshold`` bands, and most of those ``threshold`` bits apart do. One band
        # more would find them all, but its shorter keys fill each bucket more: guessing
        # in id order over the 20,000 documents of bench/bench_run.py, 1,173 guesses
        # differ from the pass's against 1,171, and a guess among 20,000 distinct
        # starts costs 5 µs against 15.
        self._masks = _band_masks(max(1, threshold))
        self._tables: list[dict[int, list[tuple[int, str]]]] = [{} for _ in self._masks]
        self._ids: set[str] = set()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, record_id: str, fingerprint: str) -> None:
        """Index a record that starts a group (a second add of an id, or one past the
        capacity, is ignored)."""
        if record_id in self._ids or len(self._ids) >= self.capacity:
            return
        self._ids.add(record_id)
        entry = (int(fingerprint, 16), record_id)
        for (shift, mask), table in zip(self._masks, self._tables, strict=True):
            table.setdefault(entry[0] >> shift & mask, []).append(entry)

    def guess(self, record_id: str, fingerprint: str) -> str | None:
        """The first indexed start before ``record_id`` within the threshold, or None."""
        value = int(fingerprint, 16)
        best: str | None = None
        for (shift, mask), table in zip(self._masks, self._tables, strict=True):
            for other, other_id in table.get(value >> shift & mask, ()):
                if other_id < record_id and (best is None or other_id < best) \
                        and (other ^ value).bit_count() <= self.threshold:
                    best = other_id
        return best


def assign_duplicates(
    entries: Iterable[tuple[str, str | None]], *, threshold: int = NEAR_DUPLICATE_BITS
) -> dict[str, str]:
    """Map each duplicate record's id to the id of the first record (by id) it repeats.

    ``entries`` are ``(id, fingerprint)`` pairs, in any order; ids must be
    unique. A record repeats an earlier one (in sorted-id order) when their
    fingerprints differ in at most ``threshold`` bits. It points to the first
    such record, and a chain points to its start: when the earliest match is
    itself a duplicate, its own ``duplicate_of`` is used, so every value of the
    result is a record that is not a duplicate (keeping the records absent
    from the result keeps exactly one of each group). Records with no
    fingerprint (empty body) never match. Records that are not duplicates are
    absent from the result.

    >>> assign_duplicates([("b", "ffff000000000000"), ("a", "ffff000000000001"),
    ...                    ("c", "0000ffffffffffff"), ("d", None)], threshold=3)
    {'b': 'a'}
    """
    if not 0 <= threshold < FINGERPRINT_BITS:
        raise ValueError(f"threshold must be between 0 and {FINGERPRINT_BITS - 1}, got {threshold}")
    ordered = sorted(((record_id, fp) for record_id, fp in entries if fp is not None),
                     key=lambda entry: entry[0])
    for (first, _), (second, _) in itertools.pairwise(ordered):
        if first == second:
            raise ValueError(f"record id {first!r} appears twice; ids must be unique")

    # Compare distinct values only: a thousand copies of one body cost one.
    value_index: dict[int, int] = {}
    of_record = [value_index.setdefault(int(fp, 16), len(value_index)) for _, fp in ordered]
    near = _near_pairs(list(value_index), threshold)

    # In id order, a record's earlier matches are the earlier records with its
    # own value or a near one; the smallest chain start among them is its
    # duplicate_of. Per value, keep the smallest start of the records seen with
    # it, as a position in id order (``unseen`` before any), and the smallest of
    # its near values' starts, brought up to date when one of those falls: a
    # folder of near copies has hundreds of near values per value, and a value's
    # start falls far less often than a record is read.
    unseen = len(ordered)
    first_start = [unseen] * len(value_index)
    near_start = [unseen] * len(value_index)
    duplicate_of: dict[str, str] = {}
    for position, value in enumerate(of_record):
        best = min(first_start[value], near_start[value])
        if best < unseen:
            duplicate_of[ordered[position][0]] = ordered[best][0]
        else:
            best = position
        if best < first_start[value]:
            first_start[value] = best
            for other in near[value]:
                if best < near_start[other]:
                    near_start[other] = best
    return duplicate_of
