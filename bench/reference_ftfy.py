"""Reference for the run benchmark: read each document, ``ftfy.fix_text`` it, write JSON.

The least a cleaning run can do, written the plain way: one process, one
document after another. ``bench/bench_run.py`` times ``newsclean run`` against it.

Usage: python bench/reference_ftfy.py CORPUS OUT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import ftfy


def main(corpus: Path, out: Path) -> int:
    """Write ``OUT/<stem>.json`` for every file of ``CORPUS``; return the count."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(corpus.iterdir()):
        if not path.is_file():
            continue
        text = ftfy.fix_text(path.read_bytes().decode("utf-8", errors="replace"))
        record = {"id": path.stem, "text": text}
        (out / f"{path.stem}.json").write_text(json.dumps(record, ensure_ascii=False),
                                               encoding="utf-8")
        count += 1
    return count


if __name__ == "__main__":
    print(main(Path(sys.argv[1]), Path(sys.argv[2])))
