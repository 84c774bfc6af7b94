"""Fingerprints, Hamming distance and the duplicate_of rule."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trafilatura.deduplication import Simhash

from pipeline import dedup, segment
from pipeline import fingerprint as fingerprint_module
from pipeline.dedup import NEAR_DUPLICATE_BITS, StartIndex, assign_duplicates, hamming
from pipeline.fingerprint import fingerprint, normalize_for_fingerprint, simhash

RAW = Path(__file__).resolve().parents[1] / "raw"
SAMPLES = sorted(RAW.glob("*.txt"))
ARTICLE = (
    "Sam Altman, le visage public d’OpenAI, est devenu en un an une superstar de la "
    "Silicon Valley, avant d’être limogé brutalement par son conseil d’administration.\n\n"
    "« Le départ de Sam Altman fait suite à une procédure d’examen délibératif », explique "
    "dans un communiqué OpenAI, qui souligne qu’elle n’a plus “confiance” en lui.\n\n"
    "Microsoft annonce lundi qu’il embauche Sam Altman… La mission continue."
)


@pytest.mark.parametrize(
    ("a", "b", "bits"),
    [
        ("0000000000000000", "0000000000000000", 0),
        ("ffffffffffffffff", "0000000000000000", 64),
        ("00000000000000ff", "000000000000000f", 4),
        ("8000000000000000", "0000000000000001", 2),
        ("0123456789abcdef", "0123456789ABCDEF", 0),  # case of the hex digits is irrelevant
    ],
)
def test_hamming(a: str, b: str, bits: int) -> None:
    assert hamming(a, b) == bits
    assert hamming(b, a) == bits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("already plain words", "already plain words"),  # unchanged
        ("l’affaire", "l affaire"),
        ("l'affaire", "l affaire"),
        ("« OpenAI »", "openai"),
        ('"OpenAI"', "openai"),
        ("Microsoft.De la", "microsoft de la"),
        ("un\u00a0séisme\u202f!", "un séisme"),  # no-break spaces
        ("ﬁn", "fin"),  # ligature folded by NFKC
        ("ÉTONNER", "étonner"),  # accents kept, case folded
        ("Straße", "strasse"),  # casefold, not lower
        ("line\n\n  wrapped\tagain", "line wrapped again"),
        ("n° 1 — 38 ans…", "n 1 38 ans"),
        ("snake_case", "snake case"),
        ("", ""),
    ],
)
def test_normalize_for_fingerprint(text: str, expected: str) -> None:
    assert normalize_for_fingerprint(text) == expected


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,  # itself
        ARTICLE.replace("’", "'"),  # typographic apostrophes turned ASCII
        ARTICLE.replace("« ", '"').replace(" »", '"').replace("“", '"').replace("”", '"'),
        ARTICLE.replace("…", "..."),
        ARTICLE.replace("\n\n", "\n"),  # paragraphs re-flowed
        " ".join(ARTICLE.split()),  # one line
        ARTICLE.replace(" ", "  "),  # doubled spaces
        ARTICLE.upper(),
        ARTICLE.replace("\n\n", "\r\n\r\n"),
    ],
)
def test_fingerprint_ignores_typography_and_layout(variant: str) -> None:
    assert fingerprint(variant) == fingerprint(ARTICLE)


@pytest.mark.parametrize(
    "noise",
    [
        "\n\nPartager sur Facebook\n\nPartager sur X",
        "Accueil > Économie > High-tech\n\n",
        "\n\n© 2023 Media Group. Tous droits réservés.",
    ],
)
def test_fingerprint_of_a_sample_with_noise_is_near(noise: str) -> None:
    body = SAMPLES[0].read_text(encoding="utf-8")
    noisy = noise + body if noise.endswith("\n\n") else body + noise
    assert hamming(fingerprint(body), fingerprint(noisy)) <= NEAR_DUPLICATE_BITS  # type: ignore[arg-type]


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(SAMPLES, 2)))
def test_distinct_articles_on_one_story_are_far(a: Path, b: Path) -> None:
    # the five samples tell the same story from five sites: similar words, not duplicates
    fa = fingerprint(a.read_text(encoding="utf-8"))
    fb = fingerprint(b.read_text(encoding="utf-8"))
    assert fa is not None and fb is not None
    assert hamming(fa, fb) > NEAR_DUPLICATE_BITS + 3


@pytest.mark.parametrize("body", ["", "   \n\n  ", "*** --- ***", "« … »"])
def test_fingerprint_none_without_words(body: str) -> None:
    assert fingerprint(body) is None


def test_fingerprint_is_pinned() -> None:
    # records in clean/ are compared with new ones: a change of the hash (a new
    # trafilatura Simhash, another normalisation) must be noticed, not silent
    assert fingerprint(ARTICLE) == "b799ea7df7a83be9"
    assert fingerprint("Sam Altman rejoint Microsoft") == "e7bbfab77fa5bf69"


A = "0000000000000000"
A1 = "0000000000000007"  # 3 bits from A
A2 = "00000000000001ff"  # 6 bits from A1, 9 from A
B = "ffffffffffffffff"
B1 = "fffffffffffffffe"  # 1 bit from B
AB = "00000000ffffffff"  # 32 from A and from B


@pytest.mark.parametrize(
    ("entries", "threshold", "expected"),
    [
        ([], 3, {}),
        ([("a", A)], 3, {}),  # a lone record
        ([("a", A), ("b", A)], 3, {"b": "a"}),  # exact duplicate
        ([("b", A), ("a", A)], 3, {"b": "a"}),  # the first by id wins, not by input order
        ([("a", A), ("b", A), ("c", A)], 3, {"b": "a", "c": "a"}),  # all point to the first
        ([("a", A), ("b", A1)], 3, {"b": "a"}),  # near: 3 bits
        ([("a", A), ("b", A1)], 2, {}),  # beyond the threshold
        ([("a", A), ("b", A1)], 0, {}),  # 0 = exact only
        ([("a", A), ("b", A1), ("c", A2)], 3, {"b": "a"}),  # c: 9 bits from b
        ([("a", A), ("b", A1), ("c", A2)], 6, {"b": "a", "c": "a"}),  # chain → its start
        ([("a", A), ("b", B), ("c", B1), ("d", A1)], 3, {"c": "b", "d": "a"}),  # two groups
        ([("a", B), ("b", A), ("c", A1)], 3, {"c": "b"}),  # first *matching* record
        ([("a", A), ("b", None), ("c", None), ("d", A)], 3, {"d": "a"}),  # no body, no match
        ([("a", A), ("b", AB), ("c", B)], 12, {}),  # far apart stays apart
        ([("a-1", A), ("a", A), ("a.1", A)], 3, {"a-1": "a", "a.1": "a"}),  # plain str order
    ],
)
def test_assign_duplicates(
    entries: list[tuple[str, str | None]], threshold: int, expected: dict[str, str]
) -> None:
    assert assign_duplicates(entries, threshold=threshold) == expected


def test_chain_through_a_duplicate_points_to_the_start() -> None:
    # c is near only b, and b is a duplicate of a: c joins a's group
    entries = [("a", A), ("b", "000000000000003f"), ("c", "0000000000000fff")]
    assert hamming(A, "0000000000000fff") > 6
    assert assign_duplicates(entries, threshold=6) == {"b": "a", "c": "a"}


@pytest.mark.parametrize(
    ("entries", "threshold", "message"),
    [
        ([("a", A), ("a", B)], 3, "appears twice"),
        ([("a", A)], -1, "threshold"),
        ([("a", A)], 64, "threshold"),
    ],
)
def test_assign_duplicates_rejects(
    entries: list[tuple[str, str | None]], threshold: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        assign_duplicates(entries, threshold=threshold)


def _brute_force(entries: list[tuple[str, str | None]], threshold: int) -> dict[str, str]:
    """The rule compared pair by pair: first match by id, resolved to its chain's start."""
    start: dict[str, str] = {}
    result: dict[str, str] = {}
    seen: list[tuple[str, str]] = []
    for record_id, fp in sorted(entries):
        if fp is None:
            continue
        matches = [start[other] for other, ofp in seen if hamming(fp, ofp) <= threshold]
        start[record_id] = min(matches) if matches else record_id
        if matches:
            result[record_id] = start[record_id]
        seen.append((record_id, fp))
    return result


# fingerprints near a few centres, so that matches, chains and misses all occur
_centres = st.sampled_from([0, (1 << 64) - 1, 0x0F0F0F0F0F0F0F0F])
_flips = st.lists(st.integers(0, 63), max_size=8)
_fingerprints = st.builds(
    lambda centre, flips: f"{centre ^ sum(1 << b for b in set(flips)):016x}", _centres, _flips
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.text("abcdef", min_size=1, max_size=3),
                       st.none() | _fingerprints),
             max_size=25, unique_by=lambda entry: entry[0]),
    st.integers(0, 10),
    st.randoms(use_true_random=False),
)
def test_assign_duplicates_matches_pairwise_rule(
    entries: list[tuple[str, str | None]], threshold: int, rnd: random.Random
) -> None:
    shuffled = entries[:]
    rnd.shuffle(shuffled)
    assert assign_duplicates(shuffled, threshold=threshold) == _brute_force(entries, threshold)


@pytest.mark.parametrize("key_bands", [1, 2, 3])
def test_near_pairs_are_each_found_once_whatever_the_bands_per_key(
        monkeypatch: pytest.MonkeyPatch, key_bands: int) -> None:
    # a dense cluster: most pairs agree on several choices of bands, so sit in several tables
    rng = random.Random(key_bands)
    base = rng.getrandbits(64)
    values = sorted({base ^ sum(1 << bit for bit in rng.sample(range(64), rng.randrange(9)))
                     for _ in range(300)} | {rng.getrandbits(64) for _ in range(50)})
    monkeypatch.setattr(dedup, "_key_band_count", lambda threshold, records: key_bands)
    near = dedup._near_pairs(values, NEAR_DUPLICATE_BITS)
    assert [sorted(others) for others in near] == [
        [j for j, w in enumerate(values) if j != i and (v ^ w).bit_count() <= NEAR_DUPLICATE_BITS]
        for i, v in enumerate(values)]


def test_assign_duplicates_scales() -> None:
    # 20k random fingerprints and 2k near copies: the band index finds every copy
    rng = random.Random(7)
    entries = [(f"r{n:06d}", f"{rng.getrandbits(64):016x}") for n in range(20_000)]
    planted = {}
    for n in range(2_000):
        original_id, original = entries[rng.randrange(20_000)]
        value = int(original, 16)
        for bit in rng.sample(range(64), NEAR_DUPLICATE_BITS):
            value ^= 1 << bit
        planted[f"s{n:06d}"] = original_id
        entries.append((f"s{n:06d}", f"{value:016x}"))
    found = assign_duplicates(entries)
    assert {key: found[key] for key in planted} == planted


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.text("abcdef", min_size=1, max_size=3), _fingerprints),
             max_size=25, unique_by=lambda entry: entry[0]),
    st.text("abcdef", min_size=1, max_size=3), _fingerprints, st.integers(0, 10),
)
def test_start_index_guesses_the_first_near_start_before_the_record(
    starts: list[tuple[str, str]], record_id: str, fp: str, threshold: int
) -> None:
    index = StartIndex(threshold)
    for start_id, start_fp in starts:
        index.add(start_id, start_fp)
    guess = index.guess(record_id, fp)
    before = [(s, hamming(fp, sfp)) for s, sfp in starts if s < record_id]
    # never a start after the record or farther than the threshold
    assert guess is None or (guess < record_id and dict(before)[guess] <= threshold)
    # every start less than threshold bits away is seen, so the guess is the first of them
    closer = [s for s, bits in before if bits < max(1, threshold)]
    if closer:
        assert guess is not None and guess <= min(closer)


@pytest.mark.parametrize(("adds", "record", "expected"), [
    ([], ("b", "0" * 16), None),
    ([("a", "0" * 16)], ("b", "0" * 16), "a"),
    ([("a", "0" * 16)], ("a", "0" * 16), None),  # not itself
    ([("b", "0" * 16)], ("a", "0" * 16), None),  # not a later one
    ([("c", "0" * 16), ("a", "0000000000000003")], ("d", "0" * 16), "a"),  # the first by id
    ([("a", "000000000000007f")], ("b", "0" * 16), None),  # 7 bits: too far
    ([("a", "0" * 16), ("a", "f" * 16)], ("b", "f" * 16), None),  # a second add is ignored
])
def test_start_index_guess(adds: list[tuple[str, str]], record: tuple[str, str],
                           expected: str | None) -> None:
    index = StartIndex()
    for start in adds:
        index.add(*start)
    assert index.guess(*record) == expected


def test_start_index_keeps_no_more_than_its_capacity() -> None:
    index = StartIndex(capacity=2)
    for n, fp in enumerate(["0" * 16, "f" * 16, "0f" * 8]):
        index.add(f"s{n}", fp)
    assert len(index) == 2
    assert (index.guess("z", "0" * 16), index.guess("z", "0f" * 8)) == ("s0", None)


EVAL = Path("/work/shared/eval")
DEV_PAGES = sorted(EVAL.glob("*/dump/*.txt"))[:200] if EVAL.is_dir() else []


@pytest.mark.parametrize("path", SAMPLES + DEV_PAGES, ids=lambda p: p.stem[:30])
def test_simhash_equals_trafilatura_on_real_text(path: Path) -> None:
    words = normalize_for_fingerprint(path.read_text(encoding="utf-8", errors="replace"))
    assert simhash(words) == simhash(words, rows=7) == Simhash(words, length=64).hash


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab cdéf日本 12-_.,"), max_size=300),
       st.integers(min_value=1, max_value=4))
def test_simhash_equals_trafilatura_on_generated_text(text: str, rows: int) -> None:
    # tiny alphabets give repeated, short and punctuation-only tokens: every branch
    # of trafilatura's token sampling, and the empty vector
    assert simhash(text) == simhash(text, rows=rows) == Simhash(text, length=64).hash


def _whole_text_fingerprint(body: str) -> str | None:
    """The definition: Simhash of the whole normalised body, which fingerprint reads in pieces."""
    words = normalize_for_fingerprint(body)
    return f"{Simhash(words, length=64).hash:016x}" if words else None


@pytest.mark.parametrize("path", SAMPLES + DEV_PAGES, ids=lambda p: p.stem[:30])
@pytest.mark.parametrize("piece_chars", [segment.PIECE_CHARS, 200])
def test_fingerprint_in_pieces_is_the_whole_texts(path: Path, piece_chars: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment, "PIECE_CHARS", piece_chars)
    body = path.read_text(encoding="utf-8", errors="replace")
    assert fingerprint(body) == _whole_text_fingerprint(body)


@pytest.mark.parametrize("body", [
    "avion " * 32,  # enough words of five letters and more: only those are counted
    "avion " * 31 + "mot " * 40,  # one too few of five: those of three and more
    "mot " * 40,  # enough words of three letters
    "ab cd " * 16 + "x " * 40,  # enough of two letters: those of one letter are left out
    "ab cd " * 8 + "x " * 40,  # too few of any length: all are kept
])
def test_fingerprint_samples_words_as_trafilatura_does(body: str) -> None:
    assert fingerprint(body) == _whole_text_fingerprint(body)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["avion", "naïve", "x1234", "日本語です", "ﬁlet", "cafe\u0301s",
                                 "été", "mot", "a_b_c_d_e", "l’été"]), min_size=40, max_size=90),
       st.sampled_from([" ", "\n", " « "]))
def test_fingerprint_samples_long_words_as_trafilatura_does(words: list[str], glue: str) -> None:
    # around the 32 words of five letters or more that trafilatura needs to keep only
    # those. A word's length is counted once normalised: "ﬁlet" has five letters
    # ("filet"), and "cafe\u0301s" is one word of five ("cafés"), where the
    # combining accent would otherwise cut it; "a_b_c_d_e" is five words of one
    body = glue.join(words)
    assert fingerprint(body) == _whole_text_fingerprint(body)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab cdéf日本 12-_.,\n\u00a0ﬁ\u0301"), max_size=300),
       st.integers(min_value=1, max_value=20))
def test_fingerprint_and_word_count_in_small_pieces(text: str, piece_chars: int) -> None:
    # pieces of a few characters cut between every pair of words: each piece is
    # normalised and split on its own (NBSP, a ligature and a combining accent
    # around the cuts included)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(segment, "PIECE_CHARS", piece_chars)
        assert "".join(segment.text_pieces(text)) == text
        assert fingerprint(text) == _whole_text_fingerprint(text)
        assert segment.word_count(text) == len(text.split())


def test_token_hashes_are_trafilaturas_and_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from trafilatura.deduplication import _vector_to_add  # a token's ±1 for each bit

    monkeypatch.setattr(fingerprint_module, "_TOKEN_HASHES_MAX", 3)
    hashes = fingerprint_module._TokenHashes()
    tokens = ["avion", "bateau", "camion", "voiture", "fusée", "avion", "bateau"]
    looked_up = [hashes[token] for token in tokens]
    assert len(hashes) <= 3  # emptied when full, then filled again
    assert looked_up == [sum(1 << bit for bit, sign in enumerate(_vector_to_add(token, 64))
                             if sign > 0) for token in tokens]
