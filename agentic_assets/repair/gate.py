"""The approval gate: approve, reject, or modify-then-approve a validated repair; approval leads to promotion."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from agentic_assets.codegen.approvals import drop_proposal
from agentic_assets.materialize.wap import MaterializationOutcome, ProgressHook
from agentic_assets.repair.audit_trail import record
from agentic_assets.repair.compose import compose
from agentic_assets.repair.contracts import Proposal, RepairPlan, RepairRecord, Verdict
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
    clock = started or time.perf_counter()
    record_approval(settings, repair_id, approver, modified_sql=modified_sql, now=now)
    repair, _ = apply_approved(settings, repair_id, now=now, prompt=prompt, started=clock if started else None)
    return repair


def record_approval(
    settings: Settings,
    repair_id: str,
    approver: str,
    *,
    modified_sql: str | None = None,
    now: datetime | None = None,
    via: str = "cli",
) -> RepairRecord:
    """The decision alone: re-validate a modified proposal in the sandbox, then record who approved it.

    Nothing is applied here; `apply_approved` applies it (and checks the approval again)."""
    store, repair = _load(settings, repair_id)
    if repair.status != "awaiting_approval":
        raise GateError(f"repair {repair_id} is {repair.status}, not awaiting approval")
    if repair.approved_by:
        raise GateError(f"repair {repair_id} is already approved by {repair.approved_by}")
    if not approver or not approver.strip():
        raise GateError("an approval needs the approver's name")
    if approver.startswith(POLICY_PREFIX) and repair.tier != 1:
        raise GateError(f"tier {repair.tier} changes need a person's approval, not {approver}")
    if modified_sql is not None:
        verdict = _validate_modified(settings, repair, modified_sql, now=now)
        if not verdict.ok:
            raise GateError(f"the modified proposal failed the sandbox: {verdict.brief()}")
    repair.approved_by = approver
    repair.approved_at = datetime.now(UTC)
    store.save(repair)
    record(settings, "decision.approved", actor=approver, asset=repair.asset,
           payload={"repair_id": repair_id, "tier": repair.tier, "modified": modified_sql is not None,
                    "at": repair.approved_at.isoformat(), "via": via})  # fmt: skip
    return repair


def validate_modified(settings: Settings, repair_id: str, modified_sql: str, *, now: datetime | None = None) -> Verdict:
    """Validate a reviewer's edit of the SQL in the sandbox, without approving it; a valid edit is kept."""
    store, repair = _load(settings, repair_id)
    if repair.status != "awaiting_approval":
        raise GateError(f"repair {repair_id} is {repair.status}, not awaiting approval")
    return _validate_modified(settings, repair, modified_sql, now=now)


def _validate_modified(settings: Settings, repair: RepairRecord, modified_sql: str, *, now: datetime | None) -> Verdict:
    """Compose the edit with the plan's other proposals, run it in the sandbox; a passing edit replaces the plan."""
    project = load_for_repair(settings)
    view = AssetView(settings, project, repair.asset, now=now)
    kept = [p for p in repair.plan.proposals if p.kind not in ("code_change", "schema_evolution", "rollback")]
    # The edit reads the catalog tables the proposal added, like the proposal did (still shown for approval).
    added = sorted({s for p in repair.plan.proposals for s in p.add_sources})
    edit = Proposal(kind="code_change", sql=modified_sql, summary="modified by the reviewer", add_sources=added)
    plan = RepairPlan(proposals=[edit, *kept])
    columns = {s: view.source_table(s).column_names for s in view.sources}
    repaired = compose(plan, modified_sql, view.checks_text, view.run_limits(), columns)
    verdict, _ = validate(view, repaired, now=now)
    payload = {"repair_id": repair.repair_id, "modified": True, **verdict.model_dump(mode="json", exclude={"sample"})}
    record(settings, "repair.sandbox_verdict", actor="sandbox", asset=repair.asset, payload=payload)
    if verdict.ok:
        repair.plan, repair.verdict = plan, verdict
        repair.repaired_sql, repair.repaired_checks = repaired.sql, repaired.checks
        RepairStore.for_settings(settings).save(repair)
    return verdict


def apply_approved(
    settings: Settings,
    repair_id: str,
    *,
    now: datetime | None = None,
    prompt: str = "",
    started: float | None = None,
    on_progress: ProgressHook | None = None,
) -> tuple[RepairRecord, MaterializationOutcome | None]:
    """Apply an approved repair and re-materialize it; the approval is checked again by `promote`.

    `on_progress` hears each stage of the re-materialization (read, transform, stage, audit, publish, done)."""
    store, repair = _load(settings, repair_id)
    if repair.status != "awaiting_approval":
        raise GateError(f"repair {repair_id} is {repair.status}, not awaiting approval")
    repair, outcome = promote(settings, repair, now=now, prompt=prompt, on_progress=on_progress)
    if repair.status == "promoted" and started is not None:
        repair.seconds_to_green = round(time.perf_counter() - started, 3)
    store.save(repair)
    return repair, outcome


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
