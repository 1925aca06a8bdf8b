"""The Dagster job `apply_proposal`: refuses an unapproved proposal, applies an approved one and records it."""

from __future__ import annotations

import dagster as dg

from agentic_assets.definitions import build_definitions
from agentic_assets.repair.gate import record_approval
from agentic_assets.repair.store import RepairStore
from agentic_assets.review_app.apply_job import APPLY_JOB
from agentic_assets.specs.loader import load_project
from agentic_assets.tables.registry import store_for

ASSET = "daily_totals"  # the asset of the conftest project


def test_apply_proposal_applies_only_what_was_approved(tier2) -> None:
    settings, repair = tier2
    job = build_definitions(settings).resolve_job_def(APPLY_JOB)
    config = {"ops": {"apply_approved_proposal": {"config": {"proposal_id": repair.repair_id}}}}
    store = store_for(settings, load_project(settings).assets[ASSET].spec.sink)
    before = store.published_version()
    with dg.DagsterInstance.ephemeral() as instance:
        refused = job.execute_in_process(run_config=config, instance=instance, raise_on_error=False)
        assert not refused.success
        failure = next(e for e in refused.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
        message = failure.step_failure_data.user_failure_data.description
        assert "has no approver" in message and f"/proposals/{repair.repair_id}" in message
        assert store.published_version() == before
        assert RepairStore.for_settings(settings).get(repair.repair_id).status == "awaiting_approval"

        record_approval(settings, repair.repair_id, "alice@bank.example", via="test")
        applied = job.execute_in_process(run_config=config, instance=instance)
        assert applied.success
        (materialization,) = applied.get_asset_materialization_events()
        meta = materialization.materialization.metadata
        assert materialization.asset_key == dg.AssetKey(ASSET)
        assert meta["proposal_id"].value == repair.repair_id and meta["approver"].value == "alice@bank.example"
        evaluations = applied.get_asset_check_evaluations()
        assert {e.check_name for e in evaluations} == {"row_count_gt_0", "missing_count_merchant_subcategory_eq_0",
                                                      "duplicate_count_merchant_subcategory_day_eq_0"}  # fmt: skip
        assert all(e.passed for e in evaluations)
    assert store.published_version() == (before or 0) + 1
    assert RepairStore.for_settings(settings).get(repair.repair_id).status == "promoted"
    sources = (settings.specs_dir / "sources.yaml").read_text()
    # The raw contract follows the feed with a one-column edit; the file's comments are kept.
    assert "# The feed as the processor delivers it" in sources and "# renamed upstream in the test" in sources
    assert "{name: merchant_subcategory_v2, type: VARCHAR}" in sources
