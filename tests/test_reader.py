"""read_records: validated records from clean folders and exports."""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import NewscleanError, UsageError
from pipeline.reader import (
    InvalidRecord,
    OnInvalid,
    SourceKind,
    is_record_name,
    read_records,
    source_kind,
)
from pipeline.record import Article
from tests.records import make_record


def write_folder(folder: Path, records: list[Article]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / f"{record.id}.json").write_text(record.to_json(), encoding="utf-8")
    return folder


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    """A clean folder as the runner leaves it: records and its own files beside them."""
    folder = write_folder(tmp_path / "clean", [
        make_record("b", title="Deuxième"),
        make_record("a", title="Premier", comments=[{"author": None, "text": "Bravo\nmerci"}]),
        make_record("a-1", repairs={"mojibake": 2}, removed=[
            {"text": "close", "reason": "navigation", "line": 2}]),
    ])
    (folder / "_rejects.jsonl").write_text('{"path": "x.bin", "reason": "binary"}\n', "utf-8")
    (folder / "_runs").mkdir()
    (folder / "_runs" / "run.json").write_text("{}", "utf-8")
    (folder / "_summary.json").write_text("{}", "utf-8")
    (folder / ".b.json.tmp").write_text("partial", "utf-8")
    (folder / ".hidden.json").write_text("{}", "utf-8")
    (folder / "README.txt").write_text("not a record", "utf-8")
    return folder


def test_folder_yields_records_by_id_skipping_other_files(clean: Path) -> None:
    records = list(read_records(clean))
    assert [r.id for r in records] == ["a", "a-1", "b"]  # by id: "a" < "a-1" < "b"
    assert all(isinstance(r, Article) for r in records)
    assert records[0].comments[0].text == "Bravo\nmerci"
    assert records[1].repairs == {"mojibake": 2}


@pytest.mark.parametrize(
    ("name", "is_record"),
    [
        ("000_b965d56c7d7fc914.json", True),
        ("a-1.json", True),
        ("_rejects.jsonl", False),
        ("_summary.json", False),
        (".b.json", False),
        (".b.json.tmp", False),
        ("notes.txt", False),
        ("export.jsonl", False),
    ],
)
def test_is_record_name(name: str, is_record: bool) -> None:
    assert is_record_name(name) is is_record


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("x.jsonl", SourceKind.JSONL),
        ("x.JSONL", SourceKind.JSONL),
        ("x.jsonl.gz", SourceKind.JSONL_GZ),
        ("x.parquet", SourceKind.PARQUET),
        ("a.json", SourceKind.RECORD),
    ],
)
def test_source_kind(name: str, kind: SourceKind) -> None:
    assert source_kind(name) is kind


@pytest.mark.parametrize("name", ["x.csv", "x.json.gz", "x.gz", "x"])
def test_unknown_source_is_a_usage_error(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("", "utf-8")
    with pytest.raises(UsageError, match="unknown record source"):
        read_records(tmp_path / name)


def test_missing_file_fails_at_the_call(tmp_path: Path) -> None:
    # raised by read_records itself, before any iteration
    with pytest.raises(UsageError, match="no such file"):
        read_records(tmp_path / "nothing.jsonl")


def test_single_record_file(clean: Path) -> None:
    assert [r.title for r in read_records(clean / "b.json")] == ["Deuxième"]


def _broken(record: Article, **changes: Any) -> str:
    data = record.model_dump(mode="json")
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    return json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_broken(make_record("c"), word_count=None), "word_count: Field required"),
        (_broken(make_record("c"), word_count=-1), "word_count: Input should be greater"),
        (_broken(make_record("c"), published_at="20/11/2023"), "published_at: String should"),
        (_broken(make_record("c"), removed=[{"text": "x", "reason": "odd", "line": 1}]),
         "removed.0.reason: Input should be"),
        (_broken(make_record("c"), surprise=1), "surprise: Extra inputs"),
        (_broken(make_record("other")), "id 'other' does not match the file name"),
        ('{"id": "c", ', "Invalid JSON"),
        ("[]", "Input should be an object"),
    ],
)
def test_invalid_record_names_file_and_error(clean: Path, text: str, message: str) -> None:
    (clean / "c.json").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidRecord) as caught:
        list(read_records(clean))
    assert str(caught.value).startswith(f"{clean / 'c.json'}: not a valid record: ")
    assert message in str(caught.value)
    assert isinstance(caught.value, NewscleanError)


def test_skip_invalid_records(clean: Path, caplog: pytest.LogCaptureFixture) -> None:
    (clean / "c.json").write_text('{"id": "c"}', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="pipeline.reader"):
        ids = [r.id for r in read_records(clean, errors="skip")]
    assert ids == ["a", "a-1", "b"]
    assert "c.json" in caplog.text
    assert [r.id for r in read_records(clean, errors=OnInvalid.SKIP)] == ids


def test_unknown_error_policy(clean: Path) -> None:
    with pytest.raises(ValueError, match="ignore"):
        read_records(clean, errors="ignore")


def _jsonl(records: list[Article]) -> str:
    return "".join(r.model_dump_json() + "\n" for r in records)


def test_jsonl_in_file_order_with_blank_lines(tmp_path: Path) -> None:
    records = [make_record("z"), make_record("a", language="fr")]
    path = tmp_path / "x.jsonl"
    path.write_text("\n" + _jsonl(records) + "  \n", encoding="utf-8")
    assert list(read_records(path)) == records


def test_jsonl_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(_jsonl([make_record("a")]) + "\n" + '{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(InvalidRecord, match=r"x\.jsonl:3: not a valid record: source: Field"):
        list(read_records(path))


def test_gzip_round_trip(tmp_path: Path) -> None:
    records = [make_record("a", title="Été"), make_record("b")]
    path = tmp_path / "x.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write(_jsonl(records))
    assert list(read_records(path)) == records


@pytest.mark.parametrize("cut", [10, -10])
def test_truncated_gzip(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "x.jsonl.gz"
    data = gzip.compress(_jsonl([make_record(f"r{n}") for n in range(50)]).encode())
    path.write_bytes(data[:cut])
    with pytest.raises(InvalidRecord, match="corrupt or truncated"):
        list(read_records(path))


def test_not_gzip(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl.gz"
    path.write_text(_jsonl([make_record("a")]), encoding="utf-8")
    with pytest.raises(InvalidRecord, match="corrupt or truncated"):
        list(read_records(path))
