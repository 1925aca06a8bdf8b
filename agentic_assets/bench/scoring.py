"""Scoring exactly as the incident format defines it, as pure functions over answers and tables.

- diagnosis correct: the category (or set of categories) equals the expected one;
- proposal correct: the remediation (or set) equals the expected one, the repaired asset passed its
  checks on after/, and its rows equal expected/output.csv where that exists (see compare.py);
- a retry is scored on its outcome: the asset re-run after the answer (once landed/'s late rows are
  in, for late data) published, with the rows of expected/output.csv; a late-data incident without
  landed/ (the older format) is scored on the remediation alone; a retry beside a fix, on late data,
  is scored on the repaired asset once the late rows are in;
- an escalation is correct only where escalate is expected.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import yaml

from agentic_assets.bench.compare import compare_tables, read_expected_csv, read_output
from agentic_assets.bench.results import (
    AgentAnswer,
    BenchResults,
    Expected,
    IncidentResult,
    Labels,
    Summary,
)

__all__ = [
    "AgentAnswer",
    "BenchResults",
    "Expected",
    "IncidentResult",
    "Summary",
    "diagnosis_correct",
    "label_set",
    "load_expected",
    "percentile",
    "proposal_correct",
    "score",
    "summarize",
]


def label_set(value: Labels | None) -> frozenset[str]:
    """'a' -> {'a'}; ['a', 'b'] -> {'a', 'b'}; None -> {} (labels compare trimmed and lower-case)."""
    if value is None:
        return frozenset()
    items = [value] if isinstance(value, str) else list(value)
    return frozenset(str(i).strip().lower() for i in items if str(i).strip())


def answered_remediation(answer: AgentAnswer) -> frozenset[str]:
    """The remediation kinds an answer stands for; escalating is the remediation `escalate`."""
    kinds = label_set(answer.remediation)
    return kinds | {"escalate"} if answer.escalated else kinds


def diagnosis_correct(category: Labels | None, expected: Labels) -> bool:
    got = label_set(category)
    return bool(got) and got == label_set(expected)


def _retry_outcome(answer: AgentAnswer, expected_rows: pa.Table | None, outcome: pa.Table | None) -> tuple[bool, str]:
    if answer.outcome_published is not True:
        return False, "after the retry the asset is not green"
    if expected_rows is None:
        return True, "green after the retry (no expected rows)"
    if outcome is None:
        return False, "no published rows after the retry to compare with expected/output.csv"
    diff = compare_tables(outcome, expected_rows)
    return (True, "green after the retry, rows equal expected/output.csv") if diff.equal else (
        False, f"green after the retry, but rows differ: {diff.reason}")  # fmt: skip


def proposal_correct(
    answer: AgentAnswer,
    expected: Expected,
    output: pa.Table | None,
    expected_rows: pa.Table | None,
    outcome: pa.Table | None = None,
) -> tuple[bool, str]:
    """(correct, why) for one answer; `output`, `expected_rows` and `outcome` (the published rows after
    a retry) are the loaded tables (or None)."""
    want = label_set(expected.remediation)
    got = answered_remediation(answer)
    if got != want:
        return False, f"remediation {sorted(got) or 'none'}, expected {sorted(want)}"
    if want == {"escalate"}:
        return True, "escalated as expected"
    if want == {"retry"} and "late_data" in label_set(expected.category):
        if not expected.landed:
            return True, "retry for late data: scored on the remediation alone (no landed/)"
        ok, why = _retry_outcome(answer, expected_rows, outcome)
        return ok, f"late rows landed; {why}"
    if want == {"retry"} and answer.outcome_published is not None:
        return _retry_outcome(answer, expected_rows, outcome)
    if "retry" in want and "late_data" in label_set(expected.category) and expected.landed:
        # A fix beside the wait: expected/output.csv is what the repaired asset makes once the late rows
        # are in, so the outcome (the repaired asset on landed/) is judged, after its checks on after/.
        if answer.sandbox_ok is not True:
            return False, "the repaired asset did not pass its checks on after/"
        ok, why = _retry_outcome(answer, expected_rows, outcome)
        return ok, f"late rows landed; {why}"
    if answer.sandbox_ok is not True:
        return False, "the repaired asset did not pass its checks on after/"
    if expected_rows is None:
        return True, "remediation right and checks pass (no expected rows)"
    if output is None:
        return False, "no output rows to compare with expected/output.csv"
    diff = compare_tables(output, expected_rows)
    return (True, "rows equal expected/output.csv") if diff.equal else (False, f"rows differ: {diff.reason}")


def load_expected(folder: Path) -> Expected:
    """The expected block of an incident folder: the only reader of it."""
    doc = yaml.safe_load((folder / "incident.yaml").read_text(encoding="utf-8")) or {}
    block = doc.get("expected") or {}
    if "category" not in block or "remediation" not in block:
        raise ValueError(f"{folder.name}: incident.yaml has no expected category and remediation")
    csv = folder / "expected" / "output.csv"
    return Expected(
        category=block["category"],
        remediation=block["remediation"],
        root_cause=str(block.get("root_cause") or ""),
        output_csv=csv if csv.is_file() else None,
        landed=(folder / "landed").is_dir(),
    )


def score(
    incident_id: str,
    answer: AgentAnswer | None,
    expected: Expected,
    *,
    error: str | None = None,
    output_ref: str | None = None,
) -> IncidentResult:
    """One incident's result row; a crashed or timed-out incident (`error`) scores as wrong."""
    result = IncidentResult(
        id=incident_id,
        error=error,
        expected_category=expected.category,
        expected_remediation=expected.remediation,
    )
    if answer is None:
        result.score_detail = "no answer"
        return result
    result.category = answer.category
    result.remediation = answer.remediation
    result.escalated = answer.escalated
    result.tool_calls = answer.tool_calls
    result.seconds_to_proposal = answer.seconds_to_proposal
    result.sandbox_ok = answer.sandbox_ok
    result.output = output_ref if answer.output is not None and answer.output.is_file() else None
    result.outcome_published = answer.outcome_published
    result.diagnosis_correct = diagnosis_correct(answer.category, expected.category)
    try:
        output = read_output(answer.output) if answer.output is not None and answer.output.is_file() else None
        expected_rows = read_expected_csv(expected.output_csv) if expected.output_csv else None
        published = answer.outcome_output
        outcome = read_output(published) if published is not None and published.is_file() else None
        result.proposal_correct, result.score_detail = proposal_correct(
            answer, expected, output, expected_rows, outcome
        )
    except Exception as err:  # noqa: BLE001 - an unreadable output is a wrong proposal, not a crashed run
        result.proposal_correct, result.score_detail = False, f"output unreadable: {err}"
    if error is not None:
        # Whatever came back before the crash, the incident did not complete.
        result.proposal_correct = False
    return result


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between closest ranks; None when empty."""
    data = sorted(values)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


def summarize(results: Sequence[IncidentResult]) -> Summary:
    n = len(results)
    calls = [r.tool_calls for r in results if r.tool_calls is not None]
    seconds = [r.seconds_to_proposal for r in results if r.seconds_to_proposal is not None]

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    return Summary(
        incidents=n,
        diagnostic_accuracy=round(sum(r.diagnosis_correct for r in results) / n, 4) if n else 0.0,
        proposal_correctness=round(sum(r.proposal_correct for r in results) / n, 4) if n else 0.0,
        mean_tool_calls=rounded(sum(calls) / len(calls) if calls else None, 2),
        p50_seconds_to_proposal=rounded(percentile(seconds, 50), 3),
        p95_seconds_to_proposal=rounded(percentile(seconds, 95), 3),
    )


def build_results(model: str, results: Sequence[IncidentResult]) -> BenchResults:
    ordered = sorted(results, key=lambda r: r.id)
    return BenchResults(model=model, incidents=ordered, summary=summarize(ordered))
