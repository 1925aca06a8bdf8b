"""Shared fixtures: small, real data sets and settings that keep every test in its own folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from agentic_assets.sample_data.retail_bank import DatasetSize, generate
from agentic_assets.settings import PROJECT_ROOT, Settings

os.environ.setdefault("DATAHUB_TELEMETRY_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

SMALL_ROWS = 3_000


@pytest.fixture(scope="session")
def raw_data_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's raw files at a small size, generated once per test session."""
    raw = tmp_path_factory.mktemp("raw-template")
    generate(raw, DatasetSize(SMALL_ROWS))
    return raw


@pytest.fixture
def settings(tmp_path: Path, raw_data_template: Path) -> Settings:
    """Settings with the project's real specs and checks, and a private data folder with raw data."""
    data_dir = tmp_path / "data"
    shutil.copytree(raw_data_template, data_dir / "raw")
    return Settings(
        specs_dir=PROJECT_ROOT / "specs",
        checks_dir=PROJECT_ROOT / "asset_checks",
        data_dir=data_dir,
    )
