"""Is the code about to run the code that was approved?

A frozen transform carries a header naming its approver and the sha256 of its body. Before it runs, the
body's hash is recomputed and checked against the header, and the header's (hash, approver) against the
approvals this deployment recorded (the audit log) or the code branch in git holds. Code that fails
either check is `modified`: tier 1 is re-validated in the sandbox before it runs, tiers 2 and 3 wait for
`agentic-assets code approve`. A deployment with no record of an asset's code at all (a fresh data folder,
no git) can only check the header against the body, and says so (`header only`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from agentic_assets.codegen.approvals import recorded_approvals
from agentic_assets.codegen.git_history import git_history_for
from agentic_assets.codegen.versioning import body_of, parse_header, sql_sha256
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset

IntegrityState = Literal["verified", "modified", "hand-written", "missing"]


class CodeIntegrity(BaseModel):
    state: IntegrityState
    recorded_in: Literal["audit", "git", "header only", ""] = ""
    body_sha256: str | None = None
    reason: str = ""


class CodeNotApproved(PermissionError):
    """The frozen code was changed after its approval, and nobody has approved the change."""


def verify_code(asset: LoadedAsset, settings: Settings) -> CodeIntegrity:
    if asset.sql is None:
        return CodeIntegrity(state="missing", reason="no code")
    meta = parse_header(asset.sql)
    if meta is None:
        return CodeIntegrity(state="hand-written", reason="no provenance header: the code claims no approval")
    digest = sql_sha256(body_of(asset.sql))
    where = asset.sql_path.name if asset.sql_path else asset.name
    if digest != meta.sql_sha256:
        return CodeIntegrity(
            state="modified",
            body_sha256=digest,
            reason=f"{where} was edited after it was frozen: its SQL's sha256 is {digest[:12]}, the header "
            f"approved by {meta.approver} says {meta.sql_sha256[:12]}",
        )
    approvals = recorded_approvals(settings, asset.name, asset.sql_path)
    if any(a["sql_sha256"] == digest and a["approver"] == meta.approver for a in approvals):
        return CodeIntegrity(state="verified", recorded_in="audit", body_sha256=digest)
    git = git_history_for(settings)
    git_versions = git.log(asset.sql_path) if git is not None and asset.sql_path is not None else []
    for v in git_versions:
        if v.text == asset.sql and v.approver == meta.approver and v.trailers.get("Sql-sha256") == digest:
            return CodeIntegrity(state="verified", recorded_in="git", body_sha256=digest)
    if approvals or git_versions:
        return CodeIntegrity(
            state="modified",
            body_sha256=digest,
            reason=f"{where} names {meta.approver} as its approver, but no approval of this code "
            f"(sha256 {digest[:12]}) by {meta.approver} is recorded in the audit log or the git code branch",
        )
    return CodeIntegrity(state="verified", recorded_in="header only", body_sha256=digest)


def require_approved(asset: LoadedAsset, settings: Settings) -> CodeIntegrity:
    """Raise CodeNotApproved for modified code; the message says how to approve it."""
    integrity = verify_code(asset, settings)
    if integrity.state == "modified":
        raise CodeNotApproved(not_approved_message(asset, integrity))
    return integrity


def not_approved_message(asset: LoadedAsset, integrity: CodeIntegrity) -> str:
    tier = asset.spec.tier
    then = (
        "tier 1 code is re-validated in the sandbox before it runs (agentic-assets materialize does it)"
        if tier == 1
        else "it will not run until a named person approves it"
    )
    return (
        f"{asset.name} (tier {tier}): {integrity.reason}; {then}: "
        f"agentic-assets code approve {asset.name} --approver NAME"
    )
