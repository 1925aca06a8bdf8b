"""Rich consoles for the CLI; errors go to stderr. Piped output (CI logs) gets a wide fixed width."""

from rich.console import Console

PIPED_WIDTH = 140


def make_console(stderr: bool = False) -> Console:
    console = Console(stderr=stderr, soft_wrap=stderr)
    if not console.is_terminal:
        console = Console(stderr=stderr, soft_wrap=stderr, width=PIPED_WIDTH)
    return console


console = make_console()
err_console = make_console(stderr=True)
