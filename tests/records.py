"""Records built directly from the model, for tests of what reads records."""

from typing import Any

from pipeline.record import Article, PipelineInfo, Source, SourceFormat


def make_record(record_id: str, **fields: Any) -> Article:
    """A valid record with a short body; any field can be given."""
    body = fields.pop("body", f"Texte de l’article {record_id}.")
    return Article(
        id=record_id,
        source=Source(path=f"{record_id}.txt", sha256="0" * 64, format=SourceFormat.TXT,
                      encoding="utf-8"),
        body=body,
        word_count=len(body.split()),
        pipeline=PipelineInfo(version="0.1.0", config_hash="0123456789abcdef"),
        **fields,
    )
