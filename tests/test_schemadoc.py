"""docs/schema.md is generated from the model and kept current."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pytest
from pydantic import BaseModel

from pipeline import schemadoc
from pipeline.fingerprint import fingerprint
from pipeline.record import (
    Article,
    Comment,
    Flag,
    PipelineInfo,
    RemovalReason,
    Removed,
    RepairKind,
    Source,
    SourceFormat,
)
from pipeline.schemadoc import DOC_PATH, EXAMPLE_RECORD, NULL_WHEN, main, render_schema_doc
from pipeline.typography import slugify

MODELS: list[type[BaseModel]] = [Article, Source, Comment, Removed, PipelineInfo]
ENUMS: list[type[Enum]] = [RemovalReason, RepairKind, Flag, SourceFormat]


@pytest.fixture(scope="module")
def doc() -> str:
    return render_schema_doc()


def test_committed_doc_is_current() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render_schema_doc(), (
        "docs/schema.md is out of date: run python -m pipeline.schemadoc"
    )


@pytest.mark.parametrize(
    ("model", "field"), [(m, f) for m in MODELS for f in m.model_fields]
)
def test_every_field_has_a_row(doc: str, model: type[BaseModel], field: str) -> None:
    section = doc.split(f"### {model.__name__}\n", 1)[1].split("\n### ", 1)[0]
    assert f"| `{field}` |" in section


@pytest.mark.parametrize(("enum", "member"), [(e, m) for e in ENUMS for m in e])
def test_every_enum_value_is_listed(doc: str, enum: type[Enum], member: Enum) -> None:
    section = doc.split(f"### {enum.__name__}\n", 1)[1].split("\n### ", 1)[0]
    assert f"| `{member.value}` |" in section


@pytest.mark.parametrize(
    ("member", "comment"),
    [
        (RemovalReason.SEPARATOR, "lines of punctuation or symbols only"),
        (RemovalReason.FEEDBACK, "Vous avez repéré une erreur ?"),
        (RepairKind.GLUED_PARAGRAPH, "paragraphs that had run together split again"),
        (Flag.TRUNCATED, "the input was cut"),
    ],
)
def test_enum_comments_are_carried(doc: str, member: Enum, comment: str) -> None:
    line = next(x for x in doc.splitlines() if x.startswith(f"| `{member.value}` |"))
    assert comment in line


def test_versioning_rule_is_stated(doc: str) -> None:
    assert "Additive changes keep it" in doc and "Breaking changes bump it" in doc


def test_example_record_is_consistent(doc: str) -> None:
    # the example shows what the pipeline would write for it
    assert EXAMPLE_RECORD.fingerprint == fingerprint(EXAMPLE_RECORD.body)
    assert EXAMPLE_RECORD.title is not None
    assert EXAMPLE_RECORD.slug == slugify(EXAMPLE_RECORD.title)
    assert Article.model_validate_json(EXAMPLE_RECORD.to_json()) == EXAMPLE_RECORD
    assert EXAMPLE_RECORD.to_json().rstrip("\n") in doc


def test_null_when_has_no_stale_entries() -> None:
    models = {m.__name__: m for m in MODELS}
    for key in NULL_WHEN:
        model, field = key.split(".")
        assert field in models[model].model_fields, key


def test_an_undocumented_optional_field_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = dict(NULL_WHEN)
    del entries["Article.updated_at"]
    monkeypatch.setattr(schemadoc, "NULL_WHEN", entries)
    with pytest.raises(KeyError, match=r"Article\.updated_at"):
        render_schema_doc()


def test_main_writes_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "docs" / "schema.md"
    assert main([str(path), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == render_schema_doc()
    assert main([str(path), "--check"]) == 0
