"""The generator reproduces committed incidents byte for byte and verifies them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SET = Path(__file__).resolve().parents[2] / "benchmarks" / "incidents"


def _generate_module():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("incident_set_generate", SET / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("incident", ["payslips-read-failures", "ledger-renamed-and-accounting-negatives"])
def test_generator_is_deterministic_and_verifies(incident: str, tmp_path: Path) -> None:
    generate = _generate_module()
    assert generate.main(["--out", str(tmp_path), "--only", incident]) == 0
    assert _files(tmp_path / incident) == _files(SET / incident)


def test_generator_lists_every_committed_incident(capsys: pytest.CaptureFixture[str]) -> None:
    generate = _generate_module()
    assert generate.main(["--list"]) == 0
    listed = set(capsys.readouterr().out.split())
    assert listed == {p.parent.name for p in SET.glob("*/incident.yaml")}
