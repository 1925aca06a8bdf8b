"""Codegen tests: real DuckDB, real pydantic-ai, FunctionModel only; no model request can leave."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic_ai import models

from agentic_assets.settings import PROJECT_ROOT, Settings

models.ALLOW_MODEL_REQUESTS = False


@pytest.fixture
def workspace(tmp_path: Path, raw_data_template: Path, pristine_specs: Path) -> Settings:
    """A private copy of the demo specs (without any frozen or hand-written SQL of the plain assets)
    and of the small raw data, so generation writes only inside tmp_path."""
    specs = tmp_path / "specs"
    shutil.copytree(pristine_specs, specs)
    data_dir = tmp_path / "data"
    shutil.copytree(raw_data_template, data_dir / "raw")
    return Settings(specs_dir=specs, checks_dir=PROJECT_ROOT / "asset_checks", data_dir=data_dir)


def _drop_sql(settings: Settings, *names: str) -> None:
    for name in names:
        (Path(settings.specs_dir) / "retail_bank" / f"{name}.sql").unlink(missing_ok=True)


def _write_spec(settings: Settings, name: str, text: str) -> Path:
    path = Path(settings.specs_dir) / "retail_bank" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def drop_sql():
    """Remove the SQL beside some specs, so the agent has to write it."""
    return _drop_sql


@pytest.fixture
def write_spec():
    return _write_spec
