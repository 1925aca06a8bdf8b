"""The code location loads, and every spec became an asset with one blocking check per SodaCL check."""

from __future__ import annotations

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
