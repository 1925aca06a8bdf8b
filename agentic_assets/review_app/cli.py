"""`agentic-assets review`: serve the review page (on 127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer


def review(
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8765 or AGENTIC_REVIEW_PORT).")] = None,
) -> None:
    """Serve the review page: proposals waiting, with alert, diagnosis, trace, diff, sandbox verdict and samples;
    approve, reject or modify. Sign-in: AGENTIC_REVIEW_TOKEN, AGENTIC_REVIEW_TOKENS_FILE or a trusted proxy header
    (AGENTIC_REVIEW_TRUSTED_HEADER); with none configured, a one-off token is made and printed."""
    import uvicorn

    from agentic_assets.cli.console import console
    from agentic_assets.review_app.app import create_app
    from agentic_assets.review_app.config import ReviewConfig
    from agentic_assets.settings import Settings

    config = ReviewConfig.from_env(host=host, port=port)
    if not (config.token or config.tokens_file or config.trusted_header):
        config = config.model_copy(update={"token": secrets.token_urlsafe(24)})
        console.print(f"No sign-in configured: sign in with this one-off token: {config.token}")
        console.print(f"  {config.base_url}/login?token={config.token}", soft_wrap=True)
    if config.host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]The review page listens on {config.host}: reachable beyond this machine.[/]")
    console.print(f"Review page on {config.base_url} (proposals in {Settings.from_env().state_dir})")
    uvicorn.run(create_app(Settings.from_env(), config), host=config.host, port=config.port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("review")(review)
