"""The demo's closing story on the demo's own (small) data: fail, diagnose, validate, approve, green; no state left."""

from __future__ import annotations

import dagster as dg
import pyarrow.parquet as pq
import pytest
from rich.console import Console

from agentic_assets.definitions import build_definitions
from agentic_assets.lineage import wait_for_delivery
from agentic_assets.materialize.run_log import RunLog
from agentic_assets.repair.code_history import CodeHistory
from agentic_assets.repair.demo import ASSET, DEMO_APPROVER, run_demo_story
from agentic_assets.repair.store import RepairStore
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.tables.registry import store_for


@pytest.mark.slow
def test_the_repair_story(settings: Settings, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture) -> None:
    # As `make demo` does: the codegen agent writes the asset's code, approved by the demo's approver.
    monkeypatch.setenv("AGENTIC_APPROVER", "demo-codegen-approver")
    defs = build_definitions(settings)
    assets = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]
    assert dg.materialize(assets, instance=dg.DagsterInstance.ephemeral(), selection=[ASSET]).success
    raw = settings.data_dir / "raw" / "transactions.parquet"
    columns = pq.read_schema(raw).names
    project = load_project(settings)
    before = store_for(settings, project.assets[ASSET].spec.sink).read()

    console = Console(record=True, width=140)
    capfd.readouterr()
    assert run_demo_story(settings, console)
    # Its lineage was delivered before the scratch project was removed (a delivery into a removed queue fails).
    assert wait_for_delivery(0)
    printed = capfd.readouterr()
    assert " - dagster - " not in printed.out + printed.err  # Dagster's event lines stay in the instance
    text = console.export_text()
    assert "schema_drift" in text and DEMO_APPROVER in text and "green again" in text
    assert "Failure to validated proposal" in text and "Action 1" in text

    after = store_for(settings, project.assets[ASSET].spec.sink).read()
    assert sorted(map(str, after.to_pylist())) == sorted(map(str, before.to_pylist()))  # the demo's table untouched
    assert pq.read_schema(raw).names == columns  # the demo's feed was never renamed
    assert "_v2" not in (settings.specs_dir / "retail_bank" / f"{ASSET}.sql").read_text()
    # No state behind: the demo's repairs, run log and code history never saw the story's rename.
    assert RepairStore.for_settings(settings).list(asset=ASSET) == []
    assert [r.status for r in RunLog(settings.state_dir / "runs.db").for_asset(ASSET)] == ["published"]
    assert not CodeHistory.for_settings(settings).recorded(ASSET)
    assert not list(settings.data_dir.glob("*story*"))
    # The real demo can run again on the untouched data.
    assert dg.materialize(assets, instance=dg.DagsterInstance.ephemeral(), selection=[ASSET]).success
