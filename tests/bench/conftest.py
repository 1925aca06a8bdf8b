"""Small incident folders in the format, for the runner, report and CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

INCIDENT_YAML = """\
id: {id}
title: "daily_totals run failed: IO Error: could not read source 'sales'"
now: "2026-03-02T02:00:00Z"
asset:
  name: daily_totals
  description: Total sales per day.
  sql: |
    SELECT day, SUM(amount) AS total FROM sales GROUP BY day
  checks: |
    checks for daily_totals:
      - row_count > 0
faults:
  read_failures: {{sales: 1}}
expected:
  category: transient
  remediation: retry
  root_cause: The store reset the connection once.
"""


def make_incident(root: Path, incident_id: str) -> Path:
    folder = root / incident_id
    (folder / "before").mkdir(parents=True)
    (folder / "after").mkdir()
    (folder / "expected").mkdir()
    (folder / "incident.yaml").write_text(INCIDENT_YAML.format(id=incident_id))
    data = "day,amount\n2026-03-01,10.5\n2026-03-01,4.5\n2026-03-02,7\n"
    (folder / "before" / "sales.csv").write_text(data)
    (folder / "after" / "sales.csv").write_text(data)
    (folder / "expected" / "output.csv").write_text("day,total\n2026-03-01,15.0\n2026-03-02,7.0\n")
    return folder


@pytest.fixture
def incidents(tmp_path: Path) -> Path:
    root = tmp_path / "incidents"
    for name in ("inc-a", "inc-b", "inc-c"):
        make_incident(root, name)
    return root


@pytest.fixture
def new_incident():  # noqa: ANN201 - the factory itself
    """`make_incident`, for tests that need one more folder (test modules cannot import a conftest)."""
    return make_incident
