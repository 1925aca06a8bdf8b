"""Where the review page listens, how approvers sign in, and where the Dagster UI is: read from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

DEFAULT_HOST = "127.0.0.1"  # nothing beyond this machine unless a deployment says otherwise
DEFAULT_PORT = 8765


class ReviewConfig(BaseModel):
    """One deployment of the review page. Every field has an `AGENTIC_REVIEW_*` (or `AGENTIC_DAGSTER_URL`) variable."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str = Field(default="", description="the address links point at (default http://host:port)")
    token: str | None = Field(default=None, description="a shared sign-in token; its holders type their name")
    tokens_file: Path | None = Field(default=None, description="lines `identity=token`: approvers signed in by name")
    trusted_header: str | None = Field(
        default=None, description="a header the deployment's proxy sets to the signed-in user (e.g. X-Forwarded-User)"
    )
    secret: str = Field(default_factory=lambda: secrets.token_hex(32), description="signs sessions and CSRF tokens")
    dagster_url: str | None = Field(default=None, description="the Dagster UI, reloaded after a change is applied")

    @classmethod
    def from_env(cls, **overrides: object) -> ReviewConfig:
        env = os.environ
        values: dict[str, object] = {}
        for field, var in (
            ("host", "AGENTIC_REVIEW_HOST"),
            ("port", "AGENTIC_REVIEW_PORT"),
            ("public_url", "AGENTIC_REVIEW_URL"),
            ("token", "AGENTIC_REVIEW_TOKEN"),
            ("tokens_file", "AGENTIC_REVIEW_TOKENS_FILE"),
            ("trusted_header", "AGENTIC_REVIEW_TRUSTED_HEADER"),
            ("secret", "AGENTIC_REVIEW_SECRET"),
            ("dagster_url", "AGENTIC_DAGSTER_URL"),
        ):
            if env.get(var):
                values[field] = env[var]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def allowed_hosts(self) -> list[str]:
        """Host headers served: loopback names and the public address (a DNS-rebinding page gets nothing)."""
        hosts = {"127.0.0.1", "localhost", self.host}
        public = urlsplit(self.base_url).hostname
        if public:
            hosts.add(public)
        return sorted(hosts)

    def named_tokens(self) -> dict[str, str]:
        """token -> identity, from the tokens file; a malformed line is an error naming the file and line."""
        if self.tokens_file is None:
            return {}
        found: dict[str, str] = {}
        for n, line in enumerate(self.tokens_file.read_text(encoding="utf-8").splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            identity, sep, token = line.partition("=")
            if not sep or not identity.strip() or not token.strip():
                raise ValueError(f"{self.tokens_file}:{n}: expected `identity=token`")
            found[token.strip()] = identity.strip()
        return found


def review_base_url() -> str:
    """The review page's address as links in the Dagster UI show it."""
    return ReviewConfig.from_env(secret="-").base_url


def proposal_url(repair_id: str) -> str:
    return f"{review_base_url()}/proposals/{repair_id}"


def asset_review_url(asset: str) -> str:
    """The asset's open proposal (or, while the agent investigates, a page that waits for it)."""
    return f"{review_base_url()}/assets/{asset}"
