"""Which engine runs an asset's transform: the spec's own `engine`, else the deployment's (AGENTIC_ENGINE)."""

from __future__ import annotations

from typing import Literal

from agentic_assets.settings import Settings
from agentic_assets.specs.model import AssetSpec

EngineName = Literal["duckdb", "spark"]


def engine_for(spec: AssetSpec, settings: Settings) -> EngineName:
    return spec.engine or settings.engine
