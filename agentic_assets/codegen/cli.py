"""Commands of the codegen package, registered on the main CLI."""

import typer


def register(app: typer.Typer) -> None:
    """Add this package's commands to `app`."""
