"""Approved code is verified where it runs: a hand edit after approval is `modified` and does not run
unapproved (tier 2/3), or is re-validated in the sandbox first (tier 1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentic_assets.audit import audit_log_for
from agentic_assets.codegen import AwaitingApproval, GenerationError, code_status, ensure_code
from agentic_assets.codegen.integrity import CodeNotApproved
from agentic_assets.codegen.versioning import body_of, parse_header, sql_sha256
from agentic_assets.materialize.wap import materialize
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.tables.registry import store_for

TIER3 = "high_value_transactions"
TIER1 = "channel_country_daily"


def _sql_path(settings: Settings, name: str) -> Path:
    return Path(settings.specs_dir) / "retail_bank" / f"{name}.sql"


def _frozen(settings: Settings, name: str, approver: str | None) -> None:
    _sql_path(settings, name).unlink(missing_ok=True)
    project = load_project(settings)
    ensure_code(project.assets[name], project, settings, approver=approver)


def _edit_body(path: Path, new_body: str) -> None:
    text = path.read_text(encoding="utf-8")
    header = text[: len(text) - len(body_of(text))]
    path.write_text(header + new_body, encoding="utf-8")


def test_a_hand_edited_tier3_file_is_modified_and_refuses_to_run(
    workspace: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _frozen(workspace, TIER3, approver="alice")
    path = _sql_path(workspace, TIER3)
    body = body_of(path.read_text(encoding="utf-8"))
    _edit_body(path, body.rstrip() + "\nLIMIT 5\n")  # an edit nobody approved

    project = load_project(workspace)
    asset = project.assets[TIER3]
    status = code_status(asset, workspace)
    assert status.state == "modified"
    assert "edited after it was frozen" in status.reason and "alice" in status.reason

    with pytest.raises(CodeNotApproved, match=f"will not run until a named person approves it.*code approve {TIER3}"):
        materialize(asset, project, workspace)
    assert store_for(workspace, asset.spec.sink).published_version() is None  # nothing ran, nothing published
    # An approver given for generated code does not approve a hand edit nobody reviewed.
    with pytest.raises(AwaitingApproval, match="will not run until a named person approves it"):
        ensure_code(asset, project, workspace, approver="demo-approver")

    from typer.testing import CliRunner

    from agentic_assets.cli.main import app

    monkeypatch.setenv("AGENTIC_SPECS_DIR", str(workspace.specs_dir))
    monkeypatch.setenv("AGENTIC_DATA_DIR", str(workspace.data_dir))
    shown = CliRunner().invoke(app, ["code", "status"])
    assert shown.exit_code == 0, shown.output
    out = " ".join(shown.output.split())
    assert "modified" in out and f"will not run until approved: agentic-assets code approve {TIER3}" in out

    edited = path.read_text(encoding="utf-8")
    kept = CliRunner().invoke(app, ["generate", TIER3])
    assert kept.exit_code == 0 and "edited after approval" in " ".join(kept.output.split())
    assert path.read_text(encoding="utf-8") == edited  # generate does not overwrite the edit unasked

    approved = CliRunner().invoke(app, ["code", "approve", TIER3, "--approver", "carol"])
    assert approved.exit_code == 0, approved.output
    approved = load_project(workspace).assets[TIER3]
    meta = parse_header(approved.sql)
    assert meta is not None and meta.approver == "carol" and meta.model.startswith("edited by hand")
    assert "LIMIT 5" in body_of(approved.sql)
    project = load_project(workspace)
    status = code_status(project.assets[TIER3], workspace)
    assert status.state == "fresh" and status.verified_by == "audit"
    assert materialize(project.assets[TIER3], project, workspace).published


def test_a_rewritten_header_without_a_recorded_approval_is_modified(workspace: Settings) -> None:
    _frozen(workspace, TIER3, approver="alice")
    path = _sql_path(workspace, TIER3)
    text = path.read_text(encoding="utf-8")
    new_body = body_of(text).rstrip() + "\nLIMIT 5\n"
    # The editor also updates the hash in the header, keeping alice's name on it.
    header = text[: len(text) - len(body_of(text))]
    header = re.sub(r"-- sql_sha256: \w+", f"-- sql_sha256: {sql_sha256(new_body)}", header)
    path.write_text(header + new_body, encoding="utf-8")

    project = load_project(workspace)
    status = code_status(project.assets[TIER3], workspace)
    assert status.state == "modified"
    assert "no approval of this code" in status.reason
    with pytest.raises(CodeNotApproved):
        materialize(project.assets[TIER3], project, workspace)


def test_a_tier1_edit_is_revalidated_in_the_sandbox_before_it_runs(workspace: Settings) -> None:
    _frozen(workspace, TIER1, approver=None)
    path = _sql_path(workspace, TIER1)
    _edit_body(path, body_of(path.read_text(encoding="utf-8")).rstrip() + "\nLIMIT 100000\n")
    project = load_project(workspace)
    assert code_status(project.assets[TIER1], workspace).state == "modified"

    updated = ensure_code(project.assets[TIER1], project, workspace)

    meta = parse_header(updated.sql)
    assert meta is not None and meta.approver == "auto (tier 1)" and meta.model.startswith("edited by hand")
    assert "checks passed" in meta.sandbox
    kinds = [r.kind for r in audit_log_for(workspace).records(asset=TIER1)]
    assert kinds[-2:] == ["codegen.revalidated", "codegen.frozen"]
    project = load_project(workspace)
    assert code_status(project.assets[TIER1], workspace).state == "fresh"
    assert materialize(project.assets[TIER1], project, workspace).published


def test_a_tier1_edit_that_fails_validation_does_not_run_and_is_kept(workspace: Settings) -> None:
    _frozen(workspace, TIER1, approver=None)
    path = _sql_path(workspace, TIER1)
    _edit_body(path, "SELECT 1 AS x\n")
    edited = path.read_text(encoding="utf-8")
    project = load_project(workspace)
    with pytest.raises(GenerationError, match="edited code fails validation"):
        ensure_code(project.assets[TIER1], project, workspace)
    assert path.read_text(encoding="utf-8") == edited  # the person's edit is not thrown away
    assert code_status(load_project(workspace).assets[TIER1], workspace).state == "modified"
