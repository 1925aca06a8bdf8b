"""Commands of the lineage package, registered on the main CLI: `agentic-assets lineage emit|flush|status`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from agentic_assets.cli.console import console, err_console
from agentic_assets.settings import Settings

lineage_app = typer.Typer(
    help="Lineage to DataHub: a REST GMS when DATAHUB_GMS_URL is set, else a file of proposals.",
    no_args_is_help=True,
)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (default: ./data or AGENTIC_DATA_DIR).")]
To = Annotated[
    str | None,
    typer.Option("--to", help="A DataHub GMS URL (http[s]://...) or a file path; default: the configured target."),
]


def _settings(data_dir: Path | None) -> Settings:
    return Settings.from_env(data_dir=data_dir.resolve()) if data_dir else Settings.from_env()


def load_hint(path: Path | str) -> str:
    """How to load a lineage file into a DataHub (printed after the file is written)."""
    return (
        f"Load it into a DataHub with a file-source recipe:\n"
        f"  source: {{type: file, config: {{path: {path}}}}}\n"
        f"  sink: {{type: datahub-rest, config: {{server: http://localhost:8080}}}}\n"
        f"then `datahub ingest -c recipe.yml`; or set DATAHUB_GMS_URL (and DATAHUB_GMS_TOKEN) and run "
        f"`agentic-assets lineage emit` to send it directly."
    )


@lineage_app.command()
def emit(to: To = None, data_dir: DataDir = None) -> None:
    """Emit every dataset, job, SQL, column edge and check of the project now."""
    from agentic_assets.lineage import emit_all
    from agentic_assets.specs.errors import SpecError
    from agentic_assets.specs.loader import load_project

    settings = _settings(data_dir)
    try:
        project = load_project(settings)
    except SpecError as err:
        err_console.print(f"[red]{err.render()}[/]", highlight=False)
        raise typer.Exit(2) from None
    report = emit_all(project, settings, to)
    if not report.ok:
        queued = f"; {report.pending} event(s) queued for `agentic-assets lineage flush`" if to is None else ""
        err_console.print(f"[red]lineage not delivered to {report.target}: {report.error}[/]{queued}")
        raise typer.Exit(1)
    console.print(f"[green]Lineage written[/]: {report.mcps} proposals to {report.target}")
    if not report.target.startswith(("http://", "https://")):
        console.print(load_hint(report.target), highlight=False)


@lineage_app.command()
def flush(to: To = None, data_dir: DataDir = None) -> None:
    """Send the queued lineage (runs recorded while DataHub was unreachable) to the target."""
    from agentic_assets.lineage.delivery import flush as flush_queue

    report = flush_queue(_settings(data_dir), to)
    if not report.ok:
        err_console.print(
            f"[red]delivery to {report.target} failed: {report.error}[/]; "
            f"{report.delivered} event(s) sent, {report.pending} still queued"
        )
        raise typer.Exit(1)
    console.print(
        f"{report.delivered} event(s), {report.mcps} proposals sent to {report.target}; {report.pending} queued"
    )
    if report.unreadable:
        err_console.print(f"[yellow]{report.unreadable} queued event(s) could not be read; see `lineage status`[/]")


@lineage_app.command()
def status(data_dir: DataDir = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Where lineage goes, and what is waiting in the queue."""

    from agentic_assets.lineage.queue import LineageQueue
    from agentic_assets.lineage.targets import GMS_URL_ENV, lineage_file

    settings = _settings(data_dir)
    state = LineageQueue.for_settings(settings).status()
    target = os.environ.get(GMS_URL_ENV) or str(lineage_file(settings))
    if as_json:
        print(state.model_dump_json(indent=2))
        return
    console.print(f"target: {target}", highlight=False)
    console.print(f"queue: {state.path} — {state.pending} pending, {state.delivered} delivered", highlight=False)
    if state.oldest:
        console.print(f"oldest pending: {state.oldest.isoformat()}")
    if state.last_delivered_at:
        console.print(f"last delivery: {state.last_delivered_at.isoformat()}")
    if state.last_error:
        console.print(f"[yellow]last error: {state.last_error}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this package's commands to `app`."""
    app.add_typer(lineage_app, name="lineage")
