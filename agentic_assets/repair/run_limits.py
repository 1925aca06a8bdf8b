"""Per-asset run limits (DuckDB memory limit, wall-clock limit): what a `resource_increase` changes."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from agentic_assets.settings import Settings


class RunLimits(BaseModel):
    memory_limit_mb: int | None = None
    timeout_s: float | None = None


def _path(settings: Settings) -> Path:
    return settings.state_dir / "run_limits.json"


def limits_for(settings: Settings, asset: str) -> RunLimits:
    path = _path(settings)
    if not path.exists():
        return RunLimits()
    data = json.loads(path.read_text(encoding="utf-8"))
    return RunLimits.model_validate(data.get(asset, {}))


def set_limits(settings: Settings, asset: str, limits: RunLimits) -> None:
    path = _path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[asset] = limits.model_dump(exclude_none=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
