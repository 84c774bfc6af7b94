"""The ``newsclean`` command: examples in every help, exit statuses, messages, imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline import state
from pipeline.cli import EXIT_LOCKED, cli, deployment_parameters
from pipeline.storage import LocalStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "raw").iterdir())


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_shows_an_example_in_its_help(name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0
    assert f"Example: newsclean {name}" in result.output


@pytest.mark.parametrize(("extra", "flags", "status"), [
    pytest.param(False, [], 0, id="all-handled"),
    pytest.param(True, [], 0, id="rejects-are-handled"),
    pytest.param(True, ["--strict"], 1, id="strict-with-rejects"),
    pytest.param(False, ["--strict"], 0, id="strict-without-rejects"),
])
def test_run_exit_status(raw: Path, tmp_path: Path, extra: bool, flags: list[str],
                         status: int) -> None:
    if extra:
        (raw / "empty.txt").write_bytes(b"")
    result = invoke("run", str(raw), str(tmp_path / "clean"), "--no-prefect", *flags)
    assert result.exit_code == status, result.output
    assert f"files {5 + extra}" in result.output
    if extra:
        assert "empty.txt: empty:" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["run", "{tmp}/missing", "{tmp}/clean", "--no-prefect"], "is not a folder"),
    (["run", "{raw}", "{raw}/clean", "--no-prefect"], "outside the raw one"),
    (["run", "{raw}", "{tmp}/clean", "--no-prefect", "--runner", "dask"], "need Prefect"),
    (["run", "{raw}", "{tmp}/clean", "--runner", "fast"], "'fast' is not one of"),
    (["run", "{raw}", "{tmp}/clean", "--batch-size", "0"], "x>=1"),
    (["serve", "{raw}", "{tmp}/clean", "--cron", "every day"], "not a cron expression"),
    (["clean", "{tmp}/missing.txt"], "cannot read"),
    (["export", "{raw}", "{tmp}/out.csv"], "name the output .jsonl"),
    (["export", "{raw}", "{tmp}/out.jsonl", "--since", "yesterday"], "write it like"),
])
def test_usage_errors_exit_2_and_say_how_to_fix(raw: Path, tmp_path: Path, args: list[str],
                                                message: str) -> None:
    filled = [a.format(tmp=tmp_path, raw=raw) for a in args]
    result = CliRunner().invoke(cli, filled)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_locked_clean_folder_exits_75_with_advice(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    with state.lock(LocalStore(clean)):
        result = CliRunner().invoke(cli, ["run", str(raw), str(clean), "--no-prefect"])
    assert result.exit_code == EXIT_LOCKED
    assert "another newsclean run" in result.output and "--wait" in result.output


def test_progress_is_plain_lines_off_a_terminal(raw: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", str(raw), str(tmp_path / "clean"),
                                      "--no-prefect"])
    assert "5 inputs: 0 unchanged, 5 to clean" in result.stderr
    assert "cleaned 5/5 inputs" in result.stderr
    assert "files 5  cleaned 5  unchanged 0  records written 5" in result.stdout
    quiet = CliRunner().invoke(cli, ["run", str(raw), str(tmp_path / "clean"), "--no-prefect",
                                     "-q"])
    assert quiet.output == ""


def test_prune_says_what_it_removed(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    invoke("run", str(raw), str(clean), "--no-prefect")
    (raw / SAMPLES[0].name).unlink()
    kept = invoke("run", str(raw), str(clean), "--no-prefect")
    assert "kept 1 records whose input is gone" in kept.output
    pruned = invoke("run", str(raw), str(clean), "--no-prefect", "--prune")
    assert f"pruned 1 records whose input is gone: {SAMPLES[0].stem}" in pruned.output
    assert invoke("validate", str(clean)).output.strip() == "4 records, 0 invalid"


def test_export_writes_the_records_of_a_run(raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    invoke("run", str(raw), str(clean), "--no-prefect", "-q")
    result = invoke("export", str(clean), str(tmp_path / "news.jsonl"))
    assert result.output.strip() == f"5 records written to {tmp_path / 'news.jsonl'}"
    lines = (tmp_path / "news.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == [s.stem for s in SAMPLES]


def test_clean_prints_one_record(tmp_path: Path) -> None:
    result = invoke("clean", str(SAMPLES[0]))
    assert json.loads(result.output)["id"] == SAMPLES[0].stem


def test_deployment_parameters_make_local_paths_absolute(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.chdir(tmp_path)
    params = deployment_parameters("raw", "s3://bucket/clean", runner="auto")
    assert params == {"raw": str(tmp_path / "raw"), "clean": "s3://bucket/clean",
                      "runner": "auto"}


_IMPORTS = """
import sys
from pipeline.cli import cli
cli.main({args!r}, standalone_mode=False)
print("PREFECT_LOADED" if any(m == "prefect" or m.startswith("prefect.") for m in sys.modules)
      else "PREFECT_ABSENT", file=sys.stderr)
"""


@pytest.mark.slow
@pytest.mark.parametrize(("args", "expected"), [
    (["clean", str(SAMPLES[0])], "PREFECT_ABSENT"),
    (["run", str(ROOT / "raw"), "{tmp}/clean", "--no-prefect", "-q"], "PREFECT_ABSENT"),
    (["schema"], "PREFECT_ABSENT"),
])
def test_the_library_and_clean_never_import_prefect(tmp_path: Path, args: list[str],
                                                    expected: str) -> None:
    filled = [a.format(tmp=tmp_path) for a in args]
    done = subprocess.run([sys.executable, "-c", _IMPORTS.format(args=filled)],
                          capture_output=True, text=True, cwd=tmp_path, check=True)
    assert done.stderr.strip().splitlines()[-1] == expected


def test_importing_the_library_does_not_import_prefect() -> None:
    code = ("import sys, pipeline.core, pipeline.run, pipeline.worker, pipeline.state, "
            "pipeline.storage, pipeline.read, pipeline.write; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('prefect', 'dask', 'distributed', 'fsspec')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_the_process_running_a_run_never_loads_the_cleaning_stages() -> None:
    # they load in the worker processes; the run's own process plans and marks duplicates
    code = ("import sys, pipeline.cli, pipeline.run, pipeline.dedup; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('numpy', 'trafilatura', 'lxml', 'ftfy', 'py3langid')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_cleaning_text_never_loads_trafilatura() -> None:
    # a worker that meets no HTML spares its import (~0.05 s) and memory; a page loads it
    code = ("import sys; from pipeline.core import clean_bytes; "
            "clean_bytes(open(sys.argv[1], 'rb').read(), path='a.txt'); "
            "print('trafilatura' in sys.modules, end=' '); "
            "clean_bytes(b'<html><body><p>' + b'Un texte. ' * 30 + b'</p></body></html>', "
            "path='a.html'); print('trafilatura' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(SAMPLES[0])], capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "False True"


def test_validate_lists_every_invalid_record_and_exits_1(tmp_path: Path) -> None:
    from tests.records import make_record

    clean = tmp_path / "clean"
    clean.mkdir()
    good = make_record("good")
    (clean / "good.json").write_text(good.to_json(), encoding="utf-8")
    (clean / "renamed.json").write_text(good.to_json(), encoding="utf-8")
    (clean / "broken.json").write_text('{"id": "broken"}', encoding="utf-8")
    (clean / "_rejects.jsonl").write_text("", encoding="utf-8")
    result = invoke("validate", str(clean))
    assert result.exit_code == 1
    assert "3 records, 2 invalid" in result.output
    assert "renamed.json" in result.output and "does not match the file name" in result.output
    assert "broken.json" in result.output and "source: Field required" in result.output
