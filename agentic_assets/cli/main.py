"""The `agentic-assets` command line."""

import typer

from sandbox_runtime.cli import sandbox_app

app = typer.Typer(
    help="agentic-assets: data assets written and repaired by agents, safely.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(sandbox_app, name="sandbox")
