"""The record model: the committed JSON Schema is the generated one; JSON is deterministic."""

import json
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from pipeline import write
from pipeline.core import clean_bytes
from pipeline.errors import RejectedInput
from pipeline.record import Article, PipelineInfo, Source, SourceFormat, json_schema
from pipeline.write import record_bytes

ROOT = Path(__file__).resolve().parent.parent

SOURCE = Source(path="a.txt", sha256="0" * 64, format=SourceFormat.TXT, encoding="utf-8")
PIPELINE = PipelineInfo(version="0", config_hash="x")


def test_committed_schema_is_generated_from_the_model() -> None:
    committed = json.loads(resources.files("pipeline").joinpath("schema.json").read_text("utf-8"))
    assert committed == json_schema(), "run: newsclean schema > pipeline/schema.json"


def test_record_json_keeps_schema_order_and_unicode() -> None:
    rec = Article(id="a", source=SOURCE, title="L’été", body="Été.", word_count=1,
                  pipeline=PIPELINE)
    text = rec.to_json()
    assert text.endswith("}\n") and "L’été" in text
    assert list(json.loads(text)) == list(Article.model_fields)


@pytest.mark.parametrize("field,value", [
    ("id", "../etc/passwd"),
    ("id", "a b"),
    ("published_at", "20 novembre 2023"),
    ("published_at", "2023-11-20 15:55"),
    ("language", "fra"),
])
def test_invalid_values_are_refused(field: str, value: str) -> None:
    base = dict(id="a", source=SOURCE, body="", word_count=0, pipeline=PIPELINE)
    with pytest.raises(ValidationError):
        Article(**{**base, field: value})


@pytest.mark.parametrize("value", ["2023-11-20", "2023-11-20T15:55", "2023-11-20T15:55:27",
                                   "2023-11-20T15:55:27+01:00", "2023-11-20T15:55Z"])
def test_iso_dates_are_accepted(value: str) -> None:
    Article(id="a", source=SOURCE, body="", word_count=0, pipeline=PIPELINE, published_at=value)


def _record(**fields: object) -> Article:
    return Article(**{"id": "a", "source": SOURCE, "body": "", "word_count": 0,
                      "pipeline": PIPELINE, **fields})


@pytest.fixture(params=["whole", "pieces"])
def encoding_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """record_bytes encodes small records whole and large ones in pieces: test both."""
    monkeypatch.setattr(write, "_WHOLE_CHARS", 1 << 40 if request.param == "whole" else 0)
    return str(request.param)


@pytest.mark.parametrize("path", sorted((ROOT / "raw").glob("*.txt")), ids=lambda p: p.name[:3])
def test_record_bytes_are_the_json_text_encoded(path: Path, encoding_path: str) -> None:
    [record] = clean_bytes(path.read_bytes(), path=path.name)
    assert record_bytes(record, path=path.name) == record.to_json().encode("utf-8")


# every character a record may hold: controls, quotes, backslashes, separators
# JSON may or may not escape (U+2028), astral characters; no lone surrogates
_RECORD_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\x00"))


@given(body=_RECORD_TEXT, title=_RECORD_TEXT, removed=_RECORD_TEXT)
def test_records_encoded_whole_are_the_json_text_encoded(body: str, title: str,
                                                         removed: str) -> None:
    record = _record(body=body, title=title or None,
                     removed=[{"text": removed, "reason": "duplicate", "line": 1}])
    assert record_bytes(record, path="a.txt") == record.to_json().encode("utf-8")


def test_a_huge_string_is_escaped_in_pieces_as_a_whole() -> None:
    body = ("L’été \"chaud\"\t\\ " * 200_000)[:1_048_579]  # over one piece, cut mid-escape
    record = _record(body=body, removed=[{"text": "x\n", "reason": "duplicate", "line": 2}])
    assert record_bytes(record, path="a.txt") == record.to_json().encode("utf-8")


@pytest.mark.parametrize("body,message", [
    ("a\r", "the record holds a NUL or CR character"),
    ("a\x00", "the record holds a NUL or CR character"),
    ("a\\r and \\u0000 as text", None),
    ("a\\\r", "the record holds a NUL or CR character"),  # a backslash, then CR
    ("a\\\\u0000", None),
])
def test_record_bytes_refuse_nul_and_cr(body: str, message: str | None,
                                        encoding_path: str) -> None:
    record = _record(body=body)
    if message is None:
        assert record_bytes(record, path="a.txt") == record.to_json().encode("utf-8")
        return
    with pytest.raises(RejectedInput, match=message):
        record_bytes(record, path="a.txt")


@given(st.lists(st.sampled_from(["\\", "r", "u0000", "u00", "0", '"', "a"]), max_size=12)
       .map("".join))
def test_the_quick_nul_and_cr_check_is_the_patterns(text: str) -> None:
    data = text.encode()
    assert write._holds_nul_or_cr(data) is (write._FORBIDDEN_ESCAPE.search(data) is not None)


def test_a_lone_surrogate_is_reported_where_the_json_text_has_it(encoding_path: str) -> None:
    record = _record(title="\r", body="x" * 1_100_000 + "\ud800")
    at = record.to_json().index("\ud800")
    with pytest.raises(RejectedInput, match=f"lone surrogate at {at}:"):
        record_bytes(record, path="a.txt")


@pytest.mark.parametrize("value", [None, "000_b965d56c7d7fc914", 'a "quoted" \\ id', "été"])
@pytest.mark.parametrize("path", sorted((ROOT / "raw").glob("*.txt"))[:2], ids=lambda p: p.name[:3])
def test_setting_duplicate_of_in_the_bytes_gives_the_models_bytes(path: Path,
                                                                   value: str | None) -> None:
    [record] = clean_bytes(path.read_bytes(), path=path.name)
    for before in (None, "zzz"):
        start = record.model_copy(update={"duplicate_of": before}).to_json().encode("utf-8")
        expected = record.model_copy(update={"duplicate_of": value}).to_json().encode("utf-8")
        assert write.with_duplicate_of(start, value) == expected


def test_bytes_without_a_top_level_duplicate_of_are_refused() -> None:
    with pytest.raises(ValueError, match="not a record"):
        write.with_duplicate_of(b'{\n  "a": {\n    "duplicate_of": null\n  }\n}\n', "x")
