"""Competitive generation: the best candidate by checks passed, then assumptions, then cost."""

from __future__ import annotations

import pytest

from agentic_assets.audit import audit_log_for
from agentic_assets.codegen import generate_code
from agentic_assets.codegen.contracts import Attempt, GeneratedSql, SandboxSummary
from agentic_assets.specs.loader import load_project


def _attempt(variant, *, ok=True, passed=5, assumptions=0, tokens=100):
    return Attempt(
        variant=variant,
        model_id="m",
        prompt_sha256="h",
        output=GeneratedSql(sql="SELECT 1", explanation="", columns=[], assumptions=["a"] * assumptions),
        sandbox=SandboxSummary(ok=ok, reason="ok" if ok else "checks_failed", message="", checks_passed=passed),
        tokens=tokens,
    )


def test_ranking_order():
    candidates = [
        _attempt(0, ok=False, passed=4),
        _attempt(1, assumptions=2),
        _attempt(2, assumptions=1, tokens=900),
        _attempt(3, assumptions=1, tokens=100),
    ]
    assert [a.variant for a in sorted(candidates, key=Attempt.rank)] == [3, 2, 1, 0]


@pytest.mark.slow
def test_candidates_are_all_sandboxed_and_audited(workspace, drop_sql):
    drop_sql(workspace, "channel_country_daily")
    project = load_project(workspace)
    report = generate_code(project.assets["channel_country_daily"], project, workspace, candidates=2, cache={})
    assert report.status == "frozen" and len(report.attempts) == 2
    assert all(a.sandbox is not None and a.sandbox.ok for a in report.attempts)
    # different example sets per variant, hence different prompts
    assert len({a.prompt_sha256 for a in report.attempts}) == 2
    assert len(audit_log_for(workspace).records(kind="codegen.attempt")) == 2
