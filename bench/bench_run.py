"""Benchmark of whole runs: ``newsclean run`` on a generated corpus, next to a reference.

Generates N sample-like documents (perturbed copies of ``raw/``), then times,
each as a fresh process so that start-up counts:

- ``bench/reference_ftfy.py`` (read, ``ftfy.fix_text``, write JSON);
- ``newsclean run --no-prefect`` into an empty folder, then again unchanged;
- the same through the Prefect flow (``--prefect``; a temporary local server
  starts when ``PREFECT_API_URL`` is not set);
- 50 MB single-line documents (``--big``, :data:`BIG_FILES`): one sentence over
  and over, distinct sentences with an emoji and without, words with no
  sentence end, Japanese with no space;
- with ``--crossover``, small runs with one worker (``--runner thread``) and
  one per core (``--runner process``), to place ``run.PARALLEL_FROM``.

Peak memory is the largest sum of resident memory over the process tree
(the run and its worker processes), sampled every 20 ms, and the largest sum
of proportional set sizes (PSS), sampled every 100 ms: a page the processes
share, such as the mapped tables of the language model, counts once in it.

Usage: python bench/bench_run.py [--docs 20000] [--prefect] [--big] [--runner auto]
       python bench/bench_run.py --crossover
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
_WORD = re.compile(r"\w{4,}")


def perturb(text: str, rng: random.Random) -> str:
    """A sample-like variant: words swapped, lines moved or dropped, a number changed."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    long_lines = [i for i in filled if len(lines[i]) > 80] or filled
    vocabulary = _WORD.findall(text) or ["mot"]
    for i in rng.sample(long_lines, k=min(3, len(long_lines))):
        words = lines[i].split(" ")
        j = rng.randrange(len(words))
        words[j] = rng.choice(vocabulary)
        lines[i] = " ".join(words)
    if len(long_lines) > 3 and rng.random() < 0.5:
        a, b = rng.sample(long_lines[1:], 2)
        lines[a], lines[b] = lines[b], lines[a]
    if len(filled) > 8 and rng.random() < 0.3:
        del lines[rng.choice(filled[4:])]
    number = str(rng.randrange(2, 99))
    return re.sub(r"\b\d\b", number, "\n".join(lines), count=1)


def make_corpus(target: Path, docs: int, seed: int = 7) -> Path:
    """Write ``docs`` perturbed copies of the samples into ``target`` (kept between runs)."""
    samples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "raw").iterdir())]
    marker = target / ".complete"
    if marker.exists() and marker.read_text() == f"{docs} {seed}":
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    rng = random.Random(seed)
    for n in range(docs):
        text = perturb(samples[n % len(samples)], rng)
        (target / f"doc_{n:05d}.txt").write_text(text, encoding="utf-8")
    marker.write_text(f"{docs} {seed}")
    return target


def make_big(target: Path, megabytes: int = 50) -> Path:
    """A folder holding one document of ``megabytes`` MB on a single line, one sentence
    over and over (the repeat finder removes all but the first)."""
    target.mkdir(parents=True, exist_ok=True)
    sentence = "Le conseil d’administration a annoncé une décision inattendue, vendredi. "
    line = (sentence * (megabytes * 1024 * 1024 // len(sentence.encode()) + 1)).encode()
    (target / "one_line.txt").write_bytes(line[: megabytes * 1024 * 1024] + b"\n")
    return target


def make_big_distinct(target: Path, megabytes: int = 50, emoji: bool = True) -> Path:
    """The same size of single line made of distinct sentences: the samples' sentences
    in a deterministic shuffle, each numbered, with one emoji, which makes Python
    store the whole decoded text at four bytes a character (without it, two)."""
    target.mkdir(parents=True, exist_ok=True)
    sentences = [" ".join(s.split()) for path in sorted((ROOT / "raw").glob("*.txt"))
                 for s in re.split(r"(?<=[.!?])\s+", path.read_text(encoding="utf-8"))
                 if 40 <= len(s) <= 300 and s[-1] in ".!?"]
    rnd = random.Random(7)
    parts, size, number = ["Une page en une ligne 📰." if emoji else "Une page en une ligne."], 0, 0
    while size < megabytes * 1024 * 1024:
        number += 1
        sentence = rnd.choice(sentences)
        parts.append(f"{sentence[:-1]} ({number}){sentence[-1]}")
        size += len(parts[-1].encode()) + 1
    (target / "one_line.txt").write_bytes(
        " ".join(parts).encode()[: megabytes * 1024 * 1024].rsplit(b" ", 1)[0] + b"\n")
    return target


def make_big_words(target: Path, megabytes: int = 50) -> Path:
    """A single line of the samples' words, lower-case, in a deterministic shuffle and
    with no punctuation: no sentence end to cut the line at."""
    target.mkdir(parents=True, exist_ok=True)
    words = sorted({w.casefold() for path in sorted((ROOT / "raw").glob("*.txt"))
                    for w in _WORD.findall(path.read_text(encoding="utf-8"))})
    rnd = random.Random(7)
    line = " ".join(rnd.choices(words, k=megabytes * 1024 * 1024 // 6)).encode()
    (target / "one_line.txt").write_bytes(
        line[: megabytes * 1024 * 1024].rsplit(b" ", 1)[0] + b"\n")
    return target


def make_big_japanese(target: Path, megabytes: int = 50) -> Path:
    """A single line of numbered Japanese sentences: no space anywhere, and full stops
    (。) that the sentence cut of long lines does not know."""
    target.mkdir(parents=True, exist_ok=True)
    base = ["東京都議会は予算案を可決した", "市長は記者会見で新しい計画を発表した",
            "専門家はこの決定を歓迎している", "来年度から新制度が始まる予定だ"]
    count = megabytes * 1024 * 1024 // 45 + 1
    line = "".join(f"{base[n % len(base)]}{n}。" for n in range(count)).encode()
    (target / "one_line.txt").write_bytes(
        line[: megabytes * 1024 * 1024].decode("utf-8", "ignore").encode() + b"\n")
    return target


# The 50 MB single-line files of --big: label, folder under --out, maker.
BIG_FILES = [
    ("one 50 MB line", "big", make_big),
    ("one 50 MB line, distinct sentences", "big-distinct", make_big_distinct),
    ("one 50 MB line, distinct sentences, no emoji", "big-distinct-2",
     lambda target: make_big_distinct(target, emoji=False)),
    ("one 50 MB line of words, no sentence end", "big-words", make_big_words),
    ("one 50 MB line of Japanese, no space", "big-japanese", make_big_japanese),
]


@dataclass
class Measure:
    """One timed command."""

    label: str
    seconds: float
    peak_mb: float  # the whole process tree
    docs: int
    largest_mb: float = 0.0  # the largest single process
    # the tree's proportional set size: pages shared by its processes (the language
    # model's tables, mapped from one file) count once, where resident sizes add them up
    pss_mb: float = 0.0
    cpu: float = 0.0  # CPU seconds of the whole tree: what other load on the machine leaves alone
    @property
    def rate(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0


def timed(label: str, command: list[str], docs: int) -> Measure:
    """Run ``command``, sampling the resident memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    peak = largest = pss = 0
    samples = 0
    while proc.poll() is None:
        sizes, proportional = [0], 0
        # PSS reads each process's smaps (~1 ms): taken every fifth sample only
        with_pss = samples % 5 == 0
        samples += 1
        try:
            for p in [proc, *proc.children(recursive=True)]:
                if with_pss:
                    info = p.memory_full_info()
                    sizes.append(info.rss)
                    proportional += info.pss
                else:
                    sizes.append(p.memory_info().rss)
        except psutil.Error:
            pass
        peak, largest, pss = max(peak, sum(sizes)), max(largest, *sizes), max(pss, proportional)
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"{label}: exit {proc.returncode}\n{proc.stderr.read().decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measure(label, seconds, peak / 1024 / 1024, docs, largest_mb=largest / 1024 / 1024,
                   cpu=cpu, pss_mb=pss / 1024 / 1024)


def start_prefect_server(home: Path) -> subprocess.Popen[bytes]:
    """``prefect server start`` on a free port; PREFECT_API_URL then points at it."""
    import os
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                      PREFECT_API_URL=f"http://127.0.0.1:{port}/api")
    server = subprocess.Popen([str(Path(sys.executable).with_name("prefect")), "server",
                               "start", "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit("the Prefect server did not start within 120 s")


def newsclean() -> str:
    """The console script of the interpreter running this benchmark."""
    return str(Path(sys.executable).with_name("newsclean"))


def crossover(out: Path, sizes: tuple[int, ...] = (20, 50, 100, 200, 400, 800)) -> None:
    """Time small runs with one worker and with one per core (best of two each)."""
    corpus = make_corpus(out / f"corpus-{max(sizes)}", max(sizes))
    files = sorted(corpus.glob("*.txt"))
    print("| inputs | one worker (s) | one per core (s) |\n|---:|---:|---:|")
    for n in sizes:
        raw = out / "crossover" / f"raw-{n}"
        if not raw.exists():
            raw.mkdir(parents=True)
            for f in files[:n]:
                shutil.copy(f, raw / f.name)
        row = []
        for runner in ("thread", "process"):
            best = float("inf")
            for _ in range(2):
                clean = out / "crossover" / "clean"
                shutil.rmtree(clean, ignore_errors=True)
                m = timed(runner, [newsclean(), "run", str(raw), str(clean), "--no-prefect",
                                   "-q", "--runner", runner], n)
                best = min(best, m.seconds)
            row.append(best)
        print(f"| {n} | {row[0]:.2f} | {row[1]:.2f} |")


def measure_all(args: argparse.Namespace, corpus: Path, outputs: Path
                ) -> tuple[list[Measure], dict[str, Measure]]:
    """Time the reference, then each variant asked for; outputs go under ``outputs``."""
    measures: list[Measure] = []
    ref_out = outputs / "reference"
    reference = timed("reference: ftfy.fix_text + JSON",
                      [sys.executable, str(HERE / "reference_ftfy.py"), str(corpus),
                       str(ref_out)], args.docs)
    measures.append(reference)

    variants = [("--no-prefect", ["--no-prefect"])]
    server = None
    if args.prefect_server:
        server = start_prefect_server(args.out / "prefect-home")
        variants.append(("Prefect flow, local server", []))
    elif args.prefect:
        variants.append(("Prefect flow, temporary server", []))
    first: dict[str, Measure] = {}
    for name, flags in variants:
        clean = outputs / f"clean-{len(first)}"
        command = [newsclean(), "run", str(corpus), str(clean), "--runner", args.runner,
                   "--quiet", *flags]
        first[name] = timed(f"newsclean run {name}, first", command, args.docs)
        measures.append(first[name])
        measures.append(timed(f"newsclean run {name}, unchanged re-run", command, args.docs))

    if server is not None:
        server.terminate()
        server.wait()
    for label, folder, make in BIG_FILES if args.big else []:
        big = make(args.out / folder)
        measures.append(timed(f"newsclean run --no-prefect, {label}",
                              [newsclean(), "run", str(big), str(outputs / f"clean-{folder}"),
                               "--no-prefect", "--quiet"], 1))
    return measures, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--runner", default="auto")
    parser.add_argument("--prefect", action="store_true", help="also time the Prefect flow")
    parser.add_argument("--prefect-server", action="store_true",
                        help="run the flow against a local Prefect server started first "
                             "(as in production) rather than a temporary one per run")
    parser.add_argument("--big", action="store_true", help="also the 50 MB single-line files")
    parser.add_argument("--crossover", action="store_true",
                        help="only time small runs with one worker and one per core")
    args = parser.parse_args()
    if args.crossover:
        crossover(args.out)
        return

    corpus = make_corpus(args.out / f"corpus-{args.docs}", args.docs)
    # Every run writes into a folder of its own, all removed at the end: on this disk,
    # deleting 20,000 files (discard) slowed the run that followed by 5-10 s.
    outputs = args.out / "outputs"
    shutil.rmtree(outputs, ignore_errors=True)  # a killed benchmark's, before any timing
    try:
        measures, first = measure_all(args, corpus, outputs)
    finally:
        shutil.rmtree(outputs, ignore_errors=True)

    reference = measures[0]
    print(f"{args.docs} documents, {psutil.cpu_count()} cores, runner {args.runner}\n")
    print("| run | wall s | docs/s | vs reference | CPU s | peak MB, all processes "
          "| largest one | peak PSS MB, all |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for m in measures:
        ratio = f"{m.rate / reference.rate:.2f}×" if m.docs == reference.docs else "–"
        print(f"| {m.label} | {m.seconds:.2f} | {m.rate:,.0f} | {ratio} | {m.cpu:.1f} "
              f"| {m.peak_mb:.0f} | {m.largest_mb:.0f} | {m.pss_mb:.0f} |")
    for name, m in first.items():
        again = next(x for x in measures if x.label == f"newsclean run {name}, unchanged re-run")
        print(f"\nunchanged re-run / first run ({name}): {again.seconds / m.seconds:.1%}")


if __name__ == "__main__":
    main()
