"""The repair path, as the sensor and `agentic-assets repair` start it: open (or join) a repair, investigate,
validate, and pass the result through the approval gate (tier 1 is promoted at once)."""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import UTC, datetime

from agentic_assets.repair.agent import Investigation, investigate
from agentic_assets.repair.audit_trail import record, record_investigation
from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.gate import TIER1_POLICY, approve
from agentic_assets.repair.project_load import load_for_repair
from agentic_assets.repair.store import RepairStore
from agentic_assets.repair.view import AssetView
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset


def _commit_proposal(settings: Settings, asset: LoadedAsset, repair: RepairRecord, prompt: str) -> None:
    """The proposed code on its own git branch until it is approved (merged) or rejected (deleted)."""
    from agentic_assets.codegen.approvals import commit_proposal
    from agentic_assets.codegen.versioning import body_of, frozen_path

    commit_proposal(
        settings,
        asset=asset.name,
        spec_fingerprint=asset.spec.fingerprint(),
        path=asset.sql_path or frozen_path(asset),
        sql=body_of(repair.repaired_sql or ""),
        model=repair.model_id,
        prompt_sha256=hashlib.sha256(prompt.encode()).hexdigest()[:16],
        proposal=repair.repair_id,
        summary=f"{asset.name}: repair {repair.repair_id} awaiting approval",
    )


def new_repair_id() -> str:
    return "rp-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]


def alert_for(view: AssetView) -> str:
    failed = view.failed_run()
    if failed is None:
        return f"{view.name}: repair requested by hand (no failed run on record)"
    if failed.error:
        return f"{view.name} run failed: {failed.error.splitlines()[0][:300]}"
    return f"{view.name} check failed: {'; '.join(failed.failed_checks)[:300]}"


def start_repair(
    settings: Settings,
    asset: str,
    *,
    trigger: str = "manual",
    alert: str | None = None,
    now: datetime | None = None,
    model: str | None = None,
    promote_tier1: bool = True,
) -> RepairRecord:
    """Open a repair for `asset` (or join the open one) and run the agent through validation and the gate."""
    return run_repair(settings, asset, trigger=trigger, alert=alert, now=now, model=model, promote_tier1=promote_tier1)[
        0
    ]


def run_repair(
    settings: Settings,
    asset: str,
    *,
    trigger: str = "manual",
    alert: str | None = None,
    now: datetime | None = None,
    model: str | None = None,
    promote_tier1: bool = True,
) -> tuple[RepairRecord, Investigation | None]:
    """`start_repair`, also returning the agent's investigation (None when the failure joined an open repair)."""
    store = RepairStore.for_settings(settings)
    open_repair = store.open_for(asset)
    if open_repair is not None:
        if trigger not in open_repair.triggers:
            open_repair.triggers.append(trigger)
            store.save(open_repair)
            record(settings, "repair.joined", actor="platform", asset=asset,
                   payload={"repair_id": open_repair.repair_id, "trigger": trigger})  # fmt: skip
        return open_repair, None
    clock = time.perf_counter()
    project = load_for_repair(settings)
    view = AssetView(settings, project, asset, now=now)
    model_setting = model or settings.model
    repair = RepairRecord(
        repair_id=new_repair_id(),
        asset=asset,
        tier=view.tier,
        opened_at=datetime.now(UTC),
        alert=alert or alert_for(view),
        triggers=[trigger],
        base_sql=view.sql,
    )
    store.save(repair)
    record(settings, "repair.opened", actor="platform", asset=asset,
           payload={"repair_id": repair.repair_id, "trigger": trigger, "alert": repair.alert})  # fmt: skip
    try:
        inv = investigate(view, repair.alert, model_setting=model_setting)
    except Exception as err:
        repair.status, repair.error = "failed", f"{type(err).__name__}: {err}"
        store.save(repair)
        record(settings, "repair.failed", actor="platform", asset=asset,
               payload={"repair_id": repair.repair_id, "error": repair.error})  # fmt: skip
        raise
    repair.model_id = inv.model_id
    repair.diagnosis = inv.diagnosis
    repair.plan = inv.plan
    repair.verdict = inv.verdict
    repair.trace = inv.trace
    repair.tool_calls = inv.tool_calls
    repair.seconds_to_proposal = inv.seconds_to_proposal
    if inv.repaired is not None:
        repair.repaired_sql = inv.repaired.sql
        repair.repaired_checks = inv.repaired.checks
    repair.status = "escalated" if inv.escalated else "awaiting_approval"
    store.save(repair)
    record_investigation(settings, repair, inv.prompt)
    if repair.status == "awaiting_approval" and repair.repaired_sql:
        _commit_proposal(settings, project.assets[asset], repair, inv.prompt)
    kind = "repair.escalated" if inv.escalated else "repair.awaiting_approval"
    payload = {"repair_id": repair.repair_id, "seconds": round(time.perf_counter() - clock, 3)}
    record(settings, kind, actor="platform", asset=asset, payload=payload)
    if repair.status == "awaiting_approval" and repair.tier == 1 and promote_tier1:
        repair = approve(settings, repair.repair_id, TIER1_POLICY, now=now, started=clock, prompt=inv.prompt)
    return repair, inv
