"""The `agentic-assets` command line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from agentic_assets.bench import cli as bench_cli
from agentic_assets.cli.console import console, err_console
from agentic_assets.codegen import cli as codegen_cli
from agentic_assets.lineage import cli as lineage_cli
from agentic_assets.repair import cli as repair_cli
from agentic_assets.review_app import cli as review_cli
from agentic_assets.settings import Settings
from agentic_assets.specs.errors import SpecError
from sandbox_runtime.cli import sandbox_app

app = typer.Typer(
    help="agentic-assets: data assets written and repaired by agents, safely.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.add_typer(sandbox_app, name="sandbox")

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (default: ./data or AGENTIC_DATA_DIR).")]


def _settings(data_dir: Path | None) -> Settings:
    if data_dir is not None:
        os.environ["AGENTIC_DATA_DIR"] = str(data_dir.resolve())
    return Settings.from_env()


def _load(settings: Settings):  # noqa: ANN202
    from agentic_assets.specs.loader import load_project

    try:
        return load_project(settings)
    except SpecError as err:
        err_console.print(f"[red]{err.render()}[/]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


@app.command()
def validate(data_dir: DataDir = None) -> None:
    """Validate every spec (keys, sources, cycles, sinks, SQL and columns) without running anything."""
    settings = _settings(data_dir)
    project = _load(settings)
    console.print(
        f"[green]{len(project.assets)} asset specs and {len(project.raw_sources)} raw sources are valid[/] "
        f"({settings.specs_dir})"
    )


@app.command("generate-data")
def generate_data(
    transactions: Annotated[int, typer.Option("--transactions", "-n", help="Number of transactions.")] = 200_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same rows.")] = 7,
    data_dir: DataDir = None,
) -> None:
    """Write the deterministic retail-bank sample data (customers, merchants, transactions)."""
    from agentic_assets.sample_data.retail_bank import DatasetSize, generate

    settings = _settings(data_dir)
    with console.status(f"Generating {transactions:,} transactions..."):
        counts = generate(settings.raw_dir, DatasetSize(transactions), seed=seed)
    console.print(
        "Sample data in " + str(settings.raw_dir) + ": " + ", ".join(f"{n} {c:,} rows" for n, c in counts.items())
    )


Approver = Annotated[
    str | None,
    typer.Option("--approver", envvar="AGENTIC_APPROVER", help="Approve generated tier 2/3 code as this person."),
]


@app.command()
def materialize(
    assets: Annotated[list[str] | None, typer.Argument(help="Assets to materialize (default: all).")] = None,
    approver: Approver = None,
    data_dir: DataDir = None,
) -> None:
    """Materialize assets through write-audit-publish, headless, and print a summary.

    Assets whose code is missing or stale get it written by the codegen agent first (tier 1 at once;
    tiers 2 and 3 only with --approver).
    """
    _run(assets, _settings(data_dir), approver=approver)


def _ensure_code(project, settings: Settings, names: list[str], approver: str | None) -> None:  # noqa: ANN001
    """Write, validate, sandbox and freeze missing or stale code, upstream first."""
    from agentic_assets.codegen import AwaitingApproval, GenerationError, code_status, ensure_code

    needed = [
        n
        for n in project.topological_order()
        if code_status(project.assets[n], settings).state in ("missing", "stale", "modified")
    ]
    if not needed:
        return
    if approver:
        console.print(f"Generated tier 2/3 code is approved as [bold]{approver}[/]")
    problems: dict[str, str] = {}
    for name in needed:
        with console.status(f"codegen agent writing {name} (validate, sandbox, freeze)..."):
            try:
                asset = ensure_code(project.assets[name], project, settings, approver=approver)
            except (AwaitingApproval, GenerationError) as err:
                problems[name] = str(err)
                continue
        console.print(f"  [green]code frozen[/] {name} -> {asset.sql_path}")
    for problem in problems.values():
        err_console.print(f"[yellow]{problem}[/]")
    if set(problems) & set(names):  # an asset asked for has no code it may run
        raise typer.Exit(1)


def _run(assets: list[str] | None, settings: Settings, approver: str | None = None) -> bool:
    import dagster as dg

    from agentic_assets.cli.run_assets import materialize_headless, summary_table
    from agentic_assets.definitions import build_definitions

    project = _load(settings)
    names = assets or project.topological_order()
    unknown = [n for n in names if n not in project.assets]
    if unknown:
        err_console.print(f"[red]unknown asset(s): {', '.join(unknown)}; known: {', '.join(sorted(project.assets))}[/]")
        raise typer.Exit(2)
    _ensure_code(project, settings, names, approver)
    project = _load(settings)
    defs = build_definitions(settings)
    formats = {n: a.spec.sink.format for n, a in project.assets.items()}
    with dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral() as instance:
        summary = materialize_headless(defs, names, instance, formats)
    console.print(summary_table(summary))
    console.print(
        f"{'[green]All assets published' if summary.success else '[red]Some assets failed'}[/] "
        f"in {summary.seconds:.1f}s"
    )
    if not summary.success:
        raise typer.Exit(1)
    return True


DEMO_APPROVER = "demo-approver"


def _say_where_code_history_goes(settings: Settings) -> None:
    from agentic_assets.codegen.git_history import git_history_for

    git = git_history_for(settings)
    if git is None:
        console.print("Code history: data/state/code_history.db and the audit log (not a git repository here).")
        return
    console.print(
        f"Code history: frozen code is committed to the git branch [bold]{git.branch}[/] "
        f"(git log {git.branch}); your branch, index and working tree are untouched "
        "(AGENTIC_GIT_HISTORY=off turns the commits off)."
    )


@app.command()
def demo(
    transactions: Annotated[int, typer.Option("--transactions", "-n", help="Number of transactions.")] = 200_000,
    story: Annotated[bool, typer.Option(help="End with the repair story (a renamed upstream column).")] = True,
    data_dir: DataDir = None,
) -> None:
    """Generate the sample data, write each asset's code with the codegen agent, and materialize everything.

    Generated tier 2/3 code is approved as the named user 'demo-approver' (the demo says so).
    """
    from agentic_assets.lineage import emit_all
    from agentic_assets.lineage.cli import load_hint

    settings = _settings(data_dir)
    generate_data(transactions=transactions, seed=7, data_dir=None)
    _run(None, settings, approver=DEMO_APPROVER)
    _say_where_code_history_goes(settings)
    if story:
        from agentic_assets.repair.demo import run_demo_story

        if not run_demo_story(settings, console):
            raise typer.Exit(1)
    report = emit_all(_load(settings), settings)
    console.print(f"Lineage: {report.mcps} metadata change proposals written to {report.target}")
    if not report.target.startswith("http"):
        console.print(load_hint(report.target))


@app.command()
def check(
    asset: Annotated[str, typer.Argument(help="The asset whose checks to run.")],
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Run an asset's SodaCL checks against its published table; exit 1 if any fails (for CI)."""
    from agentic_assets.checking import check_published

    settings = _settings(data_dir)
    project = _load(settings)
    if asset not in project.assets:
        err_console.print(f"[red]unknown asset '{asset}'; known: {', '.join(sorted(project.assets))}[/]")
        raise typer.Exit(2)
    try:
        result = check_published(project.assets[asset], settings)
    except LookupError as err:
        err_console.print(f"[red]{err}[/]")
        raise typer.Exit(2) from None
    if as_json:
        print(result.model_dump_json(indent=2))
    else:
        from rich.table import Table

        table = Table(title=f"Checks of {asset}", title_justify="left")
        for col in ("check", "outcome", "value"):
            table.add_column(col)
        for r in result.results:
            color = "green" if r.passed else "red"
            table.add_row(r.name, f"[{color}]{r.outcome}[/]", str(r.value))
        console.print(table)
        for e in result.errors:
            err_console.print(f"[red]scan error: {e}[/]")
        console.print(result.summary())
    raise typer.Exit(0 if result.passed else 1)


codegen_cli.register(app)
repair_cli.register(app)
bench_cli.register(app)
lineage_cli.register(app)
review_cli.register(app)
