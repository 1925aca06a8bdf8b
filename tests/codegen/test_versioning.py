"""Freezing, staleness, the tier gate and the audit entry, through the real sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentic_assets.audit import audit_log_for
from agentic_assets.codegen import AwaitingApproval, approve_pending, code_status, ensure_code
from agentic_assets.codegen.versioning import parse_header
from agentic_assets.specs.loader import load_project

TIER1 = "channel_country_daily"
TIER2 = "merchant_subcategory_daily_totals"


def test_tier1_freezes_automatically_and_goes_stale(workspace, drop_sql, write_spec):
    drop_sql(workspace, TIER1)
    project = load_project(workspace)
    assert code_status(project.assets[TIER1], workspace).state == "missing"
    updated = ensure_code(project.assets[TIER1], project, workspace)
    meta = parse_header(updated.sql)
    assert meta is not None and meta.approver == "auto (tier 1)" and meta.model == "builtin"
    assert updated.sql_path == Path(workspace.specs_dir) / "retail_bank" / f"{TIER1}.sql"
    assert set(updated.output_schema) == {"day", "channel", "country", "txn_count", "total_amount"}
    assert code_status(load_project(workspace).assets[TIER1], workspace).state == "fresh"
    # ensure_code on fresh code does nothing
    assert ensure_code(project.assets[TIER1], project, workspace) is project.assets[TIER1]

    spec = Path(workspace.specs_dir) / "retail_bank" / f"{TIER1}.yaml"
    spec.write_text(spec.read_text().replace("count of transactions", "count of transactions (all channels)"))
    status = code_status(load_project(workspace).assets[TIER1], workspace)
    assert status.state == "stale" and status.frozen_fingerprint != status.spec_fingerprint


def test_tier2_waits_for_a_named_approver(workspace, drop_sql, write_spec):
    drop_sql(workspace, TIER2)
    project = load_project(workspace)
    with pytest.raises(AwaitingApproval, match="code approve"):
        ensure_code(project.assets[TIER2], project, workspace)
    assert not (Path(workspace.specs_dir) / "retail_bank" / f"{TIER2}.sql").exists()
    assert code_status(project.assets[TIER2], workspace).pending
    # asking again does not regenerate silently; it still waits
    with pytest.raises(AwaitingApproval):
        ensure_code(project.assets[TIER2], project, workspace)

    updated = approve_pending(project.assets[TIER2], project, workspace, approver="alice")
    assert parse_header(updated.sql).approver == "alice"  # type: ignore[union-attr]

    log = audit_log_for(workspace)
    frozen = log.records(asset=TIER2, kind="codegen.frozen")[-1]
    p = frozen.payload
    assert frozen.actor == "alice"
    for key in ("spec_fingerprint", "model", "prompt_sha256", "approver", "frozen_at", "sql", "sandbox_verdict"):
        assert p[key], key
    assert p["spec_fingerprint"] == project.assets[TIER2].spec.fingerprint()
    assert p["sandbox_verdict"]["ok"] is True and p["sandbox_verdict"]["checks_passed"] == 5
    assert p["validation"] == "ok" and p["tier"] == 2
    prompt = Path(workspace.state_dir) / "prompts" / f"{p['prompt_sha256']}.txt"
    assert "Daily total and count of transactions" in prompt.read_text()
    kinds = [r.kind for r in log.records(asset=TIER2)]
    assert kinds == ["codegen.attempt", "codegen.pending", "codegen.approved", "codegen.frozen"]
    assert log.verify().ok


def test_approval_with_ensure_code(workspace, drop_sql, write_spec):
    drop_sql(workspace, TIER2)
    project = load_project(workspace)
    updated = ensure_code(project.assets[TIER2], project, workspace, approver="bob")
    assert parse_header(updated.sql).approver == "bob"  # type: ignore[union-attr]
