"""Tables beyond the asset's sources: a table that lands in after/ joins the catalog; landed/ late rows."""

from __future__ import annotations

from pathlib import Path

import yaml

from agentic_assets.incidents import Workspace, load_incident

INCIDENT = """\
id: made-up
title: totals check failed
now: "2026-03-02T02:00:00Z"
asset:
  name: totals
  description: Total amount per key.
  sql: SELECT k, SUM(amount) AS total FROM facts GROUP BY k
  checks: |
    checks for totals:
      - row_count > 0
expected: {category: late_data, remediation: retry}
"""


def _incident(tmp_path: Path) -> Path:
    folder = tmp_path / "made-up"
    for phase, files in {
        "before": {"facts.csv": "k,amount\na,1\nb,2\n", "dims.csv": "k,label\na,A\nb,B\n"},
        "after": {"facts.csv": "k,amount\na,1\nb,2\nc,3\n", "key_map.csv": "new_k,k\nK1,a\n"},
        "landed": {"facts.csv": "k,amount\na,1\nb,2\nc,3\nd,4\n"},
    }.items():
        (folder / phase).mkdir(parents=True)
        for name, text in files.items():
            (folder / phase / name).write_text(text, encoding="utf-8")
    (folder / "incident.yaml").write_text(INCIDENT, encoding="utf-8")
    return folder


def test_source_files_per_phase_fall_back_table_by_table(tmp_path: Path) -> None:
    incident = load_incident(_incident(tmp_path))
    assert {k: p.parent.name for k, p in incident.source_files("before").items()} == {
        "dims": "before",
        "facts": "before",
    }
    after = {k: p.parent.name for k, p in incident.source_files("after").items()}
    assert after == {"dims": "before", "facts": "after", "key_map": "after"}
    landed = {k: p.parent.name for k, p in incident.source_files("landed").items()}
    assert landed == {"dims": "before", "facts": "landed", "key_map": "after"}
    assert incident.has_landed


def test_a_table_new_in_after_joins_the_catalog_but_not_the_asset(tmp_path: Path) -> None:
    ws = Workspace(load_incident(_incident(tmp_path)), tmp_path / "ws").build()
    spec = yaml.safe_load((ws.spec_dir / "totals.yaml").read_text())
    assert spec["sources"] == ["facts"]  # only what the SQL reads; dims is in the catalog only
    ws.switch_to_after()
    declared = yaml.safe_load((ws.settings.specs_dir / "sources.yaml").read_text())["sources"]
    by_name = {s["name"]: s for s in declared}
    assert set(by_name) == {"facts", "dims", "key_map"}
    assert [c["name"] for c in by_name["key_map"]["columns"]] == ["new_k", "k"]
    assert (ws.settings.raw_dir / "key_map.csv").read_text().startswith("new_k,k")
    assert yaml.safe_load((ws.spec_dir / "totals.yaml").read_text())["sources"] == ["facts"]


def test_late_rows_land_only_when_asked(tmp_path: Path) -> None:
    ws = Workspace(load_incident(_incident(tmp_path)), tmp_path / "ws").build()
    ws.switch_to_after()
    assert (ws.settings.raw_dir / "facts.csv").read_text().count("\n") == 4
    ws.land_late_rows()
    assert (ws.settings.raw_dir / "facts.csv").read_text().count("\n") == 5
    assert (ws.settings.raw_dir / "key_map.csv").is_file()
