"""The runner: discovery, stripping the expected answer, isolation of crashes and timeouts, parallel jobs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from agentic_assets.bench.runner import incident_folders, run_bench, run_incidents, stripped_copy

FAKES = "bench_fakes"


def test_discovery_accepts_incident_folders_and_folders_of_them(incidents: Path) -> None:
    found = incident_folders([incidents, incidents / "inc-b"])
    assert [f.name for f in found] == ["inc-a", "inc-b", "inc-c"]
    with pytest.raises(FileNotFoundError):
        incident_folders([incidents / "nope"])


def test_stripped_copy_has_no_expected_answer(incidents: Path, tmp_path: Path) -> None:
    copy = stripped_copy(incidents / "inc-a", tmp_path / "scratch")
    doc = yaml.safe_load((copy / "incident.yaml").read_text())
    assert "expected" not in doc
    assert doc["asset"]["name"] == "daily_totals" and doc["faults"] == {"read_failures": {"sales": 1}}
    assert not (copy / "expected").exists()
    assert (copy / "before" / "sales.csv").is_file() and (copy / "after" / "sales.csv").is_file()
    assert "root_cause" not in (copy / "incident.yaml").read_text()


def test_the_repair_path_never_sees_the_expected_block(incidents: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (result,) = run_incidents([incidents / "inc-a"], out, replay=f"{FAKES}:retry")
    seen = json.loads((out / "inc-a" / "seen.json").read_text())
    assert "expected" not in seen["keys"]
    assert not any(f.startswith("expected") for f in seen["files"])
    assert not seen["root_cause_visible"]
    # ...and the scorer still used it.
    assert result.diagnosis_correct and result.proposal_correct, result.score_detail
    assert result.output == "inc-a/output.parquet" and (out / "inc-a" / "output.parquet").is_file()
    assert (out / "inc-a" / "trace.md").is_file()


def test_crash_error_and_timeout_are_recorded_and_the_run_goes_on(incidents: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    folders = incident_folders([incidents])
    got = {}
    for folder, replay, timeout in zip(folders, ("boom", "crash", "sleepy"), (60, 60, 2), strict=True):
        (result,) = run_incidents([folder], out, replay=f"{FAKES}:{replay}", timeout_s=timeout)
        got[replay] = result
    assert "RuntimeError: the agent fell over" in got["boom"].error
    assert "exited with code 3" in got["crash"].error
    assert "timed out after 2s" in got["sleepy"].error
    assert all(not r.proposal_correct and not r.diagnosis_correct for r in got.values())
    assert "the agent fell over" in (out / "inc-a" / "replay.log").read_text()


def test_parallel_jobs_write_results_report_and_chart(incidents: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    seen = []
    bench = run_bench([incidents], out, jobs=2, replay=f"{FAKES}:escalate", on_result=lambda r: seen.append(r.id))
    assert sorted(seen) == ["inc-a", "inc-b", "inc-c"]
    doc = json.loads((out / "results.json").read_text())
    assert doc["model"] == "builtin" and doc["summary"]["incidents"] == 3
    # Escalated where a retry was expected: diagnosed right, proposal wrong, and no output kept.
    assert all(i["diagnosis_correct"] and not i["proposal_correct"] and i["output"] is None for i in doc["incidents"])
    assert not (out / "inc-a" / "output.parquet").exists()
    assert bench.summary.diagnostic_accuracy == 1.0 and bench.summary.proposal_correctness == 0.0
    assert (out / "report.md").is_file() and (out / "accuracy_by_category.png").is_file()


def test_duplicate_ids_are_refused(incidents: Path, tmp_path: Path, new_incident) -> None:  # noqa: ANN001
    new_incident(tmp_path / "other", "inc-a")
    with pytest.raises(ValueError, match="more than once"):
        run_bench([incidents, tmp_path / "other"], tmp_path / "out", replay=f"{FAKES}:boom")
