"""The ``newsclean`` command: a thin layer over the library.

Prefect is imported only by ``newsclean run``; ``newsclean clean FILE`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from pipeline import __version__
from pipeline.config import Config, Typography
from pipeline.errors import RejectedInput
from pipeline.record import Article, dump_json, json_schema

_TYPOGRAPHY = click.Choice([t.value for t in Typography])


def _config(typography: str, ascii_fields: bool, **run: Any) -> Config:
    return Config(typography=Typography(typography), ascii_fields=ascii_fields, **run)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsclean")
def cli() -> None:
    """Turn raw scraped news articles into clean, normalised article records."""


@cli.command()
@click.argument("raw", default="raw", type=click.Path(file_okay=False, path_type=Path))
@click.argument("clean", default="clean", type=click.Path(file_okay=False, path_type=Path))
@click.option("--batch-size", default=200, show_default=True, help="Inputs per mapped task.")
@click.option("--typography", type=_TYPOGRAPHY, default="keep", show_default=True)
@click.option("--ascii", "ascii_fields", is_flag=True, help="Add title_ascii and body_ascii.")
@click.option("--no-prefect", is_flag=True, help="Run in this process, without Prefect.")
@click.option("--strict", is_flag=True, help="Exit 1 when any input was rejected.")
def run(raw: Path, clean: Path, batch_size: int, typography: str, ascii_fields: bool,
        no_prefect: bool, strict: bool) -> None:
    """Clean every file under RAW into CLEAN/<id>.json, then print a summary.

    Example: newsclean run raw clean
    """
    if not raw.is_dir():
        raise click.UsageError(f"{raw} is not a folder: give the folder of raw scrapes")
    if no_prefect:
        from pipeline.run import run_local

        summary = run_local(raw, clean, _config(typography, ascii_fields, batch_size=batch_size))
    else:
        from flows import clean_scrapes

        summary = clean_scrapes(str(raw), str(clean), batch_size, typography, ascii_fields)
    click.echo(render_summary(summary))
    if strict and summary["rejects"]:
        sys.exit(1)


def render_summary(summary: dict[str, Any]) -> str:
    """One screen: files, records, removed lines by reason, rejects."""
    lines = [f"files {summary['files']}  records {summary['records']}  "
             f"rejects {summary['rejects']}"]
    if summary["removed_by_reason"]:
        lines.append("removed lines by reason:")
        lines += [f"  {k:<16} {v:>7}" for k, v in summary["removed_by_reason"].items()]
    if summary["rejected"]:
        lines.append("rejected inputs:")
        lines += [f"  {r}" for r in summary["rejected"][:20]]
        if len(summary["rejected"]) > 20:
            lines.append(f"  … and {len(summary['rejected']) - 20} more in _rejects.jsonl")
    return "\n".join(lines)


@cli.command(name="clean")
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--typography", type=_TYPOGRAPHY, default="keep", show_default=True)
@click.option("--ascii", "ascii_fields", is_flag=True, help="Add title_ascii and body_ascii.")
def clean_command(file: str, typography: str, ascii_fields: bool) -> None:
    """Print the record of one FILE (or - for stdin) as JSON, without writing anything.

    An input holding several items (JSON Lines) prints a JSON array.

    Example: newsclean clean raw/000_b965d56c7d7fc914.txt
    """
    from pipeline.core import clean_bytes

    if file == "-":
        data, name = sys.stdin.buffer.read(), "stdin.txt"
    else:
        try:
            data, name = Path(file).read_bytes(), Path(file).name
        except OSError as err:
            raise click.UsageError(f"cannot read {file}: {err.strerror}") from err
    outcomes = clean_bytes(data, path=name, config=_config(typography, ascii_fields))
    records = [o.model_dump(mode="json") for o in outcomes if isinstance(o, Article)]
    for o in outcomes:
        if isinstance(o, RejectedInput):
            click.echo(f"rejected: {o}", err=True)
    if not records:
        sys.exit(1)
    click.echo(dump_json(records[0] if len(records) == 1 else records), nl=False)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of a record, generated from the model.

    Example: newsclean schema > article.schema.json
    """
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("clean", default="clean", type=click.Path(exists=True, file_okay=False,
                                                          path_type=Path))
def validate(clean: Path) -> None:
    """Check every record in CLEAN against the schema; exit 1 listing the failures.

    Example: newsclean validate clean
    """
    from pydantic import ValidationError

    failures: list[str] = []
    count = 0
    for path in sorted(clean.glob("*.json")):
        if path.name.startswith(("_", ".")):
            continue
        count += 1
        try:
            record = Article.model_validate_json(path.read_bytes())
            if record.id != path.stem:
                failures.append(f"{path.name}: id {record.id!r} does not match the file name")
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            failures.append(f"{path.name}: {where}: {first['msg']} ({err.error_count()} errors)")
    for failure in failures:
        click.echo(failure, err=True)
    click.echo(f"{count} records, {len(failures)} invalid")
    if failures:
        sys.exit(1)


def main() -> None:
    """Console entry point."""
    cli()
