"""The `expected` block never reaches the workspace, the agent's tools, or anything the repair path reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from agentic_assets.incidents import Workspace, load_incident
from agentic_assets.incidents.replay import replay
from agentic_assets.settings import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "benchmarks" / "examples"


def _incident(tmp_path: Path) -> Path:
    """A copy of an example with a recognisable secret in its `expected` block and an expected/ folder."""
    src = EXAMPLES / "null-customer-ids"
    folder = tmp_path / "null-customer-ids"
    (folder / "before").mkdir(parents=True)
    (folder / "after").mkdir()
    (folder / "expected").mkdir()
    for sub in ("before", "after"):
        for f in (src / sub).iterdir():
            (folder / sub / f.name).write_bytes(f.read_bytes())
    (folder / "expected" / "output.csv").write_text("customer_id\nSECRET-EXPECTED-ROW\n")
    doc = yaml.safe_load((src / "incident.yaml").read_text())
    doc["expected"]["root_cause"] = "SECRET-ROOT-CAUSE-TOKEN"
    (folder / "incident.yaml").write_text(yaml.safe_dump(doc))
    return folder


def test_the_loaded_incident_has_no_expected_block(tmp_path: Path) -> None:
    incident = load_incident(_incident(tmp_path))
    dumped = incident.model_dump_json()
    assert "SECRET-ROOT-CAUSE-TOKEN" not in dumped and "expected" not in incident.model_dump()


@pytest.mark.slow
def test_nothing_the_repair_path_can_read_holds_the_answer(tmp_path: Path) -> None:
    folder = _incident(tmp_path)
    result = replay(folder, tmp_path / "run")
    assert result.repair is not None and result.repair.diagnosis is not None
    workspace = tmp_path / "run" / "workspace"
    for path in workspace.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-ROOT-CAUSE-TOKEN" not in data, path
            assert b"SECRET-EXPECTED-ROW" not in data, path
            assert b"dead_letter\n" not in data or path.suffix != ".yaml", path
    everything = json.dumps([s.model_dump(mode="json") for s in result.repair.trace])
    assert "SECRET" not in everything
    assert not any(p.name == "expected" for p in workspace.rglob("*"))
    ws = Workspace(load_incident(folder), tmp_path / "ws")
    assert "expected" not in str(ws.settings.model_dump())
