"""The repair sensor files the proposal in its own evaluation; the repair run that follows reports it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import dagster as dg
import pytest

from agentic_assets.definitions import build_definitions
from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.sensors import REPAIR_JOB, REPAIR_SENSOR, SENSOR_TIMEOUT_ENV, wait_until_filed
from agentic_assets.repair.store import RepairStore
from agentic_assets.review_app.config import proposal_url
from agentic_assets.review_app.failing_preview import PreviewCache

ASSET = "daily_totals"  # the asset of the conftest project


def _failure_seen_by_the_sensor(settings, drift, instance: dg.DagsterInstance):  # noqa: ANN001, ANN202
    """Materialize, drift the source, fail; the sensor's run requests for that failure, and the failed run."""
    defs = build_definitions(settings)
    assets = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]
    assert dg.materialize(assets, instance=instance, selection=[ASSET]).success
    drift(settings)
    failed = dg.materialize(assets, instance=instance, raise_on_error=False, selection=[ASSET])
    assert not failed.success
    failure = next(e for e in failed.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name=REPAIR_SENSOR,
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(failed.run_id),
    ).for_run_failure()
    return defs, list(defs.resolve_sensor_def(REPAIR_SENSOR)(context) or []), failed


def test_the_sensor_files_the_proposal_and_the_run_reports_it_without_a_second_repair(fresh_tier2, drift) -> None:
    settings = fresh_tier2
    with dg.DagsterInstance.ephemeral() as instance:
        defs, (request,), failed = _failure_seen_by_the_sensor(settings, drift, instance)

        # Filed before any run starts, with the failing side kept for the review page.
        config = request.run_config["ops"]["repair_asset"]["config"]
        store = RepairStore.for_settings(settings)
        repair = store.get(config["repair_id"])
        assert repair is not None and repair.status == "awaiting_approval" and repair.asset == ASSET
        assert config["trigger"] == f"run:{failed.run_id}" and repair.triggers == [config["trigger"]]
        assert PreviewCache.for_settings(settings).latest(repair.repair_id) is not None

        result = defs.resolve_job_def(REPAIR_JOB).execute_in_process(run_config=request.run_config, instance=instance)
        assert result.success and result.output_for_node("repair_asset") == repair.repair_id
        assert [r.repair_id for r in store.list(asset=ASSET)] == [repair.repair_id]
        observation = instance.fetch_observations(dg.AssetKey(ASSET), limit=1).records[0].asset_observation
        assert observation.metadata["proposal"].value == proposal_url(repair.repair_id)
        assert observation.metadata["repair_status"].value == "awaiting_approval"


def test_past_its_repair_budget_the_sensor_leaves_the_repair_to_its_run(
    fresh_tier2, drift, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sensor evaluation bounded at 0 s has no time to repair: the run it requests investigates instead.
    monkeypatch.setenv(SENSOR_TIMEOUT_ENV, "0")
    settings = fresh_tier2
    with dg.DagsterInstance.ephemeral() as instance:
        defs, (request,), failed = _failure_seen_by_the_sensor(settings, drift, instance)
        config = request.run_config["ops"]["repair_asset"]["config"]
        assert "repair_id" not in config and config["trigger"] == f"run:{failed.run_id}"
        store = RepairStore.for_settings(settings)
        assert store.list(asset=ASSET) == []

        result = defs.resolve_job_def(REPAIR_JOB).execute_in_process(run_config=request.run_config, instance=instance)
        assert result.success
        (repair,) = store.list(asset=ASSET)
        assert result.output_for_node("repair_asset") == repair.repair_id
        assert repair.status == "awaiting_approval" and repair.triggers == [config["trigger"]]


def _investigating(settings, repair_id: str) -> RepairRecord:  # noqa: ANN001
    repair = RepairRecord(repair_id=repair_id, asset=ASSET, tier=2, opened_at=datetime.now(UTC), alert="a failure")
    RepairStore.for_settings(settings).save(repair)
    return repair


def test_a_repair_run_waits_for_a_repair_still_investigated_and_gives_up_saying_so(fresh_tier2) -> None:
    settings = fresh_tier2
    repair = _investigating(settings, "rp-still-investigating")

    def file_it() -> None:
        time.sleep(1.0)
        RepairStore.for_settings(settings).save(repair.model_copy(update={"status": "escalated"}))

    filer = threading.Thread(target=file_it)
    filer.start()
    assert wait_until_filed(settings, repair.repair_id, timeout=60).status == "escalated"
    filer.join()

    _investigating(settings, "rp-never-filed")
    with pytest.raises(dg.Failure, match="still being investigated"):
        wait_until_filed(settings, "rp-never-filed", timeout=0.6)
    with pytest.raises(dg.Failure, match="not in the repair store"):
        wait_until_filed(settings, "rp-unknown", timeout=0.6)
