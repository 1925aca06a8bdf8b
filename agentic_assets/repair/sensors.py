"""Dagster wiring: a run-failure sensor that repairs each asset whose run or blocking check failed.

The sensor runs the repair itself, in its own evaluation: that happens in the code server, which has the
project and every module already loaded, whereas a repair run's worker process took 10 to 16 s to start on a
loaded machine before the agent's 3 s of work began. The sensor then requests one repair run per failed run
and asset (the run key), which reports the filed repair on the asset: its status, diagnosis, review and the
proposal's URL. Should the repair fail in the sensor, the run investigates instead; a failure while a repair of
the same asset is open joins it (in `start_repair`), so a failure still opens one repair.

Bounds: a sensor evaluation has Dagster's sensor timeout (`DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS`, 60 s by
default), and a code server being replaced lets it finish within its shutdown grace period. A tick that times
out is evaluated again: its repair, still running or filed, is joined, and the run waits for it to be filed.
The sensor repairs only within half of that bound; when many assets fail at once, the rest are investigated by
their own repair runs.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

import dagster as dg

from agentic_assets.review_app.config import asset_review_url, proposal_url
from agentic_assets.settings import Settings

if TYPE_CHECKING:
    from agentic_assets.repair.contracts import RepairRecord

REPAIR_JOB = "agentic_repair"
REPAIR_SENSOR = "repair_on_failure"
LATE_DATA_SENSOR = "late_data_wait"
# How often the sensor looks for landed data: deliveries land on the scale of minutes, and each look runs
# the asset's checks once in a sandbox per waiting repair, so once a minute is prompt and cheap.
LATE_DATA_INTERVAL_S = 60
APPLY_JOB = "apply_proposal"  # its own failures are the reviewer's to see, not a new incident
# How often the daemon looks for failed runs: the most a failure waits for its repair run to be requested.
# A tick is one event-log query, so a few seconds costs little; Dagster's default (30 s) made the wait ~16 s.
SENSOR_INTERVAL_S = 3
# How long a repair run waits for the repair the sensor is still investigating (a tick that timed out): the
# agent's own limits end an investigation within minutes; past this the run fails and says so.
FILED_WAIT_S = 600.0
# How often it looks meanwhile: a store read is a few milliseconds.
FILED_POLL_S = 0.5
# Dagster's own bound on one sensor evaluation, and the share of it the sensor spends repairing: a repair takes
# seconds, so those started within the first half finish inside the bound; assets past it (many failed at once)
# are investigated by their repair runs, side by side, instead of one after another in a single evaluation.
SENSOR_TIMEOUT_ENV = "DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS"
SENSOR_TIMEOUT_DEFAULT_S = 60.0
SENSOR_REPAIR_SHARE = 0.5


def wait_until_filed(settings: Settings, repair_id: str, timeout: float = FILED_WAIT_S) -> RepairRecord:
    """The repair the sensor opened, once it is no longer being investigated."""
    from agentic_assets.repair.store import RepairStore

    store = RepairStore.for_settings(settings)
    deadline = time.monotonic() + timeout
    while True:
        repair = store.get(repair_id)
        if repair is None:
            raise dg.Failure(description=f"repair {repair_id} is not in the repair store", allow_retries=False)
        if repair.status != "investigating":
            return repair
        if time.monotonic() >= deadline:
            raise dg.Failure(
                description=f"repair {repair_id} of {repair.asset} is still being investigated after {timeout:.0f} s",
                allow_retries=False,
            )
        time.sleep(FILED_POLL_S)


def repair_job(settings: Settings) -> dg.JobDefinition:
    config = {
        "asset": str,
        "trigger": dg.Field(str, default_value="manual"),
        "repair_id": dg.Field(str, default_value="", description="a repair already opened (by the sensor)"),
    }

    @dg.op(name="repair_asset", config_schema=config)
    def repair_asset(context):  # noqa: ANN001, ANN202 - Dagster reads the bare `context`
        from agentic_assets.repair.review import review_markdown
        from agentic_assets.repair.service import start_repair

        asset, trigger = context.op_config["asset"], context.op_config["trigger"]
        if context.op_config["repair_id"]:
            repair = wait_until_filed(settings, context.op_config["repair_id"])
        else:
            repair = start_repair(settings, asset, trigger=trigger)
        context.log.info(
            f"repair {repair.repair_id} of {asset}: {repair.status}; review: {proposal_url(repair.repair_id)}"
        )
        yield dg.AssetObservation(
            asset_key=dg.AssetKey(asset),
            metadata={
                "repair_id": repair.repair_id,
                "repair_status": repair.status,
                "diagnosis": ", ".join(repair.diagnosis.category) if repair.diagnosis else "-",
                "proposal": dg.MetadataValue.url(proposal_url(repair.repair_id)),
                "review": dg.MetadataValue.md(review_markdown(repair)),
            },
        )
        if repair.status == "awaiting_approval":
            from agentic_assets.review_app.failing_preview import failing_preview

            failing_preview(settings, repair)  # kept for the review page, which then opens without replaying
        yield dg.Output(repair.repair_id)

    # One op: run it in the run worker itself instead of a second process that imports everything again.
    @dg.job(
        name=REPAIR_JOB,
        description="Diagnose a failed asset, validate a fix in the sandbox, gate it.",
        executor_def=dg.in_process_executor,
    )
    def _job() -> None:
        repair_asset()

    return _job


def failed_assets(instance: dg.DagsterInstance, run_id: str, step_key: str | None, known: set[str]) -> list[str]:
    """Assets of a failed run whose step failed or whose blocking check failed."""
    found: list[str] = []
    records = instance.get_records_for_run(
        run_id, of_type={dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.STEP_FAILURE}
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = event.event_specific_data
            if not data.passed:
                found.append(data.asset_key.to_user_string())
        elif event.step_key in known:
            found.append(event.step_key)
    if step_key in known:
        found.append(step_key)
    return sorted({a for a in found if a in known})


def sensor_repair_budget_s() -> float:
    """Seconds of one sensor evaluation that may be spent repairing in the sensor itself."""
    try:
        timeout = float(os.environ.get(SENSOR_TIMEOUT_ENV, "") or SENSOR_TIMEOUT_DEFAULT_S)
    except ValueError:
        timeout = SENSOR_TIMEOUT_DEFAULT_S
    return max(timeout, 0.0) * SENSOR_REPAIR_SHARE


def _repair_in_sensor(context, settings: Settings, asset: str, trigger: str) -> dict[str, str]:  # noqa: ANN001
    """Open and investigate the repair here; the run config that makes its run join it (empty on failure)."""
    from agentic_assets.repair.service import start_repair

    try:
        repair = start_repair(settings, asset, trigger=trigger)
    except Exception as err:  # noqa: BLE001 - the repair run investigates instead
        context.log.warning(f"repair of {asset} in the sensor failed, the repair run retries it: {err}")
        return {}
    if repair.status == "awaiting_approval":
        from agentic_assets.review_app.failing_preview import failing_preview

        failing_preview(settings, repair)  # kept for the review page: it opens without replaying
    return {"repair_id": repair.repair_id}


def repair_sensors(settings: Settings) -> list[dg.SensorDefinition]:
    job = repair_job(settings)

    @dg.run_failure_sensor(
        name=REPAIR_SENSOR,
        request_job=job,
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=SENSOR_INTERVAL_S,
        description="Start a repair run for every asset whose materialization or blocking check failed.",
    )
    def _sensor(context):  # noqa: ANN001, ANN202 - Dagster reads the bare `context`
        from agentic_assets.specs.loader import load_project

        if context.dagster_run.job_name in (REPAIR_JOB, APPLY_JOB):
            return
        known = set(load_project(settings).assets)
        step_key = context.failure_event.step_key if context.failure_event else None
        run_id = context.dagster_run.run_id
        started, budget = time.monotonic(), sensor_repair_budget_s()
        for asset in failed_assets(context.instance, run_id, step_key, known):
            config = {"asset": asset, "trigger": f"run:{run_id}"}
            if time.monotonic() - started < budget:
                config.update(_repair_in_sensor(context, settings, asset, config["trigger"]))
            else:
                context.log.info(f"repair of {asset} is left to its repair run: this evaluation spent {budget:.0f} s")
            yield dg.RunRequest(
                run_key=f"{run_id}:{asset}",
                run_config={"ops": {"repair_asset": {"config": config}}},
                tags={"agentic/repair_of": asset, "agentic/review": asset_review_url(asset)},
            )

    @dg.sensor(
        name=LATE_DATA_SENSOR,
        minimum_interval_seconds=LATE_DATA_INTERVAL_S,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Re-materialize assets whose repair waits for late data once it has landed; escalate overdue.",
    )
    def _late_data(context):  # noqa: ANN001, ANN202 - Dagster reads the bare `context`
        from agentic_assets.repair.late_data import poll_waiting

        outcomes = poll_waiting(settings)
        for o in outcomes:
            context.log.info(f"repair {o.repair_id} of {o.asset}: {o.status} ({o.note})")
        return dg.SkipReason(", ".join(f"{o.asset}: {o.status}" for o in outcomes) or "no repair waits for data")

    return [_sensor, _late_data]
