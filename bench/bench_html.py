"""Throughput of the HTML stage next to trafilatura alone, on the same pages in the same run.

usage (from the project root):
    python bench/bench_html.py [--data ../shared/eval] [--sets sh,traf] [--repeat 3] [--score]

Each page's raw bytes go through four paths, interleaved page by page (the
order rotates) so that load from other processes hits all of them alike:

* ``trafilatura``          ``trafilatura.extract(data)`` with its defaults: the
                           configuration of the trafilatura-html row in baselines.json;
* ``trafilatura+metadata`` ``trafilatura.bare_extraction(data, ...)`` with the options
                           newsclean uses (metadata and comments on): the same library
                           work, so the ratio to it is newsclean's own overhead;
* ``newsclean``            ``pipeline.formats.unpack(data, name)``: the whole HTML
                           stage (sniff, charset, decode, one parse, extraction, hints,
                           comments, fallbacks).
* ``newsclean record``     ``pipeline.core.clean_bytes(data, path=name)``: the whole
                           cleaning of the page into its record (the stage, then repair,
                           the noise pass, metadata, language, fingerprint).

A page's time is the CPU time (``time.process_time``, which other work on a
shared machine does not inflate) of its fastest of ``--repeat`` runs. The
first pages are run once untimed: dateparser and htmldate build their regexes
on first use, a one-time cost per process. ``--score`` also scores the
extracted text of newsclean and of trafilatura alone with ``score.py`` (F1 by
shingles for sh, with/without snippets for traf).
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura
from trafilatura.settings import Document

from pipeline import html as html_stage
from pipeline.core import clean_bytes
from pipeline.document import Item
from pipeline.formats import unpack
from pipeline.record import Article

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval"
WARM_UP_PAGES = 20


def newsclean(data: bytes, name: str) -> str:
    found = unpack(data, name)
    return found[0].text if found and isinstance(found[0], Item) else ""


def newsclean_record(data: bytes, name: str) -> str:
    found = clean_bytes(data, path=name)
    return found[0].body if found and isinstance(found[0], Article) else ""


def trafilatura_alone(data: bytes, name: str) -> str:
    return trafilatura.extract(data) or ""


def trafilatura_with_metadata(data: bytes, name: str) -> str:
    document = trafilatura.bare_extraction(
        data, with_metadata=True, include_comments=True, include_tables=True,
        date_extraction_params=html_stage.DATE_PARAMS,
    )
    return (document.text or "") if isinstance(document, Document) else ""


PATHS: dict[str, Callable[[bytes, str], str]] = {
    "trafilatura": trafilatura_alone,
    "trafilatura+metadata": trafilatura_with_metadata,
    "newsclean": newsclean,
    "newsclean record": newsclean_record,
}


def load(data: Path, sets: list[str]) -> list[tuple[str, str, bytes]]:
    pages = []
    for kind in sets:
        for path in sorted((data / kind / "html").glob("*.html")):
            pages.append((kind, path.name, path.read_bytes()))
    return pages


def run(pages: list[tuple[str, str, bytes]], repeat: int) -> tuple[dict[str, float], dict]:
    """CPU seconds per path (sum over pages of each page's fastest run), and the texts."""
    names = list(PATHS)
    for _, name, data in pages[:WARM_UP_PAGES]:
        for path in names:
            PATHS[path](data, name)
    totals = dict.fromkeys(names, 0.0)
    texts: dict[str, dict[str, dict[str, str]]] = {path: {} for path in names}
    for number, (kind, name, data) in enumerate(pages):
        best = dict.fromkeys(names, float("inf"))
        order = names[number % len(names):] + names[:number % len(names)]
        for _ in range(repeat):
            for path in order:
                start = time.process_time()
                text = PATHS[path](data, name)
                best[path] = min(best[path], time.process_time() - start)
                texts[path].setdefault(kind, {})[Path(name).stem] = text
        for path in names:
            totals[path] += best[path]
    return totals, texts


def score(data: Path, kind: str, bodies: dict[str, str]) -> dict:
    gold = data / "sh" / "gold.json" if kind == "sh" else data / "traf" / "cases.json"
    with tempfile.TemporaryDirectory() as tmp:
        for stem, body in bodies.items():
            (Path(tmp) / f"{stem}.json").write_text(json.dumps({"body": body}), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(data / "score.py"), kind, str(gold), tmp, "--json"],
            capture_output=True, text=True, check=True,
        )
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", default="sh,traf")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--score", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # trafilatura logs every page it finds poor

    pages = load(args.data, args.sets.split(","))
    totals, texts = run(pages, args.repeat)
    print(f"{len(pages)} pages ({args.sets}), fastest of {args.repeat} run(s) per page")
    # speed ratios: newsclean's docs/s over the path's
    print(f"{'path':<22} {'cpu s':>8} {'docs/s':>8} {'stage/path':>11} {'record/path':>12}")
    for path, seconds in totals.items():
        stage = totals["newsclean"] and seconds / totals["newsclean"]
        record = totals["newsclean record"] and seconds / totals["newsclean record"]
        print(f"{path:<22} {seconds:8.2f} {len(pages) / seconds:8.1f} {stage:11.3f} "
              f"{record:12.3f}")
    if args.score:
        print(f"\n{'set':<5} {'path':<22} {'F1':>6} {'P':>6} {'R':>6}")
        for kind in args.sets.split(","):
            for path in ("trafilatura", "newsclean"):
                result = score(args.data, kind, texts[path][kind])
                print(f"{kind:<5} {path:<22} {result['f1']:6.4f} {result['precision']:6.4f} "
                      f"{result['recall']:6.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
