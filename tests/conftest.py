"""Shared fixtures: small, real data sets and settings that keep every test in its own folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from scripted_openai import hosted_model  # noqa: F401 (the fixture: a scripted model behind an OpenAI URL)

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


def copy_specs_without_generated_code(dest: Path) -> Path:
    """The checkout's specs as a clone has them: generated code (files with the codegen header, which `make
    demo` freezes beside the specs) is left out, so no test depends on what a command wrote into the checkout."""
    from agentic_assets.codegen.versioning import HEADER_MARK

    def generated(folder: str, names: list[str]) -> set[str]:
        skip = {"__pycache__"}
        for name in names:
            path = Path(folder) / name
            if path.suffix == ".sql" and path.read_text(encoding="utf-8").startswith(HEADER_MARK):
                skip.add(name)
        return skip

    shutil.copytree(PROJECT_ROOT / "specs", dest, ignore=generated)
    return dest


@pytest.fixture(scope="session")
def pristine_specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only template of the demo specs without generated code; copy it, do not write to it."""
    return copy_specs_without_generated_code(tmp_path_factory.mktemp("pristine") / "specs")


@pytest.fixture(scope="session")
def generated_specs(tmp_path_factory: pytest.TempPathFactory, raw_data_template: Path) -> Path:
    """The demo specs with every transform written by the builtin model, validated in the sandbox and frozen
    (approved by a named test user), once per test session. Tests read it; none writes to it."""
    from agentic_assets.codegen import ensure_code
    from agentic_assets.specs.loader import load_project

    root = tmp_path_factory.mktemp("generated")
    specs = copy_specs_without_generated_code(root / "specs")
    data_dir = root / "data"
    shutil.copytree(raw_data_template, data_dir / "raw")
    settings = Settings(specs_dir=specs, checks_dir=PROJECT_ROOT / "asset_checks", data_dir=data_dir)
    project = load_project(settings)
    for name in project.topological_order():
        ensure_code(project.assets[name], project, settings, approver="test-approver")
    return specs


@pytest.fixture
def settings(tmp_path: Path, raw_data_template: Path, generated_specs: Path) -> Settings:
    """Settings with the demo specs (code generated and frozen), real checks, and a private data folder."""
    data_dir = tmp_path / "data"
    shutil.copytree(raw_data_template, data_dir / "raw")
    return Settings(
        specs_dir=generated_specs,
        checks_dir=PROJECT_ROOT / "asset_checks",
        data_dir=data_dir,
    )
