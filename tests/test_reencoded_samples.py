"""The five samples, re-encoded every way scrapes arrive, give the same record as the original.

Only ``source`` (bytes, hash, encoding) and the repair that undid the damage
may differ.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ftfy.bad_codecs  # noqa: F401  registers the sloppy-windows-1252 codec
import pytest

from pipeline.core import clean_bytes
from pipeline.record import Article

RAW = Path(__file__).resolve().parent.parent / "raw"
SAMPLES = sorted(RAW.glob("*.txt"))

# name → (re-encode the sample's text, the encoding the record must state,
#         the repair kind the damage is counted under, or None)
VARIANTS: dict[str, tuple[Callable[[str], bytes], str, str | None]] = {
    "windows-1252": (lambda t: t.encode("cp1252"), "cp1252", None),
    "utf-8-mojibake": (
        lambda t: t.encode("utf-8").decode("sloppy-windows-1252").encode("utf-8"),
        "utf-8", "mojibake"),
    "utf-16-bom": (lambda t: t.encode("utf-16"), "utf-16", None),
    "utf-16-le-no-bom": (lambda t: t.encode("utf-16-le"), "utf-16-le", None),
    "utf-8-bom": (lambda t: t.encode("utf-8-sig"), "utf-8-sig", None),
    "crlf": (lambda t: t.replace("\n", "\r\n").encode("utf-8"), "utf-8", "line-end"),
}


def _record(data: bytes, name: str) -> Article:
    results = clean_bytes(data, path=name)
    assert len(results) == 1
    record = results[0]
    assert isinstance(record, Article), record
    return record


def _without(record: Article, *fields: str) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude=set(fields))


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:3])
def test_reencoded_sample_gives_the_same_record(path: Path, variant: str) -> None:
    text = path.read_text(encoding="utf-8")
    encode, encoding, repair_kind = VARIANTS[variant]
    try:
        data = encode(text)
    except UnicodeEncodeError:  # a character the legacy encoding lacks: nothing to compare
        pytest.skip(f"{path.name} does not round-trip through {variant}")
    original = _record(text.encode("utf-8"), path.name)
    reencoded = _record(data, path.name)

    assert reencoded.source.encoding == encoding
    assert _without(reencoded, "source", "repairs") == _without(original, "source", "repairs")
    extra = {k: v for k, v in reencoded.repairs.items() if original.repairs.get(k) != v}
    assert set(extra) == ({repair_kind} if repair_kind else set())


def test_every_sample_round_trips_through_windows_1252() -> None:
    """Guard for the test above: no sample is silently skipped."""
    for path in SAMPLES:
        path.read_text(encoding="utf-8").encode("cp1252")
    assert len(SAMPLES) == 5
