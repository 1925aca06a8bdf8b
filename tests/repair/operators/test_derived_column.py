"""A dropped derived column rebuilt from the columns the source still has, chosen by the last good output."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentic_assets.repair.planner.operators.derived_column import MAX_DERIVATIONS, derivations

from .incident_kit import run, write_incident


def test_durations_between_two_time_columns_in_each_unit_both_ways() -> None:
    cols = {"id": "int64", "start": "timestamp[us]", "arrived": "timestamp[us]", "day": "date32[day]", "n": "int64"}
    found = dict(derivations(cols, "late"))
    assert "date_diff('minute', start, arrived)" in found.values()
    assert "date_diff('minute', arrived, start)" in found.values()
    with_date = {e for e in found.values() if "day," in e or "day)" in e}
    pairs = [("start", "day"), ("day", "start"), ("arrived", "day"), ("day", "arrived")]
    assert with_date == {f"date_diff('day', {a}, {b})" for a, b in pairs}
    assert len(found) == 12  # two timestamps in four units both ways, and the date against each in days
    many = {f"t{i}": "timestamp[us]" for i in range(4)}
    assert len(derivations(many, "x")) == 0 < 4 * 3 * 4 - MAX_DERIVATIONS  # a search, not a reading


def _attendance(with_late: bool) -> pa.Table:
    rows = []
    for d in range(10):
        for pupil in range(12):
            start = datetime(2026, 3, 2, 8, 30) + timedelta(days=d)
            arrived = start + timedelta(minutes=(pupil * 7 + d) % 13 if pupil % 3 == 0 else 0)
            rows.append((pupil, f"c{pupil % 2}", date(2026, 3, 2) + timedelta(days=d), start, arrived))
    pupil, cls, day, start, arrived = zip(*rows, strict=True)
    t = pa.table({"pupil_id": list(pupil), "class_id": list(cls), "session_date": list(day),
                  "session_start": list(start), "arrived_at": list(arrived)})  # fmt: skip
    if with_late:
        late = [int((a - s).total_seconds() // 60) for a, s in zip(arrived, start, strict=True)]
        t = t.append_column("minutes_late", pa.array(late, pa.int64()))
    return t


@pytest.mark.slow
def test_a_dropped_duration_is_rebuilt_from_the_two_times_it_was_computed_from(tmp_path: Path) -> None:
    folder = write_incident(
        tmp_path / "incidents",
        name="class-lateness",
        sql="SELECT class_id, session_date, COUNT(*) FILTER (WHERE minutes_late > 0) AS late,\n"
        "       ROUND(COALESCE(AVG(minutes_late) FILTER (WHERE minutes_late > 0), 0), 2) AS avg_late\n"
        "FROM attendance GROUP BY 1, 2",
        checks="checks for class_lateness:\n  - row_count > 0\n",
        before={"attendance": _attendance(True)},
        after={"attendance": _attendance(False)},
    )
    result = run(folder, tmp_path / "work")
    assert (result.category, result.remediation) == ("schema_drift", "code_change"), result.repair
    assert result.repair is not None and result.repair.diagnosis is not None
    assert "minutes from session_start to arrived_at" in result.repair.diagnosis.root_cause
    out = pq.read_table(result.output).to_pylist() if result.output else []
    assert len(out) == 20 and all(r["avg_late"] >= 0 for r in out)
