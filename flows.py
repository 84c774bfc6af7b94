"""Prefect edge: the ``clean-scrapes`` flow over a raw folder.

The flow only sequences library calls: plan the inputs, clean them in mapped
batches (never one task per article), write the run files, publish a summary
artifact. ``python flows.py`` does what ``newsclean run raw clean`` does.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from prefect import flow, task, unmapped
from prefect.artifacts import create_table_artifact

from pipeline.config import Config, Typography
from pipeline.run import BatchResult, Planned, batches, clean_batch, combine, finish, plan


@task(name="plan-inputs", retries=2, retry_delay_seconds=1, persist_result=False)
def plan_inputs(raw: str) -> tuple[list[Planned], list[dict[str, Any]]]:
    """List the inputs (file-system I/O: retried)."""
    return plan(Path(raw))


@task(name="clean-batch", persist_result=False)
def clean_batch_task(batch: list[Planned], clean: str, config: Config) -> BatchResult:
    """Clean and write one batch of inputs."""
    return clean_batch(batch, Path(clean), config)


@task(name="write-run-files", retries=2, retry_delay_seconds=1, persist_result=False)
def write_run_files(clean: str, total: BatchResult, refused: list[dict[str, Any]],
                    config: Config) -> dict[str, Any]:
    """Write the rejects file; return the run summary."""
    return finish(Path(clean), total, refused, config)


@task(name="publish-summary", persist_result=False)
def publish_summary(summary: dict[str, Any]) -> None:
    """The summary as a table artifact: counts per removal and per reject reason."""
    rows = [{"kind": "removed", "reason": k, "count": v}
            for k, v in summary["removed_by_reason"].items()]
    rows += [{"kind": "rejected", "reason": k, "count": v}
             for k, v in summary["rejects_by_reason"].items()]
    create_table_artifact(key="clean-scrapes-summary", table=rows,
                          description=f"{summary['files']} files, {summary['records']} records, "
                                      f"{summary['rejects']} rejects")


@flow(name="clean-scrapes", log_prints=False)
def clean_scrapes(raw: str = "raw", clean: str = "clean", batch_size: int = 200,
                  typography: str = Typography.KEEP.value, ascii_fields: bool = False
                  ) -> dict[str, Any]:
    """Clean every input under ``raw`` into records under ``clean``."""
    config = Config(batch_size=batch_size, typography=Typography(typography),
                    ascii_fields=ascii_fields)
    Path(clean).mkdir(parents=True, exist_ok=True)
    planned, refused = plan_inputs(raw)
    futures = clean_batch_task.map(batches(planned, config.batch_size), unmapped(clean),
                                   unmapped(config))
    total = combine(future.result() for future in futures)
    summary = write_run_files(clean, total, refused, config)
    publish_summary(summary)
    return summary


if __name__ == "__main__":
    args = sys.argv[1:]
    clean_scrapes(*(args[:2]))
