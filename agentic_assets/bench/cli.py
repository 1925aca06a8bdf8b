"""`agentic-assets bench DIR [DIR ...] --out OUT [--model M] [--jobs N]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def category_table(results):  # noqa: ANN001, ANN201 - BenchResults -> rich Table (imported on use)
    """Per-category figures of one run, as `make bench` prints them."""
    from rich.table import Table

    from agentic_assets.bench.report import category_figures

    title = f"{results.split} split" if results.split else "incidents"
    table = Table(title=f"{title}: by category (model {results.model})", title_justify="left")
    for col in ("category", "incidents", "diagnosis", "proposal", "mean tool calls", "errors"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for row in category_figures(results):
        n = row.incidents
        table.add_row(
            row.category,
            str(n),
            f"{row.diagnosis_correct / n:.0%} ({row.diagnosis_correct}/{n})",
            f"{row.proposal_correct / n:.0%} ({row.proposal_correct}/{n})",
            "-" if row.mean_tool_calls is None else f"{row.mean_tool_calls:.1f}",
            str(row.errors),
        )
    return table


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)


def bench(
    dirs: Annotated[list[Path], typer.Argument(help="Incident folders, or folders of incident folders.")],
    out: Annotated[Path, typer.Option("--out", help="Where results.json, report.md and the chart go.")],
    model: Annotated[str, typer.Option("--model", help="The repair agent's model setting.")] = "builtin",
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Incidents replayed in parallel processes.")] = 1,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds one incident may take.")] = 300.0,
    split: Annotated[
        str | None, typer.Option("--split", help="Name of the set (tuned, held-out): its figures are reported apart.")
    ] = None,
) -> None:
    """Replay incidents through the repair agent, score them and write a report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from agentic_assets.bench.runner import DEFAULT_REPLAY, run_bench
    from agentic_assets.cli.console import console, err_console

    with Progress(
        TextColumn("[bold]bench"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
    ) as progress:
        task = progress.add_task("", total=None)

        def started(n: int) -> None:
            progress.update(task, total=n)

        def done(result) -> None:  # noqa: ANN001
            mark = "[green]✓[/]" if result.proposal_correct else ("[red]error[/]" if result.error else "[red]✗[/]")
            progress.update(task, advance=1, description=f"{mark} {result.id}")

        try:
            results = run_bench(
                dirs, out, model=model, jobs=jobs, timeout_s=timeout, replay=DEFAULT_REPLAY,
                on_start=started, on_result=done, split=split,
            )  # fmt: skip
        except (FileNotFoundError, ValueError) as err:
            err_console.print(f"[red]{err}[/]")
            raise typer.Exit(2) from None
    s = results.summary
    console.print(category_table(results))
    label = f"{split} split, " if split else ""
    console.print(
        f"{label}{s.incidents} incidents: diagnostic accuracy {s.diagnostic_accuracy:.1%}, proposal correctness "
        f"{s.proposal_correctness:.1%}, mean tool calls {s.mean_tool_calls}, p50 {s.p50_seconds_to_proposal}s, "
        f"p95 {s.p95_seconds_to_proposal}s"
    )
    console.print(f"results in {out / 'results.json'}, report in {out / 'report.md'}")
    wrong = [r.id for r in results.incidents if not (r.diagnosis_correct and r.proposal_correct)]
    # Exit 1 when any incident is scored wrong, so CI can gate on a subset.
    raise typer.Exit(1 if wrong else 0)
