"""Measure near-duplicate detection: true and false matches per Hamming threshold.

Texts (dev split of ../shared/eval):

* ``sh-gold``: the gold article bodies of the scrapinghub benchmark;
* ``traf-dump``: the text dumps of the trafilatura evaluation pages (whole
  pages: menus and footers included, so pages of one site look alike);
* ``traf-with``: the "with" snippets of those pages joined (short texts: a
  stress case, most are under 30 words);
* ``samples``: the five scrapes in raw/ (five articles on one story).

Each text is copied five ways, plus once with all the noise at once:
``frame`` (header and footer lines added), ``share`` (share lines between
paragraphs), ``reflow`` (re-wrapped at 60 columns, doubled spaces),
``quotes`` (’ “ ” « » – … turned into ASCII), ``drop`` (one paragraph
removed) and ``all``. A true match is a copy within the threshold of its
original; a false match is a pair of distinct texts of one set within it
(``pool`` counts pairs across all sets together).

Run: ``python bench/measure_dedup.py [--eval ../shared/eval] [--scale 100000]``.
``--scale`` also times :func:`pipeline.dedup.assign_duplicates` on that many
fingerprints of synthetic articles (words drawn from the dev texts by frequency).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.dedup import NEAR_DUPLICATE_BITS, assign_duplicates, hamming
from pipeline.fingerprint import fingerprint

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = range(13)

HEADER = ["Accueil | Actualités | Économie", "Publicité"]
FOOTER = [
    "Abonnez-vous à notre newsletter",
    "© 2024 Media Group. All rights reserved.",
    "Lire aussi : les autres articles du dossier",
    "Cookies help us deliver our services.",
]
SHARE = ["Partager sur Facebook", "Share on X", "WhatsApp", "Tweet", "Copier le lien"]
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                        "–": "-", "—": "-", "\u00a0": " ", "\u202f": " "})
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[str]:
    """Paragraphs split on blank lines, or on line ends when the text has none."""
    parts = [p for p in PARAGRAPH_BREAK.split(text.strip()) if p.strip()]
    if len(parts) == 1:
        parts = [line for line in text.splitlines() if line.strip()]
    return parts or [text]


def frame(text: str, rng: random.Random) -> str:
    return "\n\n".join([*HEADER, text, *rng.sample(FOOTER, 3)])


def share(text: str, rng: random.Random) -> str:
    parts = paragraphs(text)
    for _ in range(3):
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(SHARE))
    return "\n\n".join(parts)


def reflow(text: str, rng: random.Random) -> str:
    words = text.split()
    wrapped = textwrap.fill(" ".join(words), width=60)
    return re.sub(r" ", lambda _: "  " if rng.random() < 0.1 else " ", wrapped)


def quotes(text: str, rng: random.Random) -> str:
    return text.translate(QUOTES).replace("…", "...")


def drop(text: str, rng: random.Random) -> str:
    parts = paragraphs(text)
    if len(parts) >= 3:
        del parts[rng.randrange(1, len(parts))]
        return "\n\n".join(parts)
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(sentences[:-1]) if len(sentences) > 1 else text


def everything(text: str, rng: random.Random) -> str:
    for noise in (drop, share, frame, quotes, reflow):
        text = noise(text, rng)
    return text


NOISES: dict[str, Callable[[str, random.Random], str]] = {
    "frame": frame, "share": share, "reflow": reflow, "quotes": quotes, "drop": drop,
    "all": everything,
}


def load_sets(eval_dir: Path) -> dict[str, dict[str, str]]:
    """The dev texts by set name, each a mapping id → text."""
    gold = json.loads((eval_dir / "sh" / "gold.json").read_text(encoding="utf-8"))
    cases = json.loads((eval_dir / "traf" / "cases.json").read_text(encoding="utf-8"))
    dumps = sorted((eval_dir / "traf" / "dump").glob("*.txt"))
    samples = sorted((ROOT / "raw").glob("*.txt"))
    return {
        "sh-gold": {key: item["body"] for key, item in sorted(gold.items())},
        "traf-dump": {p.stem: p.read_text(encoding="utf-8") for p in dumps},
        "traf-with": {Path(case["file"]).stem: "\n\n".join(case["with"])
                      for case in cases.values()},
        "samples": {p.stem: p.read_text(encoding="utf-8") for p in samples},
    }


@dataclass
class Result:
    pairs: int  # pairs of distinct texts
    copies: int
    true: list[int]  # distance of each copy to its original
    by_noise: dict[str, list[int]]
    false: Counter[int]  # distances between distinct texts
    close: list[tuple[int, str, str]]  # the closest distinct pairs
    assigned_right: int  # copies assign_duplicates points at their original


def measure(texts: dict[str, str]) -> Result:
    originals: dict[str, str] = {}
    for key, text in texts.items():
        fp = fingerprint(text)
        if fp is not None:
            originals[key] = fp
    copies: dict[str, tuple[str, str, str]] = {}  # copy id -> (original id, noise, fp)
    for key in originals:
        for name, noise in NOISES.items():
            copy = fingerprint(noise(texts[key], random.Random(f"{key}/{name}")))
            if copy is not None:
                copies[f"{key}~{name}"] = (key, name, copy)
    by_noise: dict[str, list[int]] = {}
    for key, name, fp in copies.values():
        by_noise.setdefault(name, []).append(hamming(originals[key], fp))
    distances = {(a, b): hamming(originals[a], originals[b])
                 for a, b in itertools.combinations(originals, 2)}
    # the whole set through assign_duplicates: each copy must point at its original
    # ("key~noise" sorts after "key", so the original comes first)
    entries = [*originals.items(), *((cid, fp) for cid, (_, _, fp) in copies.items())]
    assigned = assign_duplicates(entries)
    return Result(
        pairs=len(distances),
        copies=len(copies),
        true=[distance for values in by_noise.values() for distance in values],
        by_noise=by_noise,
        false=Counter(distances.values()),
        close=sorted((d, a, b) for (a, b), d in distances.items() if d <= max(THRESHOLDS)),
        assigned_right=sum(assigned.get(cid) == key for cid, (key, _, _) in copies.items()),
    )


def table(results: dict[str, Result]) -> str:
    head = "| bits | " + " | ".join(
        f"{n} true /{r.copies} | {n} false /{r.pairs}" for n, r in results.items()
    ) + " |"
    lines = [head, "|" + "---|" * (1 + 2 * len(results))]
    for t in THRESHOLDS:
        cells = []
        for r in results.values():
            cells.append(str(sum(d <= t for d in r.true)))
            cells.append(str(sum(count for d, count in r.false.items() if d <= t)))
        mark = " ←" if t == NEAR_DUPLICATE_BITS else ""
        lines.append(f"| {t}{mark} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def noise_table(results: dict[str, Result], threshold: int) -> str:
    lines = [f"true matches by noise at {threshold} bits (copies found / copies):",
             "| set | " + " | ".join(NOISES) + " |", "|---|" + "---|" * len(NOISES)]
    for n, r in results.items():
        cells = []
        for noise in NOISES:
            found = r.by_noise.get(noise, [])
            cells.append(f"{sum(d <= threshold for d in found)}/{len(found)}")
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def scale(count: int, texts: list[str], thresholds: list[int], seed: int = 0) -> str:
    """Time fingerprinting and assign_duplicates on `count` synthetic articles."""
    rng = random.Random(seed)
    vocabulary = Counter(word for text in texts for word in text.split())
    words = list(vocabulary)
    cumulative = list(itertools.accumulate(vocabulary[word] for word in words))
    started = time.perf_counter()
    entries: list[tuple[str, str | None]] = []
    for n in range(count):
        if n % 10 == 9:  # one in ten is an earlier article's fingerprint with 0-3 bits flipped
            value = int(entries[rng.randrange(len(entries))][1] or "0", 16)
            for bit in rng.sample(range(64), rng.randint(0, 3)):
                value ^= 1 << bit
            entries.append((f"{n:07d}", f"{value:016x}"))
            continue
        body = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(150, 900)))
        entries.append((f"{n:07d}", fingerprint(body)))
    fingerprinted = time.perf_counter() - started
    lines = [f"{count} synthetic articles ({count // 10} planted copies): "
             f"fingerprints {fingerprinted:.1f} s"]
    for threshold in thresholds:
        started = time.perf_counter()
        found = assign_duplicates(entries, threshold=threshold)
        assigned = time.perf_counter() - started
        lines.append(f"  {threshold:2d} bits: assign_duplicates {assigned:6.2f} s, "
                     f"{len(found) - count // 10} flagged beyond the planted copies")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--scale", type=int, default=0, help="also time N synthetic articles")
    parser.add_argument("--scale-bits", type=int, nargs="+", default=[NEAR_DUPLICATE_BITS],
                        help="thresholds to time with --scale")
    args = parser.parse_args(argv)
    sets = load_sets(args.eval)
    results = {name: measure(texts) for name, texts in sets.items()}
    pool = {f"{name}/{key}": text for name, texts in sets.items() for key, text in texts.items()}
    pooled = measure(pool)
    results["pool"] = pooled
    print(table(results))
    print()
    print(noise_table(results, NEAR_DUPLICATE_BITS))
    print()
    print("closest pairs of distinct texts (bits, a, b):")
    for distance, a, b in pooled.close[:15]:
        print(f"  {distance:2d}  {a}  {b}")
    print()
    for name, r in results.items():
        print(f"{name}: assign_duplicates at {NEAR_DUPLICATE_BITS} bits points "
              f"{r.assigned_right}/{r.copies} copies at their original")
    if args.scale:
        print(scale(args.scale, list(pool.values()), args.scale_bits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
