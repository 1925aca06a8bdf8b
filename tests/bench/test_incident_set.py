"""The committed benchmark set: layout, coverage and the promises of the incident format."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from agentic_assets.bench.results import CATEGORIES, REMEDIATIONS
from agentic_assets.bench.scoring import label_set

SET = Path(__file__).resolve().parents[2] / "benchmarks" / "incidents"
FOLDERS = sorted(p.parent for p in SET.glob("*/incident.yaml"))
DOCS = {f.name: yaml.safe_load((f / "incident.yaml").read_text()) for f in FOLDERS}
# The third tuned split keeps the same promises of the format (its coverage is tested in test_splits).
TUNED_C = Path(__file__).resolve().parents[2] / "benchmarks" / "tuned_c"
LAID_OUT = FOLDERS + sorted(p.parent for p in TUNED_C.glob("*/incident.yaml"))


def test_at_least_fifty_incidents_under_twenty_megabytes() -> None:
    assert len(FOLDERS) >= 50
    size = sum(p.stat().st_size for p in SET.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert size < 20 * 1024 * 1024


@pytest.mark.parametrize("folder", LAID_OUT, ids=lambda f: f"{f.parent.name}/{f.name}")
def test_layout(folder: Path) -> None:
    doc = yaml.safe_load((folder / "incident.yaml").read_text())
    assert doc["id"] == folder.name
    assert set(doc) <= {"id", "title", "now", "asset", "faults", "expected"}
    assert {"name", "description", "sql", "checks"} <= set(doc["asset"])
    assert doc["asset"]["checks"].startswith(f"checks for {doc['asset']['name']}:")
    assert label_set(doc["expected"]["category"]) <= set(CATEGORIES)
    assert label_set(doc["expected"]["remediation"]) <= set(REMEDIATIONS)
    assert doc["expected"]["root_cause"].strip()
    # The title is the symptom: the run's error or the failed check, as first seen.
    assert doc["title"].startswith(doc["asset"]["name"] + " ")
    assert " run failed: " in doc["title"] or " check failed: " in doc["title"]
    before = {p.stem: p.suffix for p in (folder / "before").iterdir()}
    assert before
    for p in (folder / "after").iterdir() if (folder / "after").is_dir() else []:
        assert before.get(p.stem, p.suffix) == p.suffix, "a source keeps its file format"
    no_rows = label_set(doc["expected"]["remediation"]) == {"escalate"} or (
        label_set(doc["expected"]["remediation"]) == {"retry"}
        and "late_data" in label_set(doc["expected"]["category"])
        and not (folder / "landed").is_dir()  # late rows that land: the outcome is compared with expected rows
    )
    assert (folder / "expected" / "output.csv").is_file() != no_rows
    if doc["asset"].get("history"):
        assert doc["asset"]["deployed"] > doc["asset"]["history"][-1]["deployed"]


def test_coverage() -> None:
    cats = Counter(c for d in DOCS.values() for c in label_set(d["expected"]["category"]))
    rems = Counter(r for d in DOCS.values() for r in label_set(d["expected"]["remediation"]))
    assert set(cats) == set(CATEGORIES)
    assert set(rems) == set(REMEDIATIONS)
    assert rems["escalate"] >= 5
    assert sum(isinstance(d["expected"]["category"], list) for d in DOCS.values()) >= 3
    memory = [d for d in DOCS.values() if (d.get("faults") or {}).get("memory_limit_mb")]
    assert len(memory) >= 3
    assert all(d["expected"]["remediation"] == "resource_increase" for d in memory)
    assert sum(bool((d.get("faults") or {}).get("read_failures")) for d in DOCS.values()) >= 3
    assert sum(bool(d["asset"].get("history")) for d in DOCS.values()) >= 5
