"""One rich console for the CLI; errors go to stderr."""

from rich.console import Console

console = Console()
err_console = Console(stderr=True, soft_wrap=True)
