"""Materialize assets headless through Dagster, with progress output and a closing summary table."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import dagster as dg
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from agentic_assets.assets import factory
from agentic_assets.cli.console import console

STAGES = ["read", "transform", "stage", "audit", "publish", "done"]
# Run config that keeps Dagster's DEBUG/INFO event lines out of the terminal of a headless run: the
# events still go to the instance's event log (what `make dev` shows); errors are still printed.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
# For a run that is meant to fail (the demo's repair story tells the failure in its own words).
SILENT_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class AssetSummary:
    asset: str
    table_format: str = ""
    rows: int | None = None
    checks_passed: int = 0
    checks_failed: int = 0
    seconds: float = 0.0
    status: str = "not run"


@dataclass
class RunSummary:
    success: bool
    assets: list[AssetSummary] = field(default_factory=list)
    seconds: float = 0.0


def materialize_headless(
    defs: dg.Definitions, asset_names: list[str], instance: dg.DagsterInstance, formats: dict[str, str]
) -> RunSummary:
    """Run the selected assets in one Dagster run (in-process executor), drawing per-asset progress."""
    started = time.perf_counter()
    assets_defs = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]
    selection = [dg.AssetKey(n) for n in asset_names]
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[asset]:<36}"),
        BarColumn(bar_width=24),
        TextColumn("{task.fields[stage]:<10}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks = {n: progress.add_task("", total=len(STAGES), asset=n, stage="waiting") for n in asset_names}

        def on_progress(asset: str, stage: str) -> None:
            if asset in tasks:
                progress.update(tasks[asset], completed=STAGES.index(stage) + 1, stage=stage)

        factory.progress_hook = on_progress
        try:
            result = dg.materialize(
                assets_defs,
                selection=selection,
                instance=instance,
                raise_on_error=False,
                run_config=QUIET_CONSOLE,
            )
        finally:
            factory.progress_hook = None
        failed = _failed_steps(result)
        for name, task in tasks.items():
            if progress.tasks[task].fields["stage"] != "done":
                progress.update(task, stage="[red]failed" if name in failed else "[yellow]skipped")
    return _summarize(result, asset_names, formats, time.perf_counter() - started)


def _failed_steps(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.step_key for e in result.all_events if e.is_step_failure and e.step_key}


def _summarize(
    result: dg.ExecuteInProcessResult, names: list[str], formats: dict[str, str], seconds: float
) -> RunSummary:
    rows = {n: AssetSummary(asset=n, table_format=formats.get(n, "")) for n in names}
    for event in result.get_asset_materialization_events():
        name = event.asset_key.to_user_string()
        if name in rows:
            meta = event.materialization.metadata
            rows[name].rows = meta["dagster/row_count"].value if "dagster/row_count" in meta else None
            rows[name].seconds = float(meta["seconds"].value) if "seconds" in meta else 0.0
            rows[name].status = "published"
    for evaluation in result.get_asset_check_evaluations():
        name = evaluation.asset_key.to_user_string()
        if name in rows:
            if evaluation.passed:
                rows[name].checks_passed += 1
            else:
                rows[name].checks_failed += 1
    failed = _failed_steps(result)
    for name, row in rows.items():
        if row.status != "published":
            row.status = "failed" if name in failed or row.checks_failed else "skipped"
    return RunSummary(success=result.success, assets=list(rows.values()), seconds=seconds)


def summary_table(summary: RunSummary) -> Table:
    table = Table(title="Materialization summary", title_justify="left")
    for col, justify in (
        ("asset", "left"),
        ("format", "left"),
        ("rows", "right"),
        ("checks passed", "right"),
        ("checks failed", "right"),
        ("seconds", "right"),
        ("status", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for a in summary.assets:
        style = {"published": "green", "failed": "red"}.get(a.status, "yellow")
        table.add_row(
            a.asset,
            a.table_format,
            f"{a.rows:,}" if a.rows is not None else "-",
            str(a.checks_passed),
            str(a.checks_failed),
            f"{a.seconds:.2f}",
            f"[{style}]{a.status}[/]",
        )
    return table
