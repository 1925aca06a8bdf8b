"""What a repair writes to the hash-chained audit log: the run, each trace step, proposals, verdicts, decisions."""

from __future__ import annotations

from typing import Any

from agentic_assets.audit import audit_log_for
from agentic_assets.repair.contracts import RepairRecord, TraceStep
from agentic_assets.settings import Settings

PLATFORM = "platform"


def record(settings: Settings, kind: str, *, actor: str, asset: str, payload: dict[str, Any]) -> None:
    audit_log_for(settings).append(kind, actor=actor, asset=asset, payload=payload)


def record_investigation(settings: Settings, repair: RepairRecord, prompt: str) -> None:
    """The agent run: model id and prompt, then each thought, tool call (arguments + observation digest),
    proposal, sandbox verdict and the diagnosis, in order."""
    log = audit_log_for(settings)
    actor, asset, rid = repair.model_id, repair.asset, repair.repair_id
    log.append("repair.agent_run", actor=actor, asset=asset, payload={"repair_id": rid, "model_id": actor,
                                                                        "prompt": prompt})  # fmt: skip
    pending: TraceStep | None = None
    for step in repair.trace:
        if step.kind == "thought":
            log.append("repair.reasoning", actor=actor, asset=asset, payload={"repair_id": rid, "text": step.text})
        elif step.kind in ("tool_call", "proposal"):
            if pending is not None:
                _call(log, actor, asset, rid, pending, None)
            pending = step
        elif step.kind in ("observation", "verdict") and pending is not None:
            _call(log, actor, asset, rid, pending, step)
            pending = None
        elif step.kind == "diagnosis":
            log.append("repair.diagnosis", actor=actor, asset=asset, payload={"repair_id": rid, **(step.args or {})})
    if pending is not None:
        _call(log, actor, asset, rid, pending, None)
    for p in repair.plan.proposals:
        log.append("repair.proposal", actor=actor, asset=asset, payload={"repair_id": rid, **p.model_dump()})
    if repair.verdict is not None:
        log.append(
            "repair.sandbox_verdict",
            actor="sandbox",
            asset=asset,
            payload={"repair_id": rid, **repair.verdict.model_dump(mode="json", exclude={"sample"})},
        )


def _call(log, actor: str, asset: str, rid: str, call: TraceStep, result: TraceStep | None) -> None:  # noqa: ANN001
    log.append(
        "repair.tool_call",
        actor=actor,
        asset=asset,
        payload={
            "repair_id": rid,
            "tool": call.tool,
            "arguments": call.args or {},
            "observation_digest": result.digest if result else None,
        },
    )


def approvals_of(settings: Settings, repair_id: str) -> list[dict[str, Any]]:
    """Recorded approval decisions of one repair (the gate's evidence at apply time)."""
    return [
        {"actor": r.actor, "ts": r.ts, **r.payload}
        for r in audit_log_for(settings).records(kind="decision.approved")
        if r.payload.get("repair_id") == repair_id
    ]
