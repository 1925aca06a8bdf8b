"""From the `AGENTIC_MODEL` setting to a pydantic-ai model.

Accepted settings:
- `builtin` (default): the offline, deterministic planner of the calling agent, as a `FunctionModel`;
- `openai:<model>`, `anthropic:<model>` (and any other provider prefix pydantic-ai knows): a hosted model,
  keyed by the provider's usual environment variable (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`);
- `http(s)://host[:port]/v1#<model>`: an OpenAI-compatible server (Ollama, vLLM); its key, if it needs one,
  comes from `AGENTIC_MODEL_API_KEY`.

Keys are read from the environment by the providers and never pass through this module's return values,
so model ids that end up in logs and the audit cannot carry them.
"""

from __future__ import annotations

import os
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel
from pydantic_ai.models import Model
from pydantic_ai.models.function import FunctionDef, FunctionModel

BUILTIN = "builtin"
API_KEY_ENV = "AGENTIC_MODEL_API_KEY"


class ModelChoice(BaseModel):
    """A parsed model setting; `model_id` is safe to log (no credentials, no query string)."""

    kind: Literal["builtin", "provider", "openai_compatible"]
    model_id: str
    provider: str | None = None
    model_name: str | None = None
    base_url: str | None = None


def parse_model_setting(setting: str | None) -> ModelChoice:
    value = (setting or BUILTIN).strip()
    if value == BUILTIN:
        return ModelChoice(kind="builtin", model_id=BUILTIN)
    if value.startswith(("http://", "https://")):
        url, _, name = value.partition("#")
        if not name:
            raise ValueError(f"an OpenAI-compatible URL needs the model after '#', e.g. {url}#llama3.1")
        parts = urlsplit(url)
        # Credentials in a URL would otherwise be logged with the model id.
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        clean = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        return ModelChoice(
            kind="openai_compatible", model_id=f"{clean}#{name}", base_url=url, model_name=name, provider="openai"
        )
    provider, sep, name = value.partition(":")
    if not sep or not provider or not name:
        raise ValueError(
            f"unknown model setting {value!r}: use 'builtin', 'openai:<model>', 'anthropic:<model>' "
            "or an OpenAI-compatible URL 'http://host:port/v1#<model>'"
        )
    return ModelChoice(kind="provider", model_id=value, provider=provider, model_name=name)


def describe_model(setting: str | None) -> str:
    """The id to record with generated code and in the audit log."""
    return parse_model_setting(setting).model_id


def build_model(setting: str | None, *, builtin: FunctionDef, builtin_name: str = BUILTIN) -> Model:
    """The model for one agent run. `builtin` is the calling agent's deterministic planner function."""
    choice = parse_model_setting(setting)
    if choice.kind == "builtin":
        return FunctionModel(builtin, model_name=builtin_name)
    if choice.kind == "openai_compatible":
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        # Local servers usually ignore the key, but the client insists on one.
        provider = OpenAIProvider(base_url=choice.base_url, api_key=os.environ.get(API_KEY_ENV) or "unused")
        return OpenAIChatModel(choice.model_name or "", provider=provider)
    from pydantic_ai.models import infer_model

    return infer_model(choice.model_id)
