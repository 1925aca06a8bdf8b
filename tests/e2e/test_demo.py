"""The demo story through Dagster's own API and the CLI, on a small real data set."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from agentic_assets.definitions import build_definitions
from agentic_assets.settings import PROJECT_ROOT, Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.tables.registry import store_for

CLI = [sys.executable, "-m", "agentic_assets.cli"]


def _assets(defs: dg.Definitions) -> list[dg.AssetsDefinition]:
    return [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]


def test_materialize_every_demo_asset(settings: Settings) -> None:
    defs = build_definitions(settings)
    project = load_project(settings)
    result = dg.materialize(_assets(defs), instance=dg.DagsterInstance.ephemeral())
    assert result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == set(project.assets)
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed for e in evaluations)
    for name, asset in project.assets.items():
        store = store_for(settings, asset.spec.sink)
        assert store.read().num_rows > 0, name
        assert store.read().column_names == list(asset.output_schema), name


def test_a_failing_blocking_check_stops_the_asset_and_its_downstream(settings: Settings, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(settings.specs_dir, specs)
    checks = tmp_path / "checks"
    shutil.copytree(PROJECT_ROOT / "asset_checks", checks, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with (checks / "monthly_customer_totals.yml").open("a") as f:
        f.write("  - row_count > 100000000\n")
    settings = settings.model_copy(update={"specs_dir": specs, "checks_dir": checks})
    defs = build_definitions(settings)
    result = dg.materialize(_assets(defs), instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)

    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key.to_user_string(), e.check_name) for e in failed] == [
        ("monthly_customer_totals", "row_count_gt_100000000")
    ]
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "monthly_customer_totals" not in materialized
    assert "segment_monthly_summary" not in materialized  # downstream of the failed asset
    assert "customer_segments" in materialized  # independent assets still publish
    project = load_project(settings)
    assert store_for(settings, project.assets["monthly_customer_totals"].spec.sink).published_version() is not None


def test_cli_demo_then_check_in_ci(tmp_path: Path, pristine_specs: Path) -> None:
    """The demo from a clone with no generated code: it writes, validates, freezes and materializes every asset."""
    data = tmp_path / "data"
    specs = tmp_path / "specs"
    shutil.copytree(pristine_specs, specs)
    env = {**os.environ, "AGENTIC_SPECS_DIR": str(specs)}
    run = subprocess.run(
        [*CLI, "demo", "--transactions", "3000", "--no-story", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Materialization summary" in run.stdout and "All assets published" in run.stdout
    assert "demo-approver" in run.stdout
    assert " - DEBUG - " not in run.stdout + run.stderr  # Dagster's event lines stay in the instance
    frozen = (specs / "retail_bank" / "monthly_customer_totals.sql").read_text()
    assert "-- model: builtin" in frozen and "-- approver: demo-approver" in frozen

    ok = subprocess.run(
        [*CLI, "check", "merchant_subcategory_daily_totals", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "5/5 checks passed" in ok.stdout

    # Corrupt the published table behind the platform's back: the CI check must catch it.
    path = data / "delta" / "analytics" / "merchant_subcategory_daily_totals"
    bad = pa.table(
        {
            "merchant_subcategory": [None],
            "day": pa.array([None], pa.date32()),
            "total_amount": pa.array([-1], pa.decimal128(38, 2)),
            "txn_count": [1],
        }
    )
    write_deltalake(str(path), bad, mode="append", schema_mode="merge")
    failed = subprocess.run(
        [*CLI, "check", "merchant_subcategory_daily_totals", "--data-dir", str(data), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert '"outcome": "fail"' in failed.stdout


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"], ["check", "--help"], ["materialize", "--help"]])
def test_cli_help(args: list[str]) -> None:
    run = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT)
    assert run.returncode == 0 and "Usage" in run.stdout


def test_cli_reports_spec_errors_with_file_and_line(tmp_path: Path, pristine_specs: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(pristine_specs, specs)
    spec = specs / "retail_bank" / "channel_country_daily.yaml"
    spec.write_text(spec.read_text().replace("tier: 1", "tier: 1\ncolour: blue"))
    run = subprocess.run(
        [*CLI, "validate"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
        env={**os.environ, "AGENTIC_SPECS_DIR": str(specs)},
    )
    assert run.returncode == 2
    assert f"{spec}:7: colour: unknown key" in " ".join(run.stderr.split())
