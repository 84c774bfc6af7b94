"""Prefect edge: the ``clean-scrapes`` flow over a raw folder.

The flow only sequences library calls: take the run lock, plan the inputs,
clean them in mapped batches (never one task per article) on the task runner
the ``runner`` parameter names, write the run files, publish a summary
artifact. Only the tasks that touch storage between batches (planning, the run
files) are retried; results are never persisted per article.
``python flows.py [RAW] [CLEAN]`` does what ``newsclean run RAW CLEAN`` does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from prefect import flow, task, unmapped
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from pipeline.config import BATCH_SIZE, Config, Typography
from pipeline.run import (
    BatchResult,
    Plan,
    Planned,
    Runner,
    clean_batch,
    combine,
    finish,
    plan,
    prepared_run,
)

# The CLI's progress display: told the plan, then the inputs each finished batch covered.
_on_plan: Callable[[Plan], None] | None = None
_progress: Callable[[int], None] | None = None


def set_progress(progress: Callable[[int], None] | None,
                 on_plan: Callable[[Plan], None] | None = None) -> None:
    """Report the plan to ``on_plan`` and finished inputs to ``progress`` (None: stop)."""
    global _progress, _on_plan
    _progress, _on_plan = progress, on_plan


@task(name="plan-inputs", retries=2, retry_delay_seconds=1, persist_result=False,
      cache_policy=NO_CACHE)
def plan_inputs(raw: str, clean: str, config: Config, follow_symlinks: bool, force: bool) -> Plan:
    """List the inputs and find the unchanged ones (storage I/O: retried)."""
    return plan(raw, clean, config, follow_symlinks=follow_symlinks, force=force)


@task(name="clean-batch", persist_result=False, cache_policy=NO_CACHE)
def clean_batch_task(batch: list[Planned], raw: str, clean: str, config: Config, run_id: str,
                     index: int, workers: int) -> BatchResult:
    """Clean and write one batch of inputs (not retried: a bad input is a reject, not an error)."""
    return clean_batch(batch, raw, clean, config, run_id=run_id, index=index, workers=workers)


@task(name="write-run-files", retries=2, retry_delay_seconds=1, persist_result=False,
      cache_policy=NO_CACHE)
def write_run_files(raw: str, clean: str, the_plan: Plan, total: BatchResult, config: Config,
                    run_id: str, started: float, prune: bool, runner: Runner, workers: int
                    ) -> dict[str, Any]:
    """Settle id clashes, merge the manifest, write the rejects file and the run summary
    (storage I/O: retried)."""
    return finish(raw, clean, the_plan, total, config, run_id=run_id, started=started,
                  prune=prune, runner=runner, workers=workers)


@task(name="publish-summary", persist_result=False, cache_policy=NO_CACHE)
def publish_summary(summary: dict[str, Any]) -> None:
    """The summary as a table artifact: counts per removal and per reject reason."""
    rows = [{"kind": "removed", "reason": k, "count": v}
            for k, v in summary["removed_by_reason"].items()]
    rows += [{"kind": "rejected", "reason": k, "count": v}
             for k, v in summary["rejects_by_reason"].items()]
    create_table_artifact(
        key="clean-scrapes-summary", table=rows,
        description=f"run {summary['run_id']}: {summary['files']} files, {summary['cleaned']} "
                    f"cleaned, {summary['unchanged']} unchanged, {summary['records']} records "
                    f"written, {summary['rejects']} rejected")


def task_runner(runner: Runner, workers: int, dask_address: str | None = None) -> TaskRunner[Any]:
    """The Prefect task runner for the batches of one run."""
    if runner is Runner.DASK:
        from prefect_dask import DaskTaskRunner  # optional extra: newsclean[dask]

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1})
    return ThreadPoolTaskRunner(max_workers=workers)


@flow(name="clean-scrapes", log_prints=False)
def clean_scrapes(raw: str = "raw", clean: str = "clean", batch_size: int = BATCH_SIZE,
                  typography: str = Typography.KEEP.value, ascii_fields: bool = False,
                  runner: str = Runner.AUTO.value, dask_address: str | None = None,
                  workers: int | None = None, follow_symlinks: bool = False, force: bool = False,
                  prune: bool = False, wait: bool = False) -> dict[str, Any]:
    """Clean every input under ``raw`` (a path or fsspec URL) into records under ``clean``."""
    config = Config(batch_size=batch_size, typography=Typography(typography),
                    ascii_fields=ascii_fields, workers=workers)
    kind = Runner.DASK if dask_address else Runner(runner)
    with prepared_run(raw, clean, config, runner=kind, follow_symlinks=follow_symlinks,
                      force=force, wait=wait, on_plan=_on_plan, plan_inputs=plan_inputs) as run:
        results: list[BatchResult] = []
        if run.batches:
            with task_runner(kind, run.workers, dask_address) as runner_:
                futures = runner_.map(clean_batch_task, {  # type: ignore[arg-type]
                    # quoted for a runner in this process: Prefect would otherwise look
                    # into every input of every batch for futures to wait on (~1 s of CPU
                    # per 10,000 inputs); with Dask's runner the task would get the wrapper
                    "batch": (run.batches if kind is Runner.DASK
                              else [quote(b) for b in run.batches]),
                    "raw": unmapped(raw), "clean": unmapped(clean),
                    "config": unmapped(config), "run_id": unmapped(run.run_id),
                    "index": list(range(len(run.batches))),
                    # on a cluster each machine runs one worker process per core
                    "workers": unmapped(0 if kind is Runner.DASK else run.workers)})
                for future in as_completed(list(futures)):
                    results.append(future.result())
                    if _progress is not None:
                        _progress(results[-1].files)
        summary = write_run_files(  # type: ignore[call-overload]  # quoted: passed as they are
            raw, clean, quote(run.plan), quote(combine(results)), config, run.run_id,
            run.started, prune, kind, run.workers)
    publish_summary(summary)
    return summary


if __name__ == "__main__":
    clean_scrapes(*sys.argv[1:3])  # type: ignore[call-overload]
