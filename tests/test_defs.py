"""The code location loads, and every spec became an asset with one blocking check per SodaCL check."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg

from agentic_assets.definitions import MATERIALIZE_ALL, build_definitions
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project
from asset_checks.sodacl import check_definitions


def test_definitions_load_every_spec_with_its_checks(settings: Settings) -> None:
    defs = build_definitions(settings)
    defs.validate_loadable(defs)
    project = load_project(settings)
    graph = defs.resolve_asset_graph()
    asset_keys = {k.to_user_string() for k in graph.materializable_asset_keys}
    assert asset_keys == set(project.assets)
    external = {k.to_user_string() for k in graph.external_asset_keys}
    assert external == set(project.raw_sources)

    for name, asset in project.assets.items():
        key = dg.AssetKey(name)
        expected = {d.dagster_name for d in check_definitions(asset.checks_text, name)}
        checks = {c.name for c in graph.asset_check_keys if c.asset_key == key}
        assert checks == expected, name
        node = graph.get(key)
        assert {p.to_user_string() for p in node.parent_keys} == set(asset.spec.sources)
        assert node.code_version == asset.code_version
        for check_key in graph.asset_check_keys:
            if check_key.asset_key == key:
                assert graph.get_check_spec(check_key).blocking

    assert defs.resolve_job_def(MATERIALIZE_ALL) is not None
    assert defs.resolve_job_def("apply_proposal") is not None
    # What a reviewer needs on each asset's page in the Dagster UI.
    for name, asset in project.assets.items():
        meta = graph.get(dg.AssetKey(name)).metadata
        assert meta["tier"] == asset.spec.tier and meta["code_version"] == asset.code_version
        assert {"owner", "model", "prompt_sha256", "approver", "sql"} <= set(meta), name
        assert meta["approver"] not in ("", None), name
    sensors = {s.name for s in defs.sensors or []}
    assert {"repair_on_failure", "lineage_flush"} <= sensors, sensors


def test_the_module_level_definitions_load() -> None:
    from agentic_assets import definitions

    assert isinstance(definitions.defs, dg.Definitions)


# Loading the code location happens in the code server, on every sensor tick and at every run's start: it must
# not pull in what only a run needs (the write-audit-publish path, table stores, engines, soda, the agent).
LOAD_AND_LIST_HEAVY_MODULES = """
import sys
from agentic_assets.definitions import build_definitions
from agentic_assets.settings import Settings
build_definitions(Settings.from_env()).resolve_asset_graph()
heavy = ("agentic_assets.materialize.wap", "pydantic_ai", "pyiceberg", "deltalake", "soda", "pyspark", "duckdb")
print(sorted({m for m in heavy for k in sys.modules if k == m or k.startswith(m + ".")}))
"""


def test_loading_the_code_location_imports_no_run_path(settings: Settings) -> None:
    env = {
        **os.environ,
        "AGENTIC_SPECS_DIR": str(settings.specs_dir),
        "AGENTIC_CHECKS_DIR": str(settings.checks_dir),
        "AGENTIC_DATA_DIR": str(settings.data_dir),
    }
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_LIST_HEAVY_MODULES], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
