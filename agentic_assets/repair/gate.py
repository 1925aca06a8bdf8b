"""The approval gate: approve, reject, or modify-then-approve a validated repair; approval leads to promotion."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from agentic_assets.codegen.approvals import drop_proposal
from agentic_assets.repair.audit_trail import record
from agentic_assets.repair.compose import compose
from agentic_assets.repair.contracts import Proposal, RepairPlan, RepairRecord
from agentic_assets.repair.project_load import load_for_repair
from agentic_assets.repair.promotion import POLICY_PREFIX, promote
from agentic_assets.repair.store import RepairStore
from agentic_assets.repair.validation import validate
from agentic_assets.repair.view import AssetView
from agentic_assets.settings import Settings

TIER1_POLICY = f"{POLICY_PREFIX}tier-1-autonomy"


class GateError(RuntimeError):
    pass


def _load(settings: Settings, repair_id: str) -> tuple[RepairStore, RepairRecord]:
    store = RepairStore.for_settings(settings)
    repair = store.get(repair_id)
    if repair is None:
        raise GateError(f"no repair {repair_id}")
    return store, repair


def approve(
    settings: Settings,
    repair_id: str,
    approver: str,
    *,
    modified_sql: str | None = None,
    now: datetime | None = None,
    started: float | None = None,
    prompt: str = "",
) -> RepairRecord:
    """Record the approval, re-validate a modified proposal, and promote. Returns the updated repair."""
    store, repair = _load(settings, repair_id)
    if repair.status != "awaiting_approval":
        raise GateError(f"repair {repair_id} is {repair.status}, not awaiting approval")
    if not approver or not approver.strip():
        raise GateError("an approval needs the approver's name")
    if approver.startswith(POLICY_PREFIX) and repair.tier != 1:
        raise GateError(f"tier {repair.tier} changes need a person's approval, not {approver}")
    clock = started or time.perf_counter()
    if modified_sql is not None:
        project = load_for_repair(settings)
        view = AssetView(settings, project, repair.asset, now=now)
        kept = [p for p in repair.plan.proposals if p.kind not in ("code_change", "schema_evolution", "rollback")]
        plan = RepairPlan(proposals=[Proposal(kind="code_change", sql=modified_sql, summary="modified by the reviewer"),
                                     *kept])  # fmt: skip
        columns = {s: view.source_table(s).column_names for s in view.sources}
        repaired = compose(plan, modified_sql, view.checks_text, view.run_limits(), columns)
        verdict, _ = validate(view, repaired, now=now)
        payload = {"repair_id": repair_id, "modified": True, **verdict.model_dump(mode="json", exclude={"sample"})}
        record(settings, "repair.sandbox_verdict", actor="sandbox", asset=repair.asset, payload=payload)
        if not verdict.ok:
            raise GateError(f"the modified proposal failed the sandbox: {verdict.brief()}")
        repair.plan, repair.verdict = plan, verdict
        repair.repaired_sql, repair.repaired_checks = repaired.sql, repaired.checks
    repair.approved_by = approver
    repair.approved_at = datetime.now(UTC)
    store.save(repair)
    record(settings, "decision.approved", actor=approver, asset=repair.asset,
           payload={"repair_id": repair_id, "tier": repair.tier, "modified": modified_sql is not None,
                    "at": repair.approved_at.isoformat()})  # fmt: skip
    repair, _ = promote(settings, repair, now=now, prompt=prompt)
    if repair.status == "promoted":
        repair.seconds_to_green = round(time.perf_counter() - clock, 3) if started else None
    store.save(repair)
    return repair


def reject(settings: Settings, repair_id: str, approver: str, note: str = "") -> RepairRecord:
    store, repair = _load(settings, repair_id)
    if repair.status not in ("awaiting_approval", "escalated"):
        raise GateError(f"repair {repair_id} is {repair.status}")
    if not approver.strip():
        raise GateError("a rejection needs the reviewer's name")
    repair.status, repair.decided_note = "rejected", note or None
    repair.approved_by, repair.approved_at = None, None
    store.save(repair)
    drop_proposal(settings, repair.asset, repair_id)
    record(settings, "decision.rejected", actor=approver, asset=repair.asset,
           payload={"repair_id": repair_id, "note": note, "at": datetime.now(UTC).isoformat()})  # fmt: skip
    return repair
