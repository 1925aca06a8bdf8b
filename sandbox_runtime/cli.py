"""`agentic-assets sandbox ...`: run candidate code in a sandbox from the command line."""

import typer

sandbox_app = typer.Typer(help="Run untrusted generated code in an isolated sandbox.", no_args_is_help=True)
