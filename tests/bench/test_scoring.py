"""Scoring: diagnosis, proposal and escalation rules, the summary and the results.json shape."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentic_assets.bench.scoring import (
    AgentAnswer,
    Expected,
    IncidentResult,
    build_results,
    diagnosis_correct,
    label_set,
    load_expected,
    percentile,
    proposal_correct,
    score,
    summarize,
)

ROWS = pa.table({"day": ["2026-03-01"], "total": [12.5]})


def exp(category, remediation) -> Expected:  # noqa: ANN001
    return Expected(category=category, remediation=remediation)


def test_label_sets() -> None:
    assert label_set("schema_drift") == {"schema_drift"}
    assert label_set(["b", "a", "a"]) == {"a", "b"}
    assert label_set(" Late_Data ") == {"late_data"}
    assert label_set(None) == frozenset()


def test_diagnosis_is_a_set_comparison() -> None:
    assert diagnosis_correct("schema_drift", "schema_drift")
    assert diagnosis_correct(["data_quality", "schema_drift"], ["schema_drift", "data_quality"])
    assert diagnosis_correct(["schema_drift"], "schema_drift")
    assert not diagnosis_correct("schema_drift", ["schema_drift", "data_quality"])
    assert not diagnosis_correct(None, "schema_drift")


def test_proposal_needs_the_right_remediation() -> None:
    ok, why = proposal_correct(
        AgentAnswer(remediation="dedupe", sandbox_ok=True), exp("data_quality", "dead_letter"), ROWS, ROWS
    )
    assert not ok and "remediation" in why


def test_proposal_needs_passing_checks_and_equal_rows() -> None:
    e = exp("schema_drift", "code_change")
    assert proposal_correct(AgentAnswer(remediation="code_change", sandbox_ok=True), e, ROWS, ROWS)[0]
    assert not proposal_correct(AgentAnswer(remediation="code_change", sandbox_ok=False), e, ROWS, ROWS)[0]
    assert not proposal_correct(AgentAnswer(remediation="code_change", sandbox_ok=True), e, None, ROWS)[0]
    other = pa.table({"day": ["2026-03-01"], "total": [12.6]})
    ok, why = proposal_correct(AgentAnswer(remediation="code_change", sandbox_ok=True), e, other, ROWS)
    assert not ok and "rows differ" in why


def test_without_expected_rows_checks_are_enough() -> None:
    assert proposal_correct(
        AgentAnswer(remediation="code_change", sandbox_ok=True), exp("schema_drift", "code_change"), None, None
    )[0]


def test_escalation_is_correct_only_where_expected() -> None:
    escalate = exp("format_drift", "escalate")
    assert proposal_correct(AgentAnswer(escalated=True), escalate, None, None)[0]
    assert proposal_correct(AgentAnswer(remediation="escalate"), escalate, None, None)[0]
    assert not proposal_correct(AgentAnswer(remediation="code_change", sandbox_ok=True), escalate, ROWS, None)[0]
    assert not proposal_correct(AgentAnswer(escalated=True), exp("schema_drift", "code_change"), None, ROWS)[0]


def test_late_data_retry_is_scored_on_remediation_alone() -> None:
    late = exp("late_data", "retry")
    assert proposal_correct(AgentAnswer(remediation="retry", sandbox_ok=False), late, None, None)[0]
    assert not proposal_correct(AgentAnswer(remediation="code_change", sandbox_ok=True), late, None, None)[0]


def test_transient_retry_compares_the_rerun_rows() -> None:
    transient = exp("transient", "retry")
    assert proposal_correct(AgentAnswer(remediation="retry", sandbox_ok=True), transient, ROWS, ROWS)[0]
    assert not proposal_correct(AgentAnswer(remediation="retry", sandbox_ok=False), transient, ROWS, ROWS)[0]
    assert not proposal_correct(AgentAnswer(remediation="retry", sandbox_ok=True), transient, None, ROWS)[0]


def test_dead_letter_compares_the_asset_over_valid_rows() -> None:
    dl = exp("data_quality", "dead_letter")
    valid = pa.table({"id": [1, 2]})
    assert proposal_correct(AgentAnswer(remediation="dead_letter", sandbox_ok=True), dl, valid, valid)[0]
    with_bad = pa.table({"id": [1, 2, None]})
    assert not proposal_correct(AgentAnswer(remediation="dead_letter", sandbox_ok=True), dl, with_bad, valid)[0]


def test_multi_cause_remediations_are_sets() -> None:
    multi = exp(["schema_drift", "data_quality"], ["code_change", "dead_letter"])
    both = AgentAnswer(remediation=["dead_letter", "code_change"], sandbox_ok=True)
    assert proposal_correct(both, multi, ROWS, ROWS)[0]
    assert not proposal_correct(AgentAnswer(remediation="code_change", sandbox_ok=True), multi, ROWS, ROWS)[0]


def _incident(tmp_path: Path, expected: str, output_csv: str | None) -> Path:
    folder = tmp_path / "inc"
    folder.mkdir()
    (folder / "incident.yaml").write_text(f"id: inc\ntitle: t\nasset: {{name: a}}\nexpected:\n{expected}")
    if output_csv is not None:
        (folder / "expected").mkdir()
        (folder / "expected" / "output.csv").write_text(output_csv)
    return folder


def test_load_expected_and_score(tmp_path: Path) -> None:
    folder = _incident(
        tmp_path, "  category: schema_drift\n  remediation: code_change\n", "day,total\n2026-03-01,12.5\n"
    )
    expected = load_expected(folder)
    assert expected.output_csv == folder / "expected" / "output.csv"
    out = tmp_path / "output.parquet"
    pq.write_table(pa.table({"DAY": ["2026-03-01"], "Total": ["12.50"]}), out)
    answer = AgentAnswer(category="schema_drift", remediation="code_change", sandbox_ok=True, output=out, tool_calls=3)
    result = score("inc", answer, expected, output_ref="inc/output.parquet")
    assert result.diagnosis_correct and result.proposal_correct
    assert result.output == "inc/output.parquet"
    assert result.expected_category == "schema_drift"


def test_error_scores_as_wrong(tmp_path: Path) -> None:
    folder = _incident(tmp_path, "  category: transient\n  remediation: retry\n", None)
    result = score("inc", None, load_expected(folder), error="timed out after 5s")
    assert not result.diagnosis_correct and not result.proposal_correct and result.error
    partial = score(
        "inc",
        AgentAnswer(category="transient", remediation="retry", sandbox_ok=True),
        load_expected(folder),
        error="crash",
    )
    assert partial.diagnosis_correct and not partial.proposal_correct


def test_unreadable_output_is_a_wrong_proposal(tmp_path: Path) -> None:
    folder = _incident(tmp_path, "  category: schema_drift\n  remediation: code_change\n", "x\n1\n")
    bad = tmp_path / "output.parquet"
    bad.write_text("not parquet")
    result = score(
        "inc",
        AgentAnswer(category="schema_drift", remediation="code_change", sandbox_ok=True, output=bad),
        load_expected(folder),
    )
    assert not result.proposal_correct and "unreadable" in result.score_detail


def test_missing_expected_block_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "incident.yaml").write_text("id: x\n")
    with pytest.raises(ValueError):
        load_expected(folder)


def test_percentiles() -> None:
    assert percentile([], 50) is None
    assert percentile([4.0], 95) == 4.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)
    assert percentile([5, 1, 3], 50) == 3


def test_summary() -> None:
    rows = [
        IncidentResult(id="a", diagnosis_correct=True, proposal_correct=True, tool_calls=4, seconds_to_proposal=1.0),
        IncidentResult(id="b", diagnosis_correct=True, proposal_correct=False, tool_calls=6, seconds_to_proposal=3.0),
        IncidentResult(id="c", error="crash"),
    ]
    s = summarize(rows)
    assert s.incidents == 3
    assert s.diagnostic_accuracy == pytest.approx(0.6667)
    assert s.proposal_correctness == pytest.approx(0.3333)
    assert s.mean_tool_calls == 5.0
    assert s.p50_seconds_to_proposal == 2.0
    assert s.p95_seconds_to_proposal == pytest.approx(2.9)
    empty = summarize([])
    assert empty.incidents == 0 and empty.diagnostic_accuracy == 0.0 and empty.mean_tool_calls is None


def test_results_json_shape() -> None:
    bench = build_results(
        "builtin",
        [IncidentResult(id="b", category=["x", "y"], remediation="retry"), IncidentResult(id="a", tool_calls=2)],
    )
    doc = json.loads(bench.model_dump_json())
    assert set(doc) == {"model", "incidents", "summary", "split"}
    assert [i["id"] for i in doc["incidents"]] == ["a", "b"]
    required = {"id", "category", "remediation", "escalated", "tool_calls", "seconds_to_proposal", "sandbox_ok",
                "output", "diagnosis_correct", "proposal_correct", "error"}  # fmt: skip
    assert required <= set(doc["incidents"][0])
    assert doc["incidents"][1]["category"] == ["x", "y"]
    assert set(doc["summary"]) == {"incidents", "diagnostic_accuracy", "proposal_correctness", "mean_tool_calls",
                                   "p50_seconds_to_proposal", "p95_seconds_to_proposal"}  # fmt: skip


def test_late_data_retry_with_landed_rows_is_scored_on_the_outcome() -> None:
    late = Expected(category="late_data", remediation="retry", landed=True)
    other = pa.table({"day": ["2026-03-01"], "total": [99.0]})
    green = AgentAnswer(remediation="retry", outcome_published=True)
    assert proposal_correct(green, late, None, ROWS, ROWS)[0]
    ok, why = proposal_correct(green, late, None, ROWS, other)
    assert not ok and "rows differ" in why
    assert not proposal_correct(AgentAnswer(remediation="retry", outcome_published=False), late, None, ROWS, ROWS)[0]
    assert not proposal_correct(AgentAnswer(remediation="retry"), late, None, ROWS, ROWS)[0]
    assert not proposal_correct(green, late, None, ROWS, None)[0]


def test_transient_retry_outcome_must_publish_the_rows() -> None:
    transient = exp("transient", "retry")
    answer = AgentAnswer(remediation="retry", sandbox_ok=True, outcome_published=False)
    assert not proposal_correct(answer, transient, ROWS, ROWS, ROWS)[0]
    answer = AgentAnswer(remediation="retry", sandbox_ok=True, outcome_published=True)
    assert proposal_correct(answer, transient, ROWS, ROWS, ROWS)[0]


def test_load_expected_sees_landed_rows(tmp_path: Path) -> None:
    folder = tmp_path / "late"
    (folder / "landed").mkdir(parents=True)
    (folder / "incident.yaml").write_text(
        "id: late\nexpected: {category: late_data, remediation: retry}\n", encoding="utf-8"
    )
    assert load_expected(folder).landed


def test_a_fix_beside_a_late_retry_is_scored_on_the_repaired_asset_once_landed() -> None:
    late = Expected(category=["late_data", "schema_drift"], remediation=["code_change", "retry"], landed=True)
    early = pa.table({"day": ["2026-03-01"], "total": [7.0]})
    answer = AgentAnswer(remediation=["code_change", "retry"], sandbox_ok=True, outcome_published=True)
    # The rows on after/ lack the late ones: the outcome on landed/ is what expected/output.csv holds.
    ok, why = proposal_correct(answer, late, early, ROWS, ROWS)
    assert ok and "late rows landed" in why
    ok, why = proposal_correct(answer, late, ROWS, ROWS, early)
    assert not ok and "rows differ" in why
    failed_after = AgentAnswer(remediation=["code_change", "retry"], sandbox_ok=False, outcome_published=True)
    assert not proposal_correct(failed_after, late, ROWS, ROWS, ROWS)[0]
    not_green = AgentAnswer(remediation=["code_change", "retry"], sandbox_ok=True, outcome_published=False)
    assert not proposal_correct(not_green, late, ROWS, ROWS, ROWS)[0]
    # Without landed/ (the older format) the rows on after/ are still what is compared.
    older = Expected(category=["late_data", "schema_drift"], remediation=["code_change", "retry"])
    assert not proposal_correct(answer, older, early, ROWS, ROWS)[0]
