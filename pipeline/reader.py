"""Read article records back: from a clean folder or an export, always validated.

Downstream code should never parse the JSON by hand: :func:`read_records`
yields :class:`~pipeline.record.Article` values, checked against the schema,
from any place newsclean writes records to.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.errors import NewscleanError, UsageError
from pipeline.record import Article

log = logging.getLogger(__name__)

# Rows per Parquet batch read: bounds memory whatever the file size.
PARQUET_READ_ROWS = 1024


class InvalidRecord(NewscleanError):
    """A stored record that does not follow the schema; names the file (and line).

    >>> str(InvalidRecord("clean/a.json", "word_count: Field required"))
    'clean/a.json: not a valid record: word_count: Field required'
    """

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: not a valid record: {message}")


class MissingDependency(NewscleanError):
    """An optional dependency a feature needs is not installed; says what to install."""


def require_pyarrow() -> None:
    """Fail with install advice when pyarrow, the optional Parquet dependency, is missing.

    >>> require_pyarrow()  # pyarrow is part of the test extras
    """
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError as error:
        raise MissingDependency(
            "Parquet needs pyarrow, an optional dependency: "
            "pip install 'newsclean[parquet]' (or export to .jsonl / .jsonl.gz)"
        ) from error


class OnInvalid(str, Enum):
    """What :func:`read_records` does with a record that fails validation."""

    RAISE = "raise"  # stop with InvalidRecord: the default, nothing is silently lost
    SKIP = "skip"  # log a warning and go on with the next record


class SourceKind(str, Enum):
    """The places records are read from, recognised by :func:`source_kind`."""

    FOLDER = "folder"  # a clean folder: one <id>.json per record
    RECORD = "record"  # a single <id>.json file
    JSONL = "jsonl"  # JSON Lines export, one record per line
    JSONL_GZ = "jsonl.gz"  # the same, gzip-compressed
    PARQUET = "parquet"  # Parquet export (needs pyarrow)


# (suffix, kind) checked in order: ".jsonl.gz" before any shorter suffix
_SUFFIXES = ((".jsonl.gz", SourceKind.JSONL_GZ), (".jsonl", SourceKind.JSONL),
             (".parquet", SourceKind.PARQUET), (".json", SourceKind.RECORD))


def source_kind(path: str | os.PathLike[str]) -> SourceKind:
    """Tell what kind of record source a path is: a folder, or a file by its extension.

    >>> source_kind("export/news.jsonl.gz").value
    'jsonl.gz'
    >>> source_kind("notes.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    pipeline.errors.UsageError: notes.csv: unknown record source; give a clean folder or ...
    """
    if Path(path).is_dir():
        return SourceKind.FOLDER
    name = Path(path).name.lower()
    for suffix, kind in _SUFFIXES:
        if name.endswith(suffix):
            return kind
    raise UsageError(f"{os.fspath(path)}: unknown record source; give a clean folder or a "
                     ".json, .jsonl, .jsonl.gz or .parquet file")


def is_record_name(name: str) -> bool:
    """Whether a file name in a clean folder is a record (``<id>.json``, not ``_…`` or ``.…``).

    >>> [is_record_name(n) for n in ("000_b965.json", "_rejects.jsonl", ".tmp.json", "notes.txt")]
    [True, False, False, False]
    """
    return name.endswith(".json") and not name.startswith(("_", "."))


def read_records(
    source: str | os.PathLike[str], *, errors: OnInvalid | str = OnInvalid.RAISE
) -> Iterator[Article]:
    """Yield the validated records of a clean folder (sorted by id) or of an export file.

    ``source`` is a clean folder (its ``<id>.json`` files; names starting with
    ``_`` or ``.`` and other files are not records and are skipped), one
    ``.json`` record, or an export: ``.jsonl``, ``.jsonl.gz`` or ``.parquet``
    (in the order it was written). Records are read one at a time, so memory
    stays flat on any size. An invalid record raises :class:`InvalidRecord`
    naming the file (and line), or is logged and skipped with
    ``errors="skip"``. A record file whose name is not ``<its id>.json`` is
    invalid.

    Typical use::

        from pipeline import read_records

        for article in read_records("clean"):
            print(article.id, article.published_at, article.title)

    >>> import tempfile
    >>> from pipeline.schemadoc import EXAMPLE_RECORD
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / f"{EXAMPLE_RECORD.id}.json").write_text(EXAMPLE_RECORD.to_json(), "utf-8")
    >>> _ = (folder / "_rejects.jsonl").write_text("", "utf-8")
    >>> [article.title for article in read_records(folder)]
    ['Sam Altman : l’affaire qui secoue OpenAI en cinq actes']
    """
    return _validated(_documents(source), OnInvalid(errors))


def check_records(source: str | os.PathLike[str]) -> tuple[int, list[InvalidRecord]]:
    """How many records ``source`` holds (as :func:`read_records` reads it) and which
    of them are invalid, all of them rather than the first.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.json").write_text('{"id": "a"}', "utf-8")
    >>> count, invalid = check_records(folder)
    >>> count, invalid[0].where.endswith("a.json")
    (1, True)
    """
    count, invalid = 0, []
    for where, data, expected_id in _documents(source):
        count += 1
        try:
            _validate(where, data, expected_id)
        except InvalidRecord as error:
            invalid.append(error)
    return count, invalid


def _documents(source: str | os.PathLike[str]) -> Iterable[_Document]:
    """The documents of a clean folder or export file, for validation."""
    kind = source_kind(source)
    path = Path(source)
    # checked now, not at the first next(): a wrong path fails where it is given
    if kind is not SourceKind.FOLDER and not path.is_file():
        raise UsageError(f"{path}: no such file or folder")
    documents: Iterable[_Document]
    if kind is SourceKind.PARQUET:
        require_pyarrow()
        documents = _parquet_rows(path)
    elif kind is SourceKind.FOLDER:
        documents = _folder_documents(path)
    elif kind is SourceKind.RECORD:
        documents = [(str(path), path.read_bytes(), path.stem)]
    else:
        documents = _jsonl_documents(path, compressed=kind is SourceKind.JSONL_GZ)
    return documents


# A document to validate: where it is (for errors), its JSON text or parsed
# row, and the id its file name requires (None when the name says nothing).
_Document = tuple[str, "bytes | dict[str, Any]", "str | None"]


def _validated(documents: Iterable[_Document], policy: OnInvalid) -> Iterator[Article]:
    """Validate documents into records, raising or skipping the invalid ones."""
    for where, data, expected_id in documents:
        try:
            record = _validate(where, data, expected_id)
        except InvalidRecord as error:
            if policy is OnInvalid.RAISE:
                raise
            log.warning("skipped %s", error)
            continue
        yield record


def _validate(where: str, data: bytes | dict[str, Any], expected_id: str | None) -> Article:
    try:
        if isinstance(data, bytes):
            record = Article.model_validate_json(data)
        else:
            record = Article.model_validate(data)
    except ValidationError as error:
        raise InvalidRecord(where, _describe(error)) from error
    if expected_id is not None and record.id != expected_id:
        raise InvalidRecord(where, f"id {record.id!r} does not match the file name; "
                                   f"a record is stored as '<id>.json'")
    return record


def _describe(error: ValidationError) -> str:
    """One line per problem, as 'field.path: message', without pydantic's URLs."""
    problems = []
    for item in error.errors(include_url=False):
        location = ".".join(str(part) for part in item["loc"]) or "record"
        problems.append(f"{location}: {item['msg']}")
    return "; ".join(problems)


def _folder_documents(folder: Path) -> Iterator[_Document]:
    # names only are held in memory (100k names is a few MB); records one by one
    names = sorted((entry.name for entry in os.scandir(folder)
                    if is_record_name(entry.name) and entry.is_file()),
                   key=lambda name: name[: -len(".json")])
    for name in names:
        path = folder / name
        yield str(path), path.read_bytes(), name[: -len(".json")]


_BLANK = re.compile(rb"\s*")


def _jsonl_documents(path: Path, *, compressed: bool) -> Iterator[_Document]:
    try:
        with (gzip.open(path, "rb") if compressed else path.open("rb")) as stream:
            for number, line in enumerate(stream, start=1):
                if not _BLANK.fullmatch(line):
                    yield f"{path}:{number}", line, None
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise InvalidRecord(str(path), f"the gzip stream is corrupt or truncated ({error}); "
                                       "export it again") from error


def _parquet_rows(path: Path) -> Iterator[_Document]:
    # pyarrow is optional: imported here, after require_pyarrow() said it is there
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    # Arrow gives map columns (repairs) as lists of (key, value) pairs
    maps = [field.name for field in parquet.schema_arrow if pa.types.is_map(field.type)]
    number = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_READ_ROWS):
        for row in batch.to_pylist():
            number += 1
            for name in maps:
                if isinstance(row.get(name), list):
                    row[name] = dict(row[name])
            yield f"{path}:row {number}", row, None
