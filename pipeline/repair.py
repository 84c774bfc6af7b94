"""Repair decoded text line by line: entities, tags, mojibake, invisible characters."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from pipeline.config import DEFAULT_CONFIG, Config


@dataclass(frozen=True, slots=True)
class Repaired:
    """The input's lines, each repaired; ``lines[i]`` is input line ``i + 1``.

    A line may hold ``\\n`` where the input had ``<br>``.
    """

    lines: tuple[str, ...]
    counts: dict[str, int]


_BR = re.compile(r"\s*<br\s*/?>\s*", re.I)


def repair(text: str, config: Config = DEFAULT_CONFIG) -> Repaired:
    """Placeholder repair: line ends, <br>, entities."""
    counts: Counter[str] = Counter()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for line in text.split("\n"):
        line = _BR.sub("\n", line)
        line = html.unescape(line).replace("\xa0", " ")
        out.append(line.strip())
    return Repaired(tuple(out), dict(counts))
