"""Where approved code is recorded: the audit log always, and the code branch in git where there is one.

Freezing generated code (`codegen.frozen`) and promoting a repair (`repair.frozen`) both record the body's
sha256 and the approver; `integrity.verify_code` checks the code about to run against these records.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from agentic_assets.audit import audit_log_for
from agentic_assets.codegen.git_history import CommitInfo, GitError, git_history_for
from agentic_assets.codegen.versioning import FrozenMeta
from agentic_assets.settings import Settings

# Audit records that approve a body of code for an asset (payload: sql_sha256, approver).
APPROVAL_KINDS = ("codegen.frozen", "repair.frozen")


def codegen_proposal_id(prompt_sha256: str) -> str:
    """Generated code has no proposal record of its own: the prompt it came from names it."""
    return f"codegen-{prompt_sha256[:12]}"


def commit_info(meta: FrozenMeta, proposal: str, summary: str) -> CommitInfo:
    return CommitInfo(
        asset=meta.asset,
        proposal=proposal,
        model=meta.model,
        prompt_sha256=meta.prompt_sha256,
        approver=meta.approver,
        sql_sha256=meta.sql_sha256,
        summary=summary,
    )


def commit_approved(settings: Settings, path: Path, text: str, info: CommitInfo) -> dict[str, Any]:
    """Commit approved code to the code branch (merging its pending branch); what happened, for the audit."""
    git = git_history_for(settings)
    if git is None:
        return {"git": "off"}
    try:
        return {"git_commit": git.merge_pending(path, text, info), "git_branch": git.branch}
    except GitError as err:  # the approval stands (it is in the audit log); the commit is reported missing
        return {"git_error": str(err)}


def commit_pending(settings: Settings, path: Path, text: str, info: CommitInfo) -> dict[str, Any]:
    """Commit code that awaits approval to its own branch."""
    git = git_history_for(settings)
    if git is None:
        return {"git": "off"}
    try:
        branch = git.pending_branch(info.asset, info.proposal)
        return {"git_commit": git.open_pending(path, text, info), "git_branch": branch}
    except GitError as err:
        return {"git_error": str(err)}


def commit_proposal(
    settings: Settings,
    *,
    asset: str,
    spec_fingerprint: str,
    path: Path,
    sql: str,
    model: str,
    prompt_sha256: str,
    proposal: str,
    summary: str,
) -> dict[str, Any]:
    """Code that awaits approval (a tier 2/3 candidate, a repair proposal), on its own branch."""
    from agentic_assets.codegen.versioning import render_frozen, sql_sha256

    body = sql.strip() + "\n"
    meta = FrozenMeta(
        asset=asset,
        spec_fingerprint=spec_fingerprint,
        model=model,
        prompt_sha256=prompt_sha256,
        approver="(awaiting approval)",
        frozen_at="",
        sql_sha256=sql_sha256(body),
    )
    info = commit_info(meta, proposal, summary).model_copy(update={"approver": ""})
    return commit_pending(settings, path, render_frozen(body, meta), info)


def drop_proposal(settings: Settings, asset: str, proposal: str) -> None:
    """A rejected proposal's branch is deleted (its commit stays in git's reflog until it expires)."""
    git = git_history_for(settings)
    if git is not None:
        # Nothing to drop, or git refused: the rejection itself is in the audit log.
        with contextlib.suppress(GitError):
            git.drop_pending(asset, proposal)


def approval_location(path: Path) -> str:
    """The file an approval is for: two copies of a project (a scratch copy of the specs, say) sharing one
    audit log do not vouch for each other's code."""
    return str(Path(path).resolve())


def recorded_approvals(settings: Settings, asset: str, sql_path: Path | None = None) -> list[dict[str, Any]]:
    """Every approval of code for `asset` (at `sql_path`, when given) in the audit log:
    {sql_sha256, approver, kind, seq}. Records that name no file count for every copy."""
    records = audit_log_for(settings).records(asset=asset, kinds=APPROVAL_KINDS)
    where = approval_location(sql_path) if sql_path is not None else None
    return [
        {"sql_sha256": r.payload.get("sql_sha256"), "approver": r.payload.get("approver", r.actor), "kind": r.kind,
         "seq": r.seq}
        for r in records
        if where is None or r.payload.get("sql_path") in (None, where)
    ]  # fmt: skip
