"""The six example incidents, replayed through the production repair path and scored as FORMAT.md says."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentic_assets.audit import audit_log_for
from agentic_assets.incidents import incident_folders, load_expected, load_incident
from agentic_assets.incidents.replay import replay
from agentic_assets.incidents.scoring import score
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
    expected = load_expected(folder)
    verdict = score(expected, result.category, result.remediation, result.output, result.sandbox_ok, folder)
    assert verdict == {"diagnosis_correct": True, "proposal_correct": True}, (result.category, result.remediation)
    assert 1 <= result.tool_calls <= 6
    assert result.seconds_to_proposal is not None and result.seconds_to_proposal < 30
    assert result.trace is not None and result.trace.read_text()
    settings_dir = tmp_path / "workspace" / "data"
    from agentic_assets.settings import Settings

    log = audit_log_for(Settings(data_dir=settings_dir))
    assert log.verify().ok
    assert load_incident(folder).id == folder.name
