"""`agentic-assets lineage emit|flush|status`, run in-process."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from agentic_assets.lineage.cli import register
from agentic_assets.lineage.targets import lineage_file
from agentic_assets.settings import Settings
from agentic_assets.specs.project import Project


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(lambda: None)  # a second command keeps `lineage` a sub-command group
    register(app)
    return app


def test_emit_writes_the_file_and_says_how_to_load_it(lineage_settings: Settings) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(lineage_settings.data_dir)]
    result = runner.invoke(_app(), ["lineage", "emit", *data])
    assert result.exit_code == 0, result.output
    path = lineage_file(lineage_settings)
    assert str(path) in result.output and "datahub ingest" in result.output
    assert json.loads(path.read_text())

    status = runner.invoke(_app(), ["lineage", "status", "--json", *data])
    assert status.exit_code == 0 and json.loads(status.output)["pending"] == 0

    flushed = runner.invoke(_app(), ["lineage", "flush", *data])
    assert flushed.exit_code == 0 and "0 event(s)" in flushed.output


def test_emit_to_an_unreachable_gms_fails_with_the_reason(lineage_settings: Settings, free_port: int) -> None:
    url = f"http://127.0.0.1:{free_port}"
    result = CliRunner().invoke(_app(), ["lineage", "emit", "--to", url, "--data-dir", str(lineage_settings.data_dir)])
    assert result.exit_code == 1
    assert "not delivered" in result.output and url in result.output


def test_the_flush_sensor_sends_what_is_queued(project: Project, lineage_settings: Settings) -> None:
    import dagster as dg

    from agentic_assets.lineage.queue import LineageQueue
    from agentic_assets.lineage.sensor import build_lineage_flush_sensor
    from agentic_assets.lineage.snapshot import project_event

    LineageQueue.for_settings(lineage_settings).put(project_event(project, lineage_settings))
    sensor = build_lineage_flush_sensor(lineage_settings)
    result = sensor.evaluate_tick(dg.build_sensor_context())
    assert "1 event(s) sent" in (result.skip_message or "")
    assert len(LineageQueue.for_settings(lineage_settings)) == 0
    assert lineage_file(lineage_settings).exists()
