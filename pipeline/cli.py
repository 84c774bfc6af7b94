"""The ``newsclean`` command: a thin layer over the library.

Prefect is imported only by ``newsclean run`` (without ``--no-prefect``) and
``newsclean serve``; ``newsclean clean FILE`` stays fast and never imports it.
Exit status: 0 done, 1 a failure the command reports (``--strict`` rejects,
invalid records), 2 a usage error, 75 another run holds the clean folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from pipeline import __version__
from pipeline.config import BATCH_SIZE, Config, Typography
from pipeline.errors import RejectedInput
from pipeline.record import Article, dump_json, json_schema

_TYPOGRAPHY = click.Choice([t.value for t in Typography])


def _config(typography: str, ascii_fields: bool, **run: Any) -> Config:
    """The config of one command from its options."""
    return Config(typography=Typography(typography), ascii_fields=ascii_fields, **run)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsclean")
def cli() -> None:
    """Turn raw scraped news articles into clean, normalised article records."""


_RUNNER = click.Choice(["auto", "thread", "process", "dask"])
# Exit status when another run holds CLEAN (sysexits' EX_TEMPFAIL: try again later).
EXIT_LOCKED = 75


def _run_options(f: Any) -> Any:
    """Options shared by ``run`` and ``serve``."""
    options = [
        click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1),
                     help="Inputs per mapped task."),
        click.option("--typography", type=_TYPOGRAPHY, default="keep", show_default=True),
        click.option("--ascii", "ascii_fields", is_flag=True,
                     help="Add title_ascii and body_ascii."),
        click.option("--runner", type=_RUNNER, default="auto", show_default=True,
                     help="thread: one cleaning process; process: one per core; auto: thread "
                          "for small runs, process for large ones; dask: a Dask cluster."),
        click.option("--dask-address", metavar="tcp://HOST:PORT",
                     help="Scheduler of a running Dask cluster (implies --runner dask)."),
        click.option("--workers", type=click.IntRange(1), default=None,
                     help="Cleaning processes for --runner process  [default: one per core]"),
        click.option("--follow-symlinks", is_flag=True,
                     help="Read links that point outside RAW instead of rejecting them."),
        click.option("--force", is_flag=True,
                     help="Clean every input again, even those unchanged since their records."),
        click.option("--prune", is_flag=True,
                     help="Delete records whose input is no longer in RAW (listed in the "
                          "summary)."),
        click.option("--wait", is_flag=True,
                     help="If another run is writing CLEAN, wait for it instead of refusing."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@cli.command()
@click.argument("raw", default="raw", type=str)
@click.argument("clean", default="clean", type=str)
@_run_options
@click.option("--no-prefect", is_flag=True, help="Run in this process, without Prefect.")
@click.option("--strict", is_flag=True, help="Exit 1 when any input was rejected.")
@click.option("--quiet", "-q", is_flag=True, help="No progress, no summary.")
def run(raw: str, clean: str, batch_size: int, typography: str, ascii_fields: bool, runner: str,
        dask_address: str | None, workers: int | None, follow_symlinks: bool, force: bool,
        prune: bool, wait: bool, no_prefect: bool, strict: bool, quiet: bool) -> None:
    """Clean every file under RAW into CLEAN/<id>.json, then print a summary.

    RAW and CLEAN are folders or fsspec URLs (s3://bucket/raw with the s3 extra).
    Inputs unchanged since their records were written are skipped; rejected
    inputs are listed in CLEAN/_rejects.jsonl, and the summary is kept in
    CLEAN/_runs/<run-id>.json. Exit status: 0 when every input was handled
    (rejects included), 1 with --strict when any input was rejected, 2 for a
    usage error, 75 when another run holds CLEAN.

    Example: newsclean run raw clean --runner process --strict
    """
    from pipeline.errors import UsageError
    from pipeline.run import Runner, run_local
    from pipeline.state import Locked

    kind = Runner.DASK if dask_address else Runner(runner)
    if no_prefect and kind is Runner.DASK:
        raise click.UsageError("--runner dask and --dask-address need Prefect: "
                               "drop --no-prefect")
    with _Progress(quiet) as progress:
        try:
            if no_prefect:
                config = _config(typography, ascii_fields, batch_size=batch_size,
                                 workers=workers)
                summary = run_local(raw, clean, config, runner=kind,
                                    follow_symlinks=follow_symlinks, force=force, prune=prune,
                                    wait=wait, progress=progress.advance,
                                    on_plan=progress.planned)
            else:
                summary = _run_flow(raw, clean, progress, batch_size=batch_size,
                                    typography=typography, ascii_fields=ascii_fields,
                                    runner=kind.value, dask_address=dask_address,
                                    workers=workers, follow_symlinks=follow_symlinks,
                                    force=force, prune=prune, wait=wait)
        except UsageError as err:
            raise click.UsageError(str(err)) from None
        except Locked as err:
            click.echo(f"Error: {err}", err=True)
            sys.exit(EXIT_LOCKED)
    if not quiet:
        click.echo(render_summary(summary))
    if strict and summary["rejects"]:
        sys.exit(1)


def _run_flow(raw: str, clean: str, progress: _Progress, **parameters: Any) -> dict[str, Any]:
    import os

    # The local server's usage reports only fail (and log an error) on machines
    # without internet access; a user's own setting wins.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    import flows

    flows.set_progress(progress.advance, progress.planned)
    try:
        state = flows.clean_scrapes(raw, clean, return_state=True, **parameters)
    finally:
        flows.set_progress(None)
    summary: dict[str, Any] = state.result()  # re-raises the flow's error, if any
    return summary


class _Progress:
    """A bar on a terminal, a plain line every few seconds otherwise (on stderr)."""

    _EVERY_SECONDS = 5.0

    def __init__(self, quiet: bool) -> None:
        import threading

        self.quiet = quiet
        self.done = 0
        self.total: int | None = None
        self.tty = sys.stderr.isatty()
        self._bar: Any = None
        self._lock = threading.Lock()
        self._last = 0.0

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.render_finish()

    def planned(self, the_plan: Any) -> None:
        self.total = len(the_plan.todo)
        if self.quiet:
            return
        click.echo(f"{len(the_plan.inputs)} inputs: {the_plan.unchanged} unchanged, "
                   f"{self.total} to clean", err=True)
        if self.tty and self.total:
            self._bar = click.progressbar(length=self.total, label="cleaning", file=sys.stderr)
            self._bar.render_progress()

    def advance(self, n: int) -> None:
        import time

        if self.quiet:
            return
        with self._lock:
            self.done += n
            if self._bar is not None:
                self._bar.update(n)
                return
            now = time.monotonic()
            if now - self._last >= self._EVERY_SECONDS or self.done == self.total:
                self._last = now
                of = f"/{self.total}" if self.total else ""
                click.echo(f"cleaned {self.done}{of} inputs", err=True)


def render_summary(summary: dict[str, Any]) -> str:
    """One screen: files, records, removed lines by reason, rejects, what changed in CLEAN."""
    lines = [f"files {summary['files']}  cleaned {summary['cleaned']}  "
             f"unchanged {summary['unchanged']}  records written {summary['records']}  "
             f"rejects {summary['rejects']}  ({summary['seconds']['total']:.1f} s, "
             f"run {summary['run_id']})"]
    if summary["removed_by_reason"]:
        lines.append("removed lines by reason:")
        lines += [f"  {k:<16} {v:>7}" for k, v in summary["removed_by_reason"].items()]
    if summary["rejected"]:
        lines.append("rejected inputs:")
        lines += [f"  {r}" for r in summary["rejected"][:20]]
        if len(summary["rejected"]) > 20:
            lines.append(f"  … and {len(summary['rejected']) - 20} more in _rejects.jsonl")
    if summary["pruned"]:
        lines.append(f"pruned {len(summary['pruned'])} records whose input is gone: "
                     + ", ".join(summary["pruned"][:10])
                     + (" …" if len(summary["pruned"]) > 10 else ""))
    if summary["kept_without_input"]:
        lines.append(f"kept {len(summary['kept_without_input'])} records whose input is gone "
                     "or now rejected (newsclean run --prune deletes them)")
    return "\n".join(lines)


@cli.command()
@click.argument("raw", default="raw", type=str)
@click.argument("clean", default="clean", type=str)
@click.option("--cron", default="*/15 * * * *", show_default=True,
              help="When to run, as a cron expression (UTC).")
@click.option("--name", default="newsclean", show_default=True, help="Deployment name.")
@_run_options
def serve(raw: str, clean: str, cron: str, name: str, batch_size: int, typography: str,
          ascii_fields: bool, runner: str, dask_address: str | None, workers: int | None,
          follow_symlinks: bool, force: bool, prune: bool, wait: bool) -> None:
    """Serve the clean-scrapes flow as a Prefect deployment that runs on a schedule.

    Runs until interrupted; each scheduled run cleans RAW into CLEAN like
    `newsclean run`. Point PREFECT_API_URL at a Prefect server to see the runs
    in its UI. Runs never overlap (deployment concurrency limit 1).

    Example: newsclean serve --cron "*/15 * * * *" raw clean
    """
    from pipeline.run import Runner

    try:
        from prefect.client.schemas.schedules import CronSchedule

        CronSchedule(cron=cron)
    except ValueError as err:
        raise click.BadParameter(f"{cron!r} is not a cron expression, e.g. '*/15 * * * *' "
                                 f"({err})", param_hint="--cron") from None
    import flows

    parameters = deployment_parameters(
        raw, clean, batch_size=batch_size, typography=typography, ascii_fields=ascii_fields,
        runner=(Runner.DASK if dask_address else Runner(runner)).value,
        dask_address=dask_address, workers=workers, follow_symlinks=follow_symlinks,
        force=force, prune=prune, wait=wait)
    flows.clean_scrapes.serve(name=name, cron=cron, parameters=parameters, global_limit=1)


def deployment_parameters(raw: str, clean: str, **options: Any) -> dict[str, Any]:
    """Flow parameters of a deployment: locations made absolute, so that runs find them."""
    from pipeline.storage import is_url

    def absolute(location: str) -> str:
        return location if is_url(location) else str(Path(location).resolve())

    return {"raw": absolute(raw), "clean": absolute(clean), **options}


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
    from pipeline.reader import check_records

    count, invalid = check_records(clean)
    for error in invalid:
        click.echo(str(error), err=True)
    click.echo(f"{count} records, {len(invalid)} invalid")
    if invalid:
        sys.exit(1)


@cli.command()
@click.argument("clean", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--since", metavar="DATE", help="Only records published on or after this ISO "
              "8601 date (records without a date are left out).")
@click.option("--language", metavar="CODE", help="Only records in this ISO 639-1 language.")
@click.option("--no-duplicates", is_flag=True, help="Leave out records marked as duplicates.")
def export(clean: Path, out: Path, since: str | None, language: str | None,
           no_duplicates: bool) -> None:
    """Write the records of CLEAN to OUT: .jsonl, .jsonl.gz or .parquet (by extension).

    Example: newsclean export clean news.parquet --since 2023-11-01 --language fr
    """
    from pipeline.errors import UsageError
    from pipeline.export import export as export_records
    from pipeline.reader import InvalidRecord

    try:
        count = export_records(clean, out, since=since, language=language,
                               no_duplicates=no_duplicates)
    except UsageError as err:
        raise click.UsageError(str(err)) from None
    except InvalidRecord as err:
        click.echo(f"Error: {err}; run `newsclean validate {clean}` to list every invalid "
                   "record", err=True)
        sys.exit(1)
    click.echo(f"{count} records written to {out}")


def main() -> None:
    """Console entry point."""
    cli()
