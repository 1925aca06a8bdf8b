"""Commands of the codegen package, registered on the main CLI: generate, code status|approve|show, audit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.syntax import Syntax
from rich.table import Table

from agentic_assets.cli.console import console, err_console
from agentic_assets.settings import Settings

code_app = typer.Typer(help="Generated code: freshness, approval, provenance.", no_args_is_help=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (default: ./data or AGENTIC_DATA_DIR).")]


def _settings(data_dir: Path | None) -> Settings:
    if data_dir is not None:
        os.environ["AGENTIC_DATA_DIR"] = str(data_dir.resolve())
    return Settings.from_env()


def _project(settings: Settings):  # noqa: ANN202
    from agentic_assets.specs.errors import SpecError
    from agentic_assets.specs.loader import load_project

    try:
        return load_project(settings)
    except SpecError as err:
        err_console.print(f"[red]{err.render()}[/]", highlight=False)
        raise typer.Exit(2) from None


def _pick(project, asset: str | None, all_assets: bool) -> list[str]:  # noqa: ANN001
    if all_assets:
        return project.topological_order()
    if not asset:
        err_console.print("[red]name an asset, or pass --all[/]")
        raise typer.Exit(2)
    if asset not in project.assets:
        err_console.print(f"[red]unknown asset '{asset}'; known: {', '.join(sorted(project.assets))}[/]")
        raise typer.Exit(2)
    return [asset]


def _print_report(report) -> None:  # noqa: ANN001
    colour = {"frozen": "green", "pending": "yellow"}.get(report.status, "red")
    console.rule(f"[bold]{report.asset}[/] [{colour}]{report.status}[/]")
    best = report.chosen
    if best is not None and best.output is not None:
        console.print(Syntax(best.output.sql, "sql", theme="ansi_dark", word_wrap=True))
        console.print(f"[bold]What it does:[/] {best.output.explanation}")
        for a in best.output.assumptions:
            console.print(f"  [dim]assumes[/] {a}")
    for attempt in report.attempts:
        sandbox = attempt.sandbox.message if attempt.sandbox else "not run"
        console.print(
            f"  candidate {attempt.variant}: model {attempt.model_id}, {attempt.retries} validation retr"
            f"{'y' if attempt.retries == 1 else 'ies'}, sandbox: {sandbox}, {attempt.seconds:.1f}s"
            + (f", [red]refused/failed:[/] {attempt.refusal}" if attempt.refusal else "")
        )
        for errors in attempt.validation_errors:
            for e in errors:
                console.print(f"    [dim]sent back:[/] {e}", highlight=False)
    console.print(f"[{colour}]{report.message}[/]")


def generate(
    asset: Annotated[str | None, typer.Argument(help="The asset to write code for.")] = None,
    all_assets: Annotated[bool, typer.Option("--all", help="Every asset whose code is missing or stale.")] = False,
    candidates: Annotated[int, typer.Option("--candidates", min=1, max=8, help="Competing variants.")] = 1,
    approve: Annotated[bool, typer.Option("--approve", help="Freeze tier 2/3 code now (needs --approver).")] = False,
    approver: Annotated[str | None, typer.Option("--approver", help="The person approving.")] = None,
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Model setting (repeat to let models compete).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Regenerate even fresh code.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Write an asset's SQL from its description: validate, run in the sandbox with its checks, freeze."""
    from agentic_assets.codegen.generate import generate_code
    from agentic_assets.codegen.versioning import code_status

    if approve and not (approver or "").strip():
        err_console.print("[red]--approve needs --approver NAME[/]")
        raise typer.Exit(2)
    settings = _settings(data_dir)
    project = _project(settings)
    failed = False
    for name in _pick(project, asset, all_assets):
        loaded = project.assets[name]
        state = code_status(loaded, settings).state
        if state == "modified" and not force:  # never overwrite a person's edit unasked
            console.print(
                f"{name}: its code was edited after approval; approve it (agentic-assets code approve {name} "
                "--approver NAME) or regenerate it with --force"
            )
            continue
        if state == "hand-written" or (state == "fresh" and not force):
            if not all_assets or asset:
                console.print(f"{name}: code is {state}; nothing to do (--force regenerates generated code)")
            continue
        report = generate_code(
            loaded,
            project,
            settings,
            models=model,
            candidates=candidates,
            approver=approver if approve else None,
        )
        _print_report(report)
        failed |= report.status in ("refused", "failed")
    if failed:
        raise typer.Exit(1)


@code_app.command("status")
def status(data_dir: DataDir = None) -> None:
    """Fresh, stale, missing or hand-written code per asset, with who approved it."""
    from agentic_assets.codegen.versioning import code_status

    settings = _settings(data_dir)
    project = _project(settings)
    table = Table("asset", "tier", "code", "model", "approver", "approval found in", "frozen at", "pending approval")
    colours = {"fresh": "green", "stale": "yellow", "missing": "red", "hand-written": "cyan", "modified": "red"}
    modified = []
    for name in project.topological_order():
        s = code_status(project.assets[name], settings)
        if s.state == "modified":
            modified.append(s)
        table.add_row(
            name,
            str(s.tier),
            f"[{colours[s.state]}]{s.state}[/]",
            s.model or "",
            s.approver or "",
            s.verified_by if s.state != "modified" else "[red]none[/]",
            s.frozen_at or "",
            "yes" if s.pending else "",
        )
    console.print(table)
    for s in modified:
        err_console.print(
            f"[red]{s.asset}: {s.reason}[/]; "
            + ("re-validated in the sandbox at its next run" if s.tier == 1 else "it will not run until approved")
            + f": agentic-assets code approve {s.asset} --approver NAME",
            highlight=False,
        )


@code_app.command("approve")
def approve_cmd(
    asset: Annotated[str, typer.Argument(help="The asset whose pending code to approve.")],
    approver: Annotated[str, typer.Option("--approver", help="The person approving.")],
    data_dir: DataDir = None,
) -> None:
    """Freeze the validated code that awaits approval (tier 2/3), in the approver's name.

    Frozen code edited by hand since its approval (`modified`) is re-validated in the sandbox and, if it
    passes, frozen again as it is now, in the approver's name."""
    from agentic_assets.codegen.generate import GenerationError, approve_pending

    settings = _settings(data_dir)
    project = _project(settings)
    _pick(project, asset, False)
    try:
        updated = approve_pending(project.assets[asset], project, settings, approver=approver)
    except GenerationError as err:
        err_console.print(f"[red]{err}[/]")
        raise typer.Exit(1) from None
    console.print(f"[green]{asset}: approved by {approver}, frozen to {updated.sql_path}[/]")


@code_app.command("show")
def show(
    asset: Annotated[str, typer.Argument(help="The asset.")],
    prompt: Annotated[bool, typer.Option("--prompt", help="Also print the full prompt it was generated from.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Print an asset's code with its provenance (and the stored prompt)."""
    from agentic_assets.codegen.versioning import load_pending, parse_header

    settings = _settings(data_dir)
    project = _project(settings)
    _pick(project, asset, False)
    loaded = project.assets[asset]
    pending = load_pending(settings, loaded)
    if loaded.sql:
        console.print(Syntax(loaded.sql, "sql", theme="ansi_dark", word_wrap=True))
    if pending and pending.attempt.output:
        console.rule("pending approval")
        console.print(Syntax(pending.attempt.output.sql, "sql", theme="ansi_dark", word_wrap=True))
    meta = parse_header(loaded.sql)
    digest = meta.prompt_sha256 if meta else (pending.attempt.prompt_sha256 if pending else None)
    if prompt and digest:
        path = Path(settings.state_dir) / "prompts" / f"{digest}.txt"
        console.rule(f"prompt {digest[:12]}")
        console.print(path.read_text(encoding="utf-8") if path.exists() else "(prompt not stored on this machine)")


def register(app: typer.Typer) -> None:
    """Add this package's commands to `app`."""
    from agentic_assets.audit.cli import audit_app

    app.command("generate")(generate)
    app.add_typer(code_app, name="code")
    app.add_typer(audit_app, name="audit")
