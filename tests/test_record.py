"""The record model: the committed JSON Schema is the generated one; JSON is deterministic."""

import json
from importlib import resources

import pytest
from pydantic import ValidationError

from pipeline.record import Article, PipelineInfo, Source, SourceFormat, json_schema

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
