"""Benchmark of the decode + repair stage against plain ftfy, on one core.

Builds a corpus of article-sized documents from the raw samples and the dev
dumps (when present), perturbed the way scrapes arrive: 20 % mojibake'd
(half the whole text, half some lines), some in Windows-1252 or Latin-1
bytes, some with HTML entities and tags, some with CRLF, BOMs, UTF-16,
zero-width characters and soft hyphens. It then times, in the same run,

* ``decode`` + ``repair`` on the bytes of every document, and
* ``ftfy.fix_text`` with its default settings on the decoded text of the same
  documents (so ftfy is not charged for decoding),

and prints docs/s and MB/s (MB of input bytes) for both.

    /work/venv/bin/python bench/bench_repair.py [--docs N] [--seed S]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import ftfy
import ftfy.bad_codecs  # registers the sloppy-windows-1252 codec

from pipeline import chardata
from pipeline.decode import decode
from pipeline.repair import repair

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
SOURCES = [ROOT / "raw", Path("/work/shared/eval/sh/dump"), Path("/work/shared/eval/traf/dump")]

MOJIBAKE_SHARE = 0.20
LEGACY_BYTES_SHARE = 0.05
ENTITY_SHARE = 0.10
CRLF_SHARE = 0.05
UNICODE_BOM_SHARE = 0.03  # UTF-8 BOM or UTF-16
INVISIBLE_SHARE = 0.05
DOC_BYTES = (1500, 9000)  # article size, bytes of UTF-8

ENTITIES = {"é": "&eacute;", "è": "&egrave;", "à": "&agrave;", "’": "&rsquo;", "\xa0": "&nbsp;",
            "«": "&laquo;", "»": "&raquo;", "“": "&#8220;", "”": "&#x201D;", "ç": "&ccedil;"}


def load_sources() -> list[list[str]]:
    """The lines of every source text."""
    texts = []
    for directory in SOURCES:
        if directory.is_dir():
            texts += [p.read_text(encoding="utf-8").split("\n")
                      for p in sorted(directory.glob("*.txt"))]
    return [lines for lines in texts if sum(len(x) for x in lines) > 200]


def article(rng: random.Random, sources: list[list[str]]) -> str:
    """A contiguous run of lines of about article size, lightly shuffled and edited."""
    while not (text := _article(rng, sources)).strip():
        pass
    return text


def _article(rng: random.Random, sources: list[list[str]]) -> str:
    lines = rng.choice(sources)
    target = rng.randint(*DOC_BYTES)
    start = rng.randrange(len(lines))
    out: list[str] = []
    size = 0
    i = start
    while size < target and i < start + len(lines):
        line = lines[i % len(lines)]
        if rng.random() < 0.9:  # drop a few lines
            out.append(line)
            size += len(line.encode()) + 1
        i += 1
    if len(out) > 3 and rng.random() < 0.5:  # swap two paragraphs
        a, b = rng.sample(range(len(out)), 2)
        out[a], out[b] = out[b], out[a]
    return "\n".join(out)


def mojibake(text: str) -> str:
    return text.encode("utf-8").decode("sloppy-windows-1252")


def perturb(rng: random.Random, text: str) -> bytes:
    """The bytes of one document, damaged the way scraped text is."""
    roll = rng.random()
    if roll < MOJIBAKE_SHARE / 2:
        text = mojibake(text)
    elif roll < MOJIBAKE_SHARE:
        lines = text.split("\n")
        for k in rng.sample(range(len(lines)), max(1, len(lines) // 4)):
            lines[k] = mojibake(lines[k])
        text = "\n".join(lines)
    if rng.random() < ENTITY_SHARE:
        for char, entity in ENTITIES.items():
            if rng.random() < 0.7:
                text = text.replace(char, entity)
        text = text.replace(". ", ".<br /> ", rng.randint(1, 4)).replace("\n\n", "</p>\n<p>", 3)
    if rng.random() < INVISIBLE_SHARE:
        words = text.split(" ")
        for k in rng.sample(range(len(words)), min(len(words), 20)):
            words[k] = words[k][:3] + rng.choice(["\u200b", "\xad", "\ufeff"]) + words[k][3:]
        text = " ".join(words)
    if rng.random() < CRLF_SHARE:
        text = text.replace("\n", "\r\n")
    roll = rng.random()
    if roll < LEGACY_BYTES_SHARE:
        try:  # a legacy encoding holds the languages it was made for, and only those
            return text.encode(rng.choice(["cp1252", "latin-1"]))
        except UnicodeEncodeError:
            pass
    if roll < LEGACY_BYTES_SHARE + UNICODE_BOM_SHARE:
        return text.encode(rng.choice(["utf-8-sig", "utf-16"]))
    return text.encode("utf-8")


def build(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    sources = load_sources()
    if not sources:
        sys.exit("no source texts found")
    return [perturb(rng, article(rng, sources)) for _ in range(n)]


def timed(function: Callable[[T], object], items: list[T]) -> tuple[float, float]:
    """CPU seconds and wall seconds to call ``function`` on every item.

    CPU time of this one process is the figure that counts: on a shared
    machine, wall time also measures the other processes.
    """
    cpu, wall = time.process_time(), time.perf_counter()
    for item in items:
        function(item)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000, help="documents (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    args = parser.parse_args()

    docs = build(args.docs, args.seed)
    texts = [decode(d).text for d in docs]
    megabytes = sum(len(d) for d in docs) / 1e6
    lines = [line for t in texts for line in t.split("\n")]
    suspect = sum(1 for line in lines if chardata.MOJIBAKE_SUSPECT_RE.search(line))
    legacy = sum(1 for d in docs if decode(d).encoding not in ("utf-8", "utf-8-sig", "utf-16"))

    timed(lambda d: repair(decode(d).text), docs[:200])  # warm-up
    t_decode = timed(decode, docs)
    t_ours = timed(lambda d: repair(decode(d).text), docs)
    t_ftfy = timed(ftfy.fix_text, texts)

    n = len(docs)
    print(f"corpus: {n} docs, {megabytes:.1f} MB, {megabytes * 1e3 / n:.1f} kB/doc; "
          f"{legacy} in legacy bytes; {suspect} of {len(lines)} lines "
          f"({100 * suspect / max(1, len(lines)):.1f} %) sent to ftfy by the prefilter")
    print(f"python {platform.python_version()}, ftfy {ftfy.__version__}, one core\n")
    print("| stage | CPU s | docs/s | MB/s | vs plain ftfy | wall s |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = [("decode + repair", t_ours), ("  of which decode", t_decode),
            ("plain ftfy.fix_text (defaults)", t_ftfy)]
    for name, (cpu, wall) in rows:
        print(f"| {name} | {cpu:.2f} | {n / cpu:,.0f} | {megabytes / cpu:.1f} "
              f"| {t_ftfy[0] / cpu:.1f}× | {wall:.2f} |")


if __name__ == "__main__":
    main()
