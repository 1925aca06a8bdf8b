"""The six example incidents, replayed through the production repair path and scored as FORMAT.md says."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentic_assets.audit import audit_log_for
from agentic_assets.bench.results import AgentAnswer
from agentic_assets.bench.scoring import load_expected, score
from agentic_assets.incidents import incident_folders, load_incident
from agentic_assets.incidents.replay import replay
from agentic_assets.settings import PROJECT_ROOT

# The six example incidents of the format, copied as they are into benchmarks/examples.
EXAMPLES = PROJECT_ROOT / "benchmarks" / "examples"
FOLDERS = incident_folders(EXAMPLES) if EXAMPLES.is_dir() else []


def test_the_examples_are_there() -> None:
    assert len(FOLDERS) >= 6, f"expected the six example incidents in {EXAMPLES}"


@pytest.mark.slow
@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_example_is_diagnosed_and_repaired(folder: Path, tmp_path: Path) -> None:
    result = replay(folder, tmp_path)
    answer = AgentAnswer.model_validate(result.model_dump(include=set(AgentAnswer.model_fields)))
    # The benchmark's own scorer: the test and `agentic-assets bench` cannot disagree on what is right.
    scored = score(folder.name, answer, load_expected(folder), error=result.error)
    assert scored.diagnosis_correct and scored.proposal_correct, (
        scored.category,
        scored.remediation,
        scored.score_detail,
    )
    assert 1 <= result.tool_calls <= 6
    # How fast is the benchmark's to measure (`make bench-examples`); here only that a proposal was timed.
    assert result.seconds_to_proposal is not None
    assert result.trace is not None and result.trace.read_text()
    settings_dir = tmp_path / "workspace" / "data"
    from agentic_assets.settings import Settings

    log = audit_log_for(Settings(data_dir=settings_dir))
    assert log.verify().ok
    assert load_incident(folder).id == folder.name
