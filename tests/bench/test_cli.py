"""`agentic-assets bench` as registered on a Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agentic_assets.bench import runner
from agentic_assets.bench.cli import register


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a second command keeps `bench` a subcommand
    register(app)
    return app


def test_bench_command_runs_scores_and_reports(app: typer.Typer, incidents: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(runner, "DEFAULT_REPLAY", "bench_fakes:retry")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["bench", str(incidents / "inc-a"), str(incidents / "inc-b"), "--out", str(out),
                                      "--jobs", "2", "--model", "builtin"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "diagnostic accuracy 100.0%" in result.output
    doc = json.loads((out / "results.json").read_text())
    assert [i["id"] for i in doc["incidents"]] == ["inc-a", "inc-b"]
    assert (out / "inc-a" / "output.parquet").is_file() and (out / "report.md").is_file()


def test_bench_exits_1_when_an_incident_is_scored_wrong(app: typer.Typer, incidents: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(runner, "DEFAULT_REPLAY", "bench_fakes:boom")
    result = CliRunner().invoke(app, ["bench", str(incidents / "inc-c"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output


def test_bench_exits_2_on_a_missing_folder(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bench", str(tmp_path / "missing"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
