"""Write the records of a clean folder to one file: JSON Lines or Parquet, filtered.

The format comes from the output's extension (:func:`export_format`).
Records stream through one at a time (Parquet: in row groups of
``PARQUET_ROW_GROUP`` records), so memory stays flat on any number of
records, and the output appears atomically: it is written to a temporary file
beside it and renamed into place only when complete.

Formats:

* ``.jsonl`` / ``.jsonl.gz``: one record per line, the same fields in the same
  order as ``clean/<id>.json``, compact, UTF-8 (gzip header without time or
  name, so the same records give the same bytes).
* ``.parquet``: one column per field, with the schema of
  :func:`arrow_schema`, derived from the model: nested objects (``source``,
  ``pipeline``, each comment and removed line) are structs, lists are lists,
  ``repairs`` is a ``map<string, int64>``, enums are strings; every column
  carries its field description. Needs pyarrow (``pip install 'newsclean[parquet]'``).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import secrets
import types
import typing
from collections.abc import Iterable, Iterator
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import BaseModel

from pipeline.errors import UsageError
from pipeline.reader import read_records, require_pyarrow
from pipeline.record import ISO_DATE_PATTERN, SCHEMA_VERSION, Article

if TYPE_CHECKING:
    import pyarrow as pa

# Records per Parquet row group: large enough for good compression and fast
# scans, small enough that a batch of long articles stays well under 100 MB.
PARQUET_ROW_GROUP = 1000


class ExportFormat(str, Enum):
    """Output formats, chosen by the output file's extension."""

    JSONL = ".jsonl"
    JSONL_GZ = ".jsonl.gz"
    PARQUET = ".parquet"


def export_format(path: str | os.PathLike[str]) -> ExportFormat:
    """The export format a path asks for, by its extension.

    >>> export_format("out/news.jsonl.gz")
    <ExportFormat.JSONL_GZ: '.jsonl.gz'>
    >>> export_format("news.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    pipeline.errors.UsageError: news.csv: unknown export format; name the output .jsonl, ...
    """
    name = Path(path).name.lower()
    # longest suffix first: ".jsonl.gz" is not ".jsonl"
    for fmt in sorted(ExportFormat, key=lambda f: -len(f.value)):
        if name.endswith(fmt.value):
            return fmt
    raise UsageError(f"{os.fspath(path)}: unknown export format; "
                     "name the output .jsonl, .jsonl.gz or .parquet")


_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(:\d{2})?)?")
_ISO_DATE = re.compile(ISO_DATE_PATTERN)
_LANGUAGE = re.compile(r"^[a-z]{2}$")


def date_key(value: str) -> str:
    """A sortable form of an ISO 8601 date or date-time: a date is its day's first second.

    The offset, when there is one, is ignored: dates compare as the local
    times the publications print.

    >>> date_key("2023-11-20"), date_key("2023-11-20T17:19"), date_key("2023-11-20T15:55:27+01:00")
    ('2023-11-20T00:00:00', '2023-11-20T17:19:00', '2023-11-20T15:55:27')
    """
    match = _DATE_TIME.match(value)
    if match is None:
        raise ValueError(f"not an ISO 8601 date: {value!r}")
    day, minutes, seconds = match.groups()
    return f"{day}T{minutes or '00:00'}{seconds or ':00'}"


def select(
    records: Iterable[Article], *, since: str | None = None, language: str | None = None,
    no_duplicates: bool = False,
) -> Iterator[Article]:
    """Keep the records that pass the export filters, lazily, in their order.

    ``since`` keeps records published at or after that ISO 8601 date or
    date-time (see :func:`date_key`); records with no ``published_at`` are
    left out when it is given. ``language`` keeps records in that ISO 639-1
    language (records with none are left out). ``no_duplicates`` leaves out
    records whose ``duplicate_of`` is set, so one record of each group stays.

    >>> from pipeline.schemadoc import EXAMPLE_RECORD as r
    >>> [len(list(select([r], since=s))) for s in ("2023-11-20", "2023-11-20T15:55:28")]
    [1, 0]
    >>> len(list(select([r], language="en"))), len(list(select([r], no_duplicates=True)))
    (0, 1)
    """
    if since is not None and not _ISO_DATE.match(since):
        raise UsageError(f"since {since!r} is not an ISO 8601 date; "
                         "write it like 2023-11-20 or 2023-11-20T15:55")
    if language is not None and not _LANGUAGE.match(language):
        raise UsageError(f"language {language!r} is not an ISO 639-1 code; "
                         "write two lower-case letters, like fr or en")
    since_key = date_key(since) if since is not None else None
    return _selected(records, since_key, language, no_duplicates)


def _selected(
    records: Iterable[Article], since_key: str | None, language: str | None, no_duplicates: bool
) -> Iterator[Article]:
    for record in records:
        if since_key is not None and (
            record.published_at is None or date_key(record.published_at) < since_key
        ):
            continue
        if language is not None and record.language != language:
            continue
        if no_duplicates and record.duplicate_of is not None:
            continue
        yield record


def export(
    clean_dir: str | os.PathLike[str], out_path: str | os.PathLike[str], *,
    since: str | None = None, language: str | None = None, no_duplicates: bool = False,
) -> int:
    """Write the records of a clean folder (in id order) to one export file; returns how many.

    The format follows ``out_path``'s extension (:func:`export_format`); the
    filters are those of :func:`select`. Any record source
    :func:`~pipeline.reader.read_records` accepts works as input, and an
    invalid record stops the export (raising
    :class:`~pipeline.reader.InvalidRecord`) with no output written.

    >>> import tempfile
    >>> from pipeline.schemadoc import EXAMPLE_RECORD
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / f"{EXAMPLE_RECORD.id}.json").write_text(EXAMPLE_RECORD.to_json(), "utf-8")
    >>> export(folder, folder / "_export" / "news.jsonl.gz", language="fr")
    1
    """
    fmt = export_format(out_path)
    if fmt is ExportFormat.PARQUET:
        require_pyarrow()
    records = select(read_records(clean_dir), since=since, language=language,
                     no_duplicates=no_duplicates)
    with _atomic_output(Path(out_path)) as temporary:
        if fmt is ExportFormat.PARQUET:
            return _write_parquet(records, temporary)
        with temporary.open("wb") as raw:
            if fmt is ExportFormat.JSONL:
                return _write_jsonl(records, raw)
            # no mtime and no file name in the header: same records, same bytes
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6,
                               mtime=0) as compressed:
                return _write_jsonl(records, compressed)


def _write_jsonl(records: Iterable[Article], stream: IO[bytes] | gzip.GzipFile) -> int:
    count = 0
    for record in records:
        # pydantic writes UTF-8, fields in schema order, no ASCII escapes
        stream.write(record.model_dump_json().encode("utf-8") + b"\n")
        count += 1
    return count


def _write_parquet(records: Iterable[Article], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for record in records:
            batch.append(record.model_dump(mode="json"))
            count += 1
            if len(batch) == PARQUET_ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch.clear()
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return count


@contextlib.contextmanager
def _atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it over ``path`` only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # a dot name: readers of a clean folder skip it if the export lands there
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # created with 0o666 minus the umask, like any new file (mkstemp would give 0o600)
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def arrow_schema() -> pa.Schema:
    """The Parquet schema of an export, derived field by field from :class:`Article`.

    >>> schema = arrow_schema()
    >>> [field.name for field in schema.field("source").type]
    ['path', 'sha256', 'format', 'encoding']
    >>> str(schema.field("repairs").type), schema.field("title").nullable
    ('map<string, int64>', True)
    """
    require_pyarrow()
    import pyarrow as pa

    return pa.schema(_arrow_fields(Article),
                     metadata={"newsclean.schema_version": SCHEMA_VERSION})


def _arrow_fields(model: type[BaseModel]) -> list[pa.Field]:
    import pyarrow as pa

    fields = []
    for name, info in model.model_fields.items():
        arrow_type, nullable = _arrow_type(info.annotation)
        metadata = {"description": info.description} if info.description else None
        fields.append(pa.field(name, arrow_type, nullable=nullable, metadata=metadata))
    return fields


def _arrow_type(annotation: Any) -> tuple[pa.DataType, bool]:
    """Arrow type of a model annotation, and whether it may be null."""
    import pyarrow as pa

    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [argument for argument in arguments if argument is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"no Parquet type for the union {annotation!r}")
        return _arrow_type(inner[0])[0], True
    if origin is list:
        return pa.list_(_arrow_type(arguments[0])[0]), False
    if origin is dict:
        return pa.map_(_arrow_type(arguments[0])[0], _arrow_type(arguments[1])[0]), False
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return pa.struct(_arrow_fields(annotation)), False
        if issubclass(annotation, Enum) or annotation is str:
            return pa.string(), False
        if annotation is bool:  # before int: bool is an int subclass
            return pa.bool_(), False
        if annotation is int:
            return pa.int64(), False
        if annotation is float:
            return pa.float64(), False
    raise TypeError(f"no Parquet type for {annotation!r}; add it to pipeline.export._arrow_type")
