"""`agentic-assets sandbox ...`: run candidate code in a sandbox from the command line."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer

sandbox_app = typer.Typer(help="Run untrusted generated code in an isolated sandbox.", no_args_is_help=True)


class BackendChoice(StrEnum):
    bwrap = "bwrap"
    gvisor = "gvisor"
    k8s = "k8s"


def _inputs(folder: Path, scratch: Path) -> dict[str, Path]:
    """One table per file: Parquet is used as is, CSV is converted to Parquet first."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    tables: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in (".parquet", ".csv"):
            continue
        if path.stem in tables:
            raise typer.BadParameter(f"two files for table {path.stem!r} in {folder}", param_hint="--input")
        if suffix == ".csv":
            converted = scratch / f"{path.stem}.parquet"
            pq.write_table(pcsv.read_csv(path), converted)
            tables[path.stem] = converted
        else:
            tables[path.stem] = path
    if not tables:
        raise typer.BadParameter(f"no .parquet or .csv file in {folder}", param_hint="--input")
    return tables


@sandbox_app.command("run")
def run(
    sql: Path | None = typer.Option(None, "--sql", exists=True, dir_okay=False, help="DuckDB SQL file"),
    python: Path | None = typer.Option(
        None, "--python", exists=True, dir_okay=False, help="Python module defining transform(inputs)"
    ),
    input_dir: Path = typer.Option(
        ..., "--input", exists=True, file_okay=False, help="one .parquet or .csv per input table"
    ),
    out: Path = typer.Option(..., "--out", file_okay=False, help="where <output-name>.parquet is written"),
    checks: Path | None = typer.Option(None, "--checks", exists=True, dir_okay=False, help="SodaCL file"),
    backend: BackendChoice = typer.Option(BackendChoice.bwrap, "--backend"),
    memory_mb: int = typer.Option(512, "--memory-mb", min=128),
    timeout_s: float = typer.Option(30.0, "--timeout-s", min=0.1),
    output_name: str = typer.Option("output", "--output-name", help="table name the checks refer to"),
    now: datetime | None = typer.Option(None, "--now", help="clock for freshness checks (ISO 8601)"),
    skip_static: bool = typer.Option(False, "--skip-static", help="skip static validation (tests the isolation)"),
    as_json: bool = typer.Option(False, "--json", help="print the verdict as one JSON object"),
) -> None:
    """Run candidate SQL or Python on the input tables in a sandbox and print the verdict."""
    from sandbox_runtime import SandboxJob, SandboxLimits, SandboxStartError, SandboxUnavailable, run_job

    if (sql is None) == (python is None):
        raise typer.BadParameter("give exactly one of --sql FILE or --python FILE")
    code_file = sql or python
    assert code_file is not None
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sandbox-cli-") as scratch:
        job = SandboxJob(
            kind="sql" if sql else "python",
            code=code_file.read_text(encoding="utf-8"),
            inputs=_inputs(input_dir, Path(scratch)),
            output_name=output_name,
            checks=checks.read_text(encoding="utf-8") if checks else None,
            now=now,
            limits=SandboxLimits(memory_mb=memory_mb, timeout_s=timeout_s),
        )
        try:
            verdict = run_job(job, backend=backend.value, workdir=out, skip_static=skip_static)
        except SandboxUnavailable as exc:
            _refusal("unavailable", exc, as_json)
            raise typer.Exit(2) from exc
        except SandboxStartError as exc:
            _refusal("error", exc, as_json)
            raise typer.Exit(1) from exc
    if as_json:
        typer.echo(verdict.model_dump_json())
    else:
        _print(verdict)
    raise typer.Exit(0 if verdict.ok else 1)


def _refusal(reason: str, exc: Exception, as_json: bool) -> None:
    """No run took place: still one JSON object with --json."""
    if as_json:
        typer.echo(json.dumps({"ok": False, "reason": reason, "message": str(exc)}))
    else:
        typer.echo(str(exc), err=True)


def _print(verdict) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.table import Table

    console = Console()
    colour = "green" if verdict.ok else "red"
    where = f"{verdict.backend}, {verdict.seconds:.3f} s"
    console.print(f"[{colour}]{verdict.reason}[/{colour}] {verdict.message} ({where})")
    for issue in verdict.static_issues:
        console.print(f"  [red]{issue.rule}[/red] {issue.message}")
    if verdict.output_schema:
        table = Table("column", "type", title=f"{verdict.output_rows} rows -> {verdict.output_path}")
        for column in verdict.output_schema:
            table.add_row(column.name, column.type)
        console.print(table)
    if verdict.check_results:
        for result in verdict.check_results.results:
            console.print(f"  {'[green]pass' if result.passed else '[red]' + result.outcome}[/] {result.name}")
        for error in verdict.check_results.errors:
            console.print(f"  [red]scan error[/red] {error}")
    if not verdict.ok and verdict.stderr_tail:
        console.print(verdict.stderr_tail[-1500:], style="dim")


@sandbox_app.command("backends")
def backends() -> None:
    """Which sandbox backends can run on this machine."""
    from sandbox_runtime.backends import available_backends

    for name, problem in available_backends().items():
        typer.echo(f"{name}: {'available' if problem is None else problem}")
