"""A retry is judged on its outcome: the replay re-runs the asset without the faults and keeps its rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentic_assets.bench.compare import compare_tables, read_expected_csv, read_output
from agentic_assets.incidents.replay import replay
from agentic_assets.settings import PROJECT_ROOT

FLAKY = PROJECT_ROOT / "benchmarks" / "examples" / "flaky-source-read"


@pytest.mark.slow
def test_a_retried_transient_incident_is_green_with_its_rows(tmp_path: Path) -> None:
    result = replay(FLAKY, tmp_path)
    assert result.remediation == "retry"
    assert result.outcome_published is True, result.outcome_error
    assert result.outcome_output is not None
    diff = compare_tables(read_output(result.outcome_output), read_expected_csv(FLAKY / "expected" / "output.csv"))
    assert diff.equal, diff.reason
