"""export: JSON Lines and Parquet files from a clean folder, filtered, atomic."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import UsageError
from pipeline.export import (
    PARQUET_ROW_GROUP,
    ExportFormat,
    arrow_schema,
    date_key,
    export,
    export_format,
    select,
)
from pipeline.reader import InvalidRecord, MissingDependency, read_records, require_pyarrow
from pipeline.record import Article
from tests.records import make_record

pyarrow = pytest.importorskip("pyarrow")  # installed with the test extras
import pyarrow.parquet as pq  # noqa: E402

RECORDS = [
    make_record("d1", published_at="2023-11-19", language="fr"),
    make_record("d2", published_at="2023-11-20", language="fr", duplicate_of="d1",
                fingerprint="0123456789abcdef"),
    make_record("d3", published_at="2023-11-20T15:55:27", language="en", title="Été",
                authors=["Samir Rahmoune"], tags=["L’Express"],
                comments=[{"author": None, "text": "Bravo\nmerci", "date": "2023-11-21"}],
                removed=[{"text": "close", "reason": "navigation", "line": 2}],
                repairs={"mojibake": 2, "glued-paragraph": 1}, flags=["truncated"]),
    make_record("d4", published_at="2023-11-21T08:00+01:00", duplicate_of="d1"),
    make_record("d5", language="fr"),  # no date
]
FORMATS = ["out.jsonl", "out.jsonl.gz", "out.parquet"]


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    folder = tmp_path / "clean"
    folder.mkdir()
    for record in reversed(RECORDS):
        (folder / f"{record.id}.json").write_text(record.to_json(), encoding="utf-8")
    (folder / "_rejects.jsonl").write_text('{"reason": "binary"}\n', "utf-8")
    return folder


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["d1", "d2", "d3", "d4", "d5"]),
        ({"since": "2023-11-20"}, ["d2", "d3", "d4"]),  # undated d5 left out
        ({"since": "2023-11-20T15:55:27"}, ["d3", "d4"]),  # inclusive
        ({"since": "2023-11-20T15:56"}, ["d4"]),
        ({"since": "2023-11-22"}, []),
        ({"language": "fr"}, ["d1", "d2", "d5"]),
        ({"language": "de"}, []),
        ({"no_duplicates": True}, ["d1", "d3", "d5"]),
        ({"since": "2023-11-20", "language": "fr", "no_duplicates": True}, []),
        ({"since": "2023-11-19", "no_duplicates": True}, ["d1", "d3"]),
    ],
)
def test_export_each_format_and_filter(
    clean: Path, tmp_path: Path, name: str, filters: dict[str, Any], expected: list[str]
) -> None:
    out = tmp_path / "exports" / name
    assert export(clean, out, **filters) == len(expected)
    back = list(read_records(out))
    assert [r.id for r in back] == expected
    assert back == [r for r in RECORDS if r.id in expected]  # every field survives
    assert sorted(p.name for p in out.parent.iterdir()) == [name]  # no temporary left


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("2023-11-20", "2023-11-20T00:00:00"),
        ("2023-11-20T17:19", "2023-11-20T17:19:00"),
        ("2023-11-20T17:19:05", "2023-11-20T17:19:05"),
        ("2023-11-20T17:19:05Z", "2023-11-20T17:19:05"),
        ("2023-11-20T08:00+01:00", "2023-11-20T08:00:00"),  # local time, offset ignored
    ],
)
def test_date_key(value: str, key: str) -> None:
    assert date_key(value) == key


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"since": "20/11/2023"}, "not an ISO 8601 date"),
        ({"since": "yesterday"}, "not an ISO 8601 date"),
        ({"language": "French"}, "not an ISO 639-1 code"),
        ({"language": "FR"}, "not an ISO 639-1 code"),
    ],
)
def test_bad_filters_fail_before_writing(
    clean: Path, tmp_path: Path, filters: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        select(RECORDS, **filters)  # at the call, not at the first record
    with pytest.raises(UsageError, match=message):
        export(clean, tmp_path / "out" / "x.jsonl", **filters)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("x.jsonl", ExportFormat.JSONL),
        ("X.JSONL.GZ", ExportFormat.JSONL_GZ),
        ("dir.v2/x.parquet", ExportFormat.PARQUET),
    ],
)
def test_export_format(name: str, fmt: ExportFormat) -> None:
    assert export_format(name) is fmt


@pytest.mark.parametrize("name", ["x.json", "x.csv", "x.gz", "x.jsonl.bz2", "x.parquet.gz"])
def test_unknown_extension(clean: Path, tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="unknown export format"):
        export(clean, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_jsonl_lines_are_compact_records_in_schema_order(clean: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    export(clean, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[2])
    assert list(first) == list(Article.model_fields)
    assert lines[2] == json.dumps(RECORDS[2].model_dump(mode="json"), ensure_ascii=False,
                                  separators=(",", ":"))
    assert "Été" in lines[2] and "L’Express" in lines[2]  # not ASCII-escaped


@pytest.mark.parametrize("name", FORMATS)
def test_same_records_same_bytes(clean: Path, tmp_path: Path, name: str) -> None:
    export(clean, tmp_path / "one" / name)
    export(clean, tmp_path / "two" / name)
    assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_gzip_output_is_gzip(clean: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl.gz"
    export(clean, out)
    assert len(gzip.decompress(out.read_bytes()).splitlines()) == len(RECORDS)


@pytest.mark.parametrize("name", FORMATS)
def test_empty_export_is_a_valid_file(clean: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    assert export(clean, out, language="de") == 0
    assert out.exists()
    assert list(read_records(out)) == []


@pytest.mark.parametrize("name", FORMATS)
def test_failed_export_leaves_the_old_file(clean: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    export(clean, out)
    before = out.read_bytes()
    (clean / "d6.json").write_text('{"id": "d6"}', encoding="utf-8")
    with pytest.raises(InvalidRecord, match=r"d6\.json"):
        export(clean, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean", name]


def test_export_into_the_clean_folder_is_not_read_back(clean: Path) -> None:
    assert export(clean, clean / "_export.jsonl") == len(RECORDS)
    assert [r.id for r in read_records(clean)] == [r.id for r in RECORDS]


def test_parquet_schema_follows_the_model(clean: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.parquet"
    export(clean, out)
    schema = pq.read_schema(out)
    assert schema.names == list(Article.model_fields)
    assert schema.equals(arrow_schema())
    assert schema.metadata[b"newsclean.schema_version"] == b"1"
    assert pyarrow.types.is_list(schema.field("authors").type)
    assert schema.field("authors").type.value_type == pyarrow.string()
    assert pyarrow.types.is_struct(schema.field("source").type)
    assert pyarrow.types.is_map(schema.field("repairs").type)
    assert schema.field("title").nullable and not schema.field("body").nullable
    assert schema.field("body").metadata[b"description"].startswith(b"Article text")
    table = pq.read_table(out)
    assert table.column("source").combine_chunks().field("path").to_pylist()[0] == "d1.txt"


def test_parquet_is_written_in_row_groups(
    clean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipeline.export.PARQUET_ROW_GROUP", 2)
    out = tmp_path / "x.parquet"
    assert export(clean, out) == 5
    assert pq.ParquetFile(out).num_row_groups == 3
    assert PARQUET_ROW_GROUP >= 100  # the real batch is not tiny


def test_missing_pyarrow(clean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow → ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependency, match=r"pip install 'newsclean\[parquet\]'"):
        require_pyarrow()
    with pytest.raises(MissingDependency):
        export(clean, tmp_path / "x.parquet")
    assert not (tmp_path / "x.parquet").exists()
    assert export(clean, tmp_path / "x.jsonl") == len(RECORDS)  # JSON Lines needs nothing
