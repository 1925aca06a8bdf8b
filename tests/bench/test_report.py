"""report.md and the chart, from a results.json built by hand."""

from __future__ import annotations

from pathlib import Path

from agentic_assets.bench.report import by_category, render_markdown, report_from_file
from agentic_assets.bench.scoring import IncidentResult, build_results


def _results() -> list[IncidentResult]:
    return [
        IncidentResult(id="rename", expected_category="schema_drift", expected_remediation="code_change",
                       category="schema_drift", remediation="code_change", tool_calls=4, seconds_to_proposal=2.0,
                       diagnosis_correct=True, proposal_correct=True, sandbox_ok=True, output="rename/output.parquet",
                       score_detail="rows equal expected/output.csv"),
        IncidentResult(id="unit", expected_category="format_drift", expected_remediation="escalate",
                       category="format_drift", remediation="code_change", tool_calls=6, seconds_to_proposal=3.5,
                       diagnosis_correct=True, score_detail="remediation ['code_change'], expected ['escalate']"),
        IncidentResult(id="both", expected_category=["schema_drift", "data_quality"],
                       expected_remediation=["code_change", "dead_letter"], error="timed out after 300s"),
        IncidentResult(id="flaky", expected_category="transient", expected_remediation="retry", category="transient",
                       remediation="retry", escalated=False, tool_calls=2, seconds_to_proposal=1.0,
                       diagnosis_correct=True, proposal_correct=True, sandbox_ok=True),
    ]  # fmt: skip


def test_grouping_puts_multi_cause_incidents_together() -> None:
    groups = by_category(_results())
    assert list(groups) == ["schema_drift", "format_drift", "transient", "multi_cause"]
    assert [r.id for r in groups["multi_cause"]] == ["both"]


def test_report_from_results_json(tmp_path: Path) -> None:
    bench = build_results("builtin", _results())
    results_json = tmp_path / "results.json"
    results_json.write_text(bench.model_dump_json(indent=2))
    md, png = report_from_file(results_json)
    text = md.read_text()
    assert text.startswith("# Incident benchmark: model `builtin`")
    for section in ("## schema_drift", "## format_drift", "## transient", "## multi_cause"):
        assert section in text
    assert "| schema_drift | 1 | 100% (1/1) | 100% (1/1) | 0 |" in text
    assert "| multi_cause | 1 | 0% (0/1) | 0% (0/1) | 1 |" in text
    assert "error: timed out after 300s" in text
    assert "| 4 | 75.0% | 50.0% | 4.0 | 2.00 | 3.35 |" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000


def test_markdown_escapes_table_cells() -> None:
    rows = [IncidentResult(id="x", expected_category="transient", expected_remediation="retry",
                           score_detail="a | b\nc")]  # fmt: skip
    text = render_markdown(build_results("m", rows))
    assert "a \\| b c" in text
