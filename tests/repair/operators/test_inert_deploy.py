"""A deploy beside bad rows: the sandbox's three candidates decide whether the deploy is a cause."""

from __future__ import annotations

from agentic_assets.repair.candidates import CandidateResult, Evaluation
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators.inert_deploy import decide

ROLLBACK = Finding(category="config_regression", remediation="rollback", cause="deploy", rollback_to="v1")
DEDUPE = Finding(category="data_quality", remediation="dedupe", cause="replay", source="events", keys=["id"])


def _results(alone: bool, fix: bool, both: bool, same: bool = True) -> Evaluation:
    def r(i: int, ok: bool, fp: str) -> CandidateResult:
        return CandidateResult(name=f"deploy#{i}", operators=i + 1, passes_checks=ok, fingerprint=fp)

    return Evaluation(results=[r(0, alone, "a"), r(1, fix, "b"), r(2, both, "b" if same else "c")])


def test_rollback_alone_passing_blames_the_deploy() -> None:
    assert decide(_results(True, True, True), ROLLBACK, [DEDUPE]) == [ROLLBACK]


def test_a_deploy_that_changes_no_row_is_no_cause() -> None:
    assert decide(_results(False, True, True), ROLLBACK, [DEDUPE]) == [DEDUPE]


def test_a_deploy_that_changes_the_output_is_rolled_back_too() -> None:
    assert decide(_results(False, True, True, same=False), ROLLBACK, [DEDUPE]) == [DEDUPE, ROLLBACK]


def test_only_both_passing_needs_both() -> None:
    assert decide(_results(False, False, True), ROLLBACK, [DEDUPE]) == [DEDUPE, ROLLBACK]


def test_nothing_passing_escalates() -> None:
    (found,) = decide(_results(False, False, False), ROLLBACK, [DEDUPE]) or []
    assert found.remediation == "escalate"


def test_results_under_other_names_are_not_read() -> None:
    assert decide(Evaluation(results=[]), ROLLBACK, [DEDUPE]) is None
