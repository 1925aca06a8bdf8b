"""`agentic-assets audit verify|show`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agentic_assets.cli.console import console, err_console
from agentic_assets.settings import Settings

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (default: ./data or AGENTIC_DATA_DIR).")]


def _log(data_dir: Path | None):  # noqa: ANN202
    from agentic_assets.audit.log import audit_log_for

    if data_dir is not None:
        os.environ["AGENTIC_DATA_DIR"] = str(data_dir.resolve())
    return audit_log_for(Settings.from_env())


@audit_app.command("verify")
def verify(
    head: Annotated[
        str | None,
        typer.Option(
            "--head",
            help="A head hash kept outside the database (an earlier `verify`, a materialization's "
            "audit_head): the log must still hold that record, unchanged.",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Check the chain and its signed head; name every edited, removed or reordered record; exit 1 if any."""
    report = _log(data_dir).verify(anchor=head)
    if report.ok:
        signed = "signed head verified" if report.head_signed else "head not signed"
        anchored = ", the anchored head is in it" if head else ""
        console.print(f"[green]audit log intact:[/] {report.records} records, {signed}{anchored}")
        console.print(f"head {report.head}  (keep it: agentic-assets audit verify --head HASH)", highlight=False)
        return
    for p in report.problems:
        err_console.print(f"[red]{p.kind}:[/] {p.message}", highlight=False)
    raise typer.Exit(1)


@audit_app.command("show")
def show(
    asset: Annotated[str | None, typer.Option("--asset", help="Only this asset's records.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only records of this kind.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="The last N records.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print full records as JSON lines.")] = False,
    data_dir: DataDir = None,
) -> None:
    """The latest records, oldest first."""
    records = _log(data_dir).records(asset=asset, kind=kind)[-limit:]
    if as_json:
        for r in records:
            print(r.model_dump_json())
        return
    table = Table("seq", "time", "kind", "actor", "asset", "payload", "hash")
    for r in records:
        payload = json.dumps({k: v for k, v in r.payload.items() if k != "sql"}, default=str)
        table.add_row(
            str(r.seq),
            r.ts.isoformat(timespec="seconds"),
            r.kind,
            r.actor,
            r.asset or "",
            payload[:100] + ("…" if len(payload) > 100 else ""),
            r.hash[:12],
        )
    console.print(table)
