"""A bound on a value the transform computes from several rows is no bound on any one source value."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from agentic_assets.repair.planner.signals import computed_outputs

from .incident_kit import run, write_incident

SQL = """WITH per_depot AS (
    SELECT depot, MAX(scanned_at) AS last_scan_at, COUNT(*) AS scans FROM scans GROUP BY depot
)
SELECT depot, last_scan_at, scans,
       date_diff('hour', last_scan_at, MAX(last_scan_at) OVER ()) AS hours_behind
FROM per_depot"""


def test_computed_outputs_are_those_that_copy_or_aggregate_no_one_column() -> None:
    assert computed_outputs(SQL) == {"hours_behind"}
    sql = "SELECT a, ROUND(b, 2) AS b, SUM(c) AS c, COUNT(*) AS n, a || b AS ab FROM t GROUP BY 1, 2"
    assert computed_outputs(sql) == {"n", "ab"}
    assert computed_outputs("SELECT * FROM t") == set()


def _scans(days: int, late_depot_days: int) -> pa.Table:
    rows = []
    for depot in ("d1", "d2", "d3"):
        for k in range(48 * (late_depot_days if depot == "d3" else days)):  # a scan every half hour
            rows.append((depot, datetime(2026, 3, 1, 0, 7) + timedelta(minutes=30 * k)))
    depot, at = zip(*rows, strict=True)
    return pa.table({"depot": list(depot), "scanned_at": list(at)})


@pytest.mark.slow
def test_a_depot_behind_the_others_is_late_not_a_row_with_an_invalid_time(tmp_path: Path) -> None:
    folder = write_incident(
        tmp_path / "incidents",
        name="depot-status",
        sql=SQL,
        checks="checks for depot_status:\n  - row_count > 0\n  - invalid_count(hours_behind) = 0:\n"
        "      valid min: 0\n      valid max: 8\n",
        before={"scans": _scans(4, 4)},
        after={"scans": _scans(5, 4)},
        now="2026-03-06T01:00:00Z",
    )
    result = run(folder, tmp_path / "work")
    # No dead letter of scans by the bound of the lag (a timestamp compared with 0 and 8): the data is late.
    assert (result.category, result.remediation) == ("late_data", "retry"), result.repair
