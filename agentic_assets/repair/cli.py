"""`agentic-assets repair ASSET` and `agentic-assets proposals list|show|approve|reject`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from agentic_assets.settings import Settings

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (default: ./data or AGENTIC_DATA_DIR).")]
proposals_app = typer.Typer(help="Repair proposals: list, review, approve or reject.", no_args_is_help=True)


def _settings(data_dir: Path | None) -> Settings:
    if data_dir is not None:
        os.environ["AGENTIC_DATA_DIR"] = str(data_dir.resolve())
    return Settings.from_env()


def _console():  # noqa: ANN202
    from agentic_assets.cli.console import console

    return console


def repair(
    asset: Annotated[str, typer.Argument(help="The asset to diagnose and repair.")],
    model: Annotated[
        str | None, typer.Option("--model", help="Model setting (default: AGENTIC_MODEL or builtin).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Diagnose a failed asset, validate a fix in the sandbox and put it before the approval gate."""
    from agentic_assets.repair.review import review_markdown
    from agentic_assets.repair.service import start_repair

    settings = _settings(data_dir)
    record = start_repair(settings, asset, trigger="cli", model=model)
    _console().print(review_markdown(record), markup=False, highlight=False)
    if record.status == "awaiting_approval":
        _console().print(f"\nApprove with: agentic-assets proposals approve {record.repair_id} --approver NAME")
    raise typer.Exit(0 if record.status in ("awaiting_approval", "waiting_for_data", "promoted") else 1)


@proposals_app.command("list")
def list_proposals(
    status: Annotated[str | None, typer.Option("--status", help="awaiting_approval, promoted, escalated...")] = None,
    data_dir: DataDir = None,
) -> None:
    """Every repair, newest first."""
    from rich.table import Table

    from agentic_assets.repair.store import RepairStore

    table = Table(title="Repairs", title_justify="left")
    for col in ("id", "asset", "tier", "status", "category", "remediation", "opened"):
        table.add_column(col)
    for r in RepairStore.for_settings(_settings(data_dir)).list(status=status):
        cats = ", ".join(r.diagnosis.category) if r.diagnosis else "-"
        table.add_row(r.repair_id, r.asset, str(r.tier), r.status, cats, ", ".join(r.remediation),
                      r.opened_at.strftime("%Y-%m-%d %H:%M:%S"))  # fmt: skip
    _console().print(table)


@proposals_app.command("show")
def show(repair_id: str, data_dir: DataDir = None) -> None:
    """The alert, full trace, diagnosis, code diff, sandbox verdict and sample output of one repair."""
    from agentic_assets.repair.review import review_markdown
    from agentic_assets.repair.store import RepairStore

    record = RepairStore.for_settings(_settings(data_dir)).get(repair_id)
    if record is None:
        _console().print(f"no repair {repair_id}")
        raise typer.Exit(2)
    _console().print(review_markdown(record), markup=False, highlight=False)


@proposals_app.command("approve")
def approve_cmd(
    repair_id: str,
    approver: Annotated[str, typer.Option("--approver", help="Who approves (recorded in the audit log).")],
    sql_file: Annotated[Path | None, typer.Option("--sql-file", help="Approve a modified transform.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Approve (optionally with a modified transform, validated again) and promote."""
    from agentic_assets.repair.gate import GateError, approve

    settings = _settings(data_dir)
    modified = sql_file.read_text(encoding="utf-8") if sql_file else None
    try:
        record = approve(settings, repair_id, approver, modified_sql=modified)
    except (GateError, PermissionError) as err:
        _console().print(f"[red]{err}[/]")
        raise typer.Exit(1) from None
    # Waiting for late data is an approved repair in progress: the late_data_wait sensor finishes it.
    done = record.status in ("promoted", "waiting_for_data")
    color = "green" if done else "red"
    _console().print(f"[{color}]{record.repair_id}: {record.status}[/] (approved by {record.approved_by})")
    if record.status == "waiting_for_data":
        _console().print(record.decided_note or "")
    raise typer.Exit(0 if done else 1)


@proposals_app.command("reject")
def reject_cmd(
    repair_id: str,
    approver: Annotated[str, typer.Option("--approver", help="Who rejects (recorded in the audit log).")],
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Reject a proposal; the incident goes to a person."""
    from agentic_assets.repair.gate import GateError, reject

    try:
        record = reject(_settings(data_dir), repair_id, approver, note)
    except GateError as err:
        _console().print(f"[red]{err}[/]")
        raise typer.Exit(1) from None
    _console().print(f"{record.repair_id}: rejected by {approver}")


def register(app: typer.Typer) -> None:
    """Add `repair` and `proposals` to the main CLI."""
    app.command("repair")(repair)
    app.add_typer(proposals_app, name="proposals")
