"""A deploy beside bad rows: the transform changed since the last good run and the data carries bad rows (null
keys, a replayed batch) that could explain the failed checks. Whether the deploy is a cause is measured in the
sandbox, not assumed, with three candidates: the rollback alone, the data repair alone, and both.

- The rollback alone passes: the last good version handles the data as it is now, so the deploy is the cause
  (rows it now lets through were there before, and the old version kept them out).
- Otherwise, the data repair alone and with the rollback both pass with the same output: the deploy changes no
  row (a rewrite that means the same) and is no cause; the smaller repair wins.
- Both pass with different outputs: the deploy changes what the asset computes on the same data, and the
  version that ran green is the trusted one, so both causes are repaired.
"""

from __future__ import annotations

from agentic_assets.repair.candidates import Evaluation
from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding

LABEL = "deploy"


def decide(evaluation: Evaluation, rollback: Finding, data: list[Finding]) -> list[Finding] | None:
    """The repair the three candidates' results call for; None when they were not run as named here."""
    results = {r.name: r for r in evaluation.results}
    alone, fix, both = (results.get(f"{LABEL}#{i}") for i in range(3))
    if alone is None or fix is None or both is None:
        return None
    if alone.passes_checks:
        return [rollback]
    if fix.passes_checks and both.passes_checks:
        return data if fix.fingerprint == both.fingerprint else [*data, rollback]
    if both.passes_checks:
        return [*data, rollback]
    if fix.passes_checks:
        return data
    return [
        Finding(
            category="data_quality",
            remediation="escalate",
            cause="neither the rollback, the repair of the bad rows, nor both pass the asset's checks",
            evidence=["code_history", "column_profiles", "evaluate_candidates"],
            confidence=0.6,
            escalate_reason="no candidate repair of the deploy and the bad rows passes the checks",
        )
    ]


def deploy_options(ev: Evidence, rollback: Finding, data: list[Finding]) -> list[Finding]:
    """The repair for a deploy beside bad rows, pending until the sandbox has run the three candidates."""
    if not data:
        return [rollback]
    options = [[rollback], data, [*data, rollback]]
    raw = ev.obs.get("evaluate_candidates")
    if raw is None:
        ev.pending.append((LABEL, options))
        return []
    decided = decide(Evaluation.model_validate(raw), rollback, data)
    # Evaluated jointly with another cause's options: the sandbox's choice of the combination stands.
    return decided if decided is not None else ev.choose(LABEL, options)
