"""Raw bytes of one input file → the items (articles-to-be) it holds."""

from __future__ import annotations

from pipeline.config import DEFAULT_CONFIG, Config
from pipeline.decode import decode
from pipeline.document import Item
from pipeline.errors import RejectedInput
from pipeline.record import SourceFormat


def unpack(data: bytes, name: str, config: Config = DEFAULT_CONFIG) -> list[Item | RejectedInput]:
    """Items of one input (placeholder: every input is one text dump)."""
    try:
        decoded = decode(data)
    except RejectedInput as err:
        return [err]
    return [Item(text=decoded.text, format=SourceFormat.TXT, encoding=decoded.encoding)]
