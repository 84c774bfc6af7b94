"""The Prefect flow ``clean-scrapes``: tasks as plain functions, then real runs on a test server.

The task functions are called with ``.fn()`` (fast). The rest runs under one
``prefect_test_harness`` (a temporary Prefect server and database): a flow run
in threads, one on a local Dask cluster, one with raw and clean on a local S3
server (moto), and ``newsclean serve`` creating its deployment.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import flows
from pipeline.config import DEFAULT_CONFIG
from pipeline.run import Runner, combine, run_local
from pipeline.storage import open_store
from pipeline.worker import close_pools

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "raw").iterdir())


def records(clean: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(clean.glob("*.json"))}


@pytest.fixture
def raw(raw: Path) -> Path:
    """The shared sample folder, plus an empty input."""
    (raw / "empty.txt").write_bytes(b"")
    return raw


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Records of the samples made in this process, without Prefect."""
    base = tmp_path_factory.mktemp("reference")
    run_local(str(ROOT / "raw"), str(base / "clean"))
    return records(base / "clean")


# ---------------------------------------------------------------- tasks as functions


def test_retries_only_on_storage_tasks_and_no_persisted_results() -> None:
    assert flows.plan_inputs.retries == 2
    assert flows.write_run_files.retries == 2
    assert flows.clean_batch_task.retries == 0
    assert flows.publish_summary.retries == 0
    for task in (flows.plan_inputs, flows.clean_batch_task, flows.write_run_files,
                 flows.publish_summary):
        assert task.persist_result is False


def test_the_tasks_called_as_functions_make_a_run(raw: Path, tmp_path: Path,
                                                  reference: dict[str, bytes]) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    plan = flows.plan_inputs.fn(str(raw), str(clean), DEFAULT_CONFIG, False, False)
    assert len(plan.todo) == 6
    result = flows.clean_batch_task.fn(plan.todo, str(raw), str(clean), DEFAULT_CONFIG,
                                       "test-run", 0, 1)
    summary = flows.write_run_files.fn(str(raw), str(clean), plan, combine([result]),
                                       DEFAULT_CONFIG, "test-run", time.perf_counter(), False,
                                       Runner.THREAD, 1)
    assert (summary["files"], summary["records"], summary["rejects"]) == (6, 5, 1)
    assert records(clean) == reference


@pytest.mark.parametrize(("runner", "address", "kind"), [
    (Runner.THREAD, None, "ThreadPoolTaskRunner"),
    (Runner.PROCESS, None, "ThreadPoolTaskRunner"),
    (Runner.DASK, None, "DaskTaskRunner"),
    (Runner.DASK, "tcp://127.0.0.1:8786", "DaskTaskRunner"),
])
def test_task_runner_by_option(runner: Runner, address: str | None, kind: str) -> None:
    made = flows.task_runner(runner, 2, address)
    assert type(made).__name__ == kind
    if address:
        assert made.address == address  # type: ignore[attr-defined]


# ---------------------------------------------------------------- real runs


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[str]:
    """A temporary Prefect server; yields its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with prefect_test_harness(server_startup_timeout=120):
        yield str(PREFECT_API_URL.value())


@pytest.mark.slow
def test_a_flow_run_writes_the_same_records_and_a_summary_artifact(
        prefect_server: str, raw: Path, tmp_path: Path, reference: dict[str, bytes]) -> None:
    from prefect.client.orchestration import get_client

    clean = tmp_path / "clean"
    summary = flows.clean_scrapes(str(raw), str(clean), batch_size=2)
    assert (summary["files"], summary["records"], summary["rejects"]) == (6, 5, 1)
    assert records(clean) == reference
    assert json.loads((clean / "_runs" / f"{summary['run_id']}.json").read_text()) == summary
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts()[0]
    assert artifact.key == "clean-scrapes-summary"
    assert summary["run_id"] in (artifact.description or "")
    again = flows.clean_scrapes(str(raw), str(clean))
    assert (again["cleaned"], again["unchanged"]) == (0, 6)


@pytest.mark.slow
def test_a_flow_run_on_a_dask_cluster_writes_the_same_records(
        prefect_server: str, raw: Path, tmp_path: Path, reference: dict[str, bytes]) -> None:
    from distributed import LocalCluster

    clean = tmp_path / "clean"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        summary = flows.clean_scrapes(str(raw), str(clean), batch_size=2,
                                      dask_address=cluster.scheduler_address)
    assert summary["runner"] == "dask"
    assert (summary["files"], summary["records"], summary["rejects"]) == (6, 5, 1)
    assert records(clean) == reference


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A local S3 server (moto); yields an s3fs file system talking to it."""
    import fsspec
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    options = {"endpoint_url": f"http://127.0.0.1:{port}", "skip_instance_cache": True}
    monkeypatch.setitem(fsspec.config.conf, "s3", options)
    # worker processes read and write the files themselves: they configure fsspec
    # from the environment when they import it
    monkeypatch.setenv("FSSPEC_S3", json.dumps(options))
    close_pools()  # workers started before now have the environment of before
    open_store.cache_clear()
    try:
        yield fsspec.filesystem("s3")
    finally:
        close_pools()
        open_store.cache_clear()
        server.stop()


@pytest.mark.slow
def test_a_flow_run_reads_and_writes_s3(prefect_server: str, s3: Any,
                                        reference: dict[str, bytes]) -> None:
    s3.mkdir("news")
    for sample in SAMPLES:
        s3.pipe_file(f"news/raw/{sample.name}", sample.read_bytes())
    summary = flows.clean_scrapes("s3://news/raw", "s3://news/clean")
    assert (summary["files"], summary["records"], summary["rejects"]) == (5, 5, 0)
    written = {p.rsplit("/", 1)[-1]: s3.cat_file(p) for p in s3.ls("news/clean")
               if p.endswith(".json")}
    assert written == reference
    assert s3.exists(f"news/clean/_runs/{summary['run_id']}.json")
    again = flows.clean_scrapes("s3://news/raw", "s3://news/clean")
    assert (again["cleaned"], again["unchanged"]) == (0, 5)


@pytest.mark.slow
def test_serve_creates_a_scheduled_deployment_with_the_run_parameters(
        prefect_server: str, raw: Path, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client

    env = {**os.environ, "PREFECT_API_URL": prefect_server}
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", "serve",
               str(raw), str(tmp_path / "clean"), "--cron", "*/15 * * * *",
               "--name", "serve-test", "--batch-size", "50", "--runner", "process"]
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deployment = None
        deadline = time.monotonic() + 90
        with get_client(sync_client=True) as client:
            while deployment is None and time.monotonic() < deadline:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                try:
                    deployment = client.read_deployment_by_name("clean-scrapes/serve-test")
                except Exception:
                    time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert deployment is not None, "no deployment within 90 s"
    assert [s.schedule.cron for s in deployment.schedules] == ["*/15 * * * *"]  # type: ignore[union-attr]
    assert deployment.parameters["raw"] == str(raw)
    assert deployment.parameters["clean"] == str(tmp_path / "clean")
    assert deployment.parameters["batch_size"] == 50
    assert deployment.parameters["runner"] == "process"
