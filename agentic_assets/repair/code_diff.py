"""The asset's code history as the agent sees it: versions, deploy times, approvers, what the last deploy changed."""

from __future__ import annotations

import difflib
from datetime import datetime

from pydantic import BaseModel, Field

from agentic_assets.repair.sql_rewrite import cast_targets, conjuncts
from agentic_assets.repair.view import AssetView


class VersionInfo(BaseModel):
    version: str
    deployed_at: datetime | None = None
    approved_by: str | None = None
    model_id: str | None = None
    current: bool = False
    ran_last_good: bool = False


class CodeHistoryReport(BaseModel):
    versions: list[VersionInfo] = Field(default_factory=list)
    current_version: str | None = None
    last_good_version: str | None = None
    changed_since_last_good: bool = False
    deployed_after_last_good_run: bool = False
    previous_version: str | None = None
    diff: str = Field(default="", description="unified diff, previous version -> current")
    conditions_removed: list[str] = Field(default_factory=list)
    conditions_added: list[str] = Field(default_factory=list)
    casts_added: list[str] = Field(
        default_factory=list, description="'column AS TYPE' casts of the current version the previous one lacks"
    )
    source: str = Field(default="", description="where the history was read: git (log and blame) or sqlite")
    blame: list[str] = Field(
        default_factory=list, description="git blame of the current code: 'line: commit (approver) text'"
    )


def _body(sql: str) -> str:
    """The SQL without its provenance header (comment lines at the top)."""
    lines = sql.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines).strip()


def code_history(view: AssetView) -> CodeHistoryReport:
    versions = view.code_versions()
    good = view.last_good()
    report = CodeHistoryReport(
        current_version=view.code_version,
        last_good_version=good.code_version if good else None,
    )
    report.source = "git" if any(v.source == "git" for v in versions) else ("sqlite" if versions else "")
    if versions:
        report.blame = [
            f"{b['line']}: {str(b['commit'])[:12]} ({b.get('approver') or 'unknown'}) {b['text']}"
            for b in versions[-1].blame
            if str(b.get("text", "")).strip() and not str(b.get("text", "")).lstrip().startswith("--")
        ]
    for v in versions:
        report.versions.append(
            VersionInfo(
                version=v.version,
                deployed_at=v.deployed_at,
                approved_by=v.approved_by,
                model_id=v.model_id,
                current=v.current,
                ran_last_good=good is not None and v.version == good.code_version,
            )
        )
    if good is None or not versions:
        return report
    current = versions[-1]
    report.changed_since_last_good = good.code_version is not None and current.version != good.code_version
    if current.deployed_at is not None:
        report.deployed_after_last_good_run = current.deployed_at > good.started_at
    previous = next((v for v in reversed(versions[:-1]) if v.version == good.code_version), None)
    if previous is None and len(versions) > 1:
        previous = versions[-2]
    if previous is None:
        return report
    report.previous_version = previous.version
    before, after = _body(previous.sql), _body(current.sql)
    report.diff = "\n".join(
        difflib.unified_diff(before.splitlines(), after.splitlines(), "previous", "current", lineterm="", n=1)
    )
    try:
        old, new = set(conjuncts(before)), set(conjuncts(after))
        report.conditions_removed = sorted(old - new)
        report.conditions_added = sorted(new - old)
        old_casts = {f"{c} AS {t}" for c, t in cast_targets(before)}
        report.casts_added = sorted({f"{c} AS {t}" for c, t in cast_targets(after)} - old_casts)
    except Exception:  # noqa: BLE001 - a diff that does not parse still has its text
        pass
    return report
