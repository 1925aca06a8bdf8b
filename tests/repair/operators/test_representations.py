"""Detected formats: candidate representations tried on the values, one meaning parsed, two escalated."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentic_assets.repair.planner.operators.normalise_cast import parsed
from agentic_assets.repair.profiling import profile_column
from agentic_assets.repair.representations import detect, readings

from .incident_kit import run, write_incident


def _profile(values: list[str]) -> dict:
    return profile_column(pa.table({"v": values}), "t", "v").model_dump()


def _apply(expr: str, values: list[str]) -> list:
    rows = ", ".join(f"('{v}')" for v in values)
    return [r[0] for r in duckdb.sql(f"SELECT {expr} FROM (VALUES {rows}) AS t(v)").fetchall()]


def test_compact_timestamps_read_one_way_and_duckdb_agrees() -> None:
    values = ["20260302T0815", "20260302T1930", "20260303T0005"]
    (option,) = parsed("t", "v", "timestamp[us]", _profile(values))
    (finding,) = option
    assert finding.remediation == "code_change"
    out = _apply(finding.replaces["v"], values)
    assert [str(x) for x in out] == ["2026-03-02 08:15:00", "2026-03-02 19:30:00", "2026-03-03 00:05:00"]


def test_dotted_dates_without_a_day_above_twelve_are_ambiguous() -> None:
    values = ["02.03.2026", "03.04.2026", "11.05.2026"]
    assert len(readings(detect(values), {"date"})) == 2
    (option,) = parsed("t", "v", "date32[day]", _profile(values))
    assert option[0].remediation == "escalate"
    # One day above twelve settles the order.
    values.append("25.03.2026")
    (option,) = parsed("t", "v", "date32[day]", _profile(values))
    assert option[0].remediation == "code_change"
    assert [str(x) for x in _apply(option[0].replaces["v"], ["25.03.2026"])] == ["2026-03-25"]


def test_a_value_no_candidate_reads_leaves_the_column_alone() -> None:
    assert parsed("t", "v", "date32[day]", _profile(["20260302", "soon"])) == []


def test_iso_durations_offer_one_reading_per_unit() -> None:
    options = parsed("t", "v", "double", _profile(["PT1H30M", "PT45M", "P1DT2H"]))
    minutes = [_apply(o[0].replaces["v"], ["PT1H30M"])[0] for o in options]
    assert minutes == [5400.0, 90.0, 1.5]


@pytest.mark.slow
def test_compact_timestamps_are_repaired_end_to_end(tmp_path: Path) -> None:
    ids = list(range(40))
    stamps = [f"2026-03-0{1 + i % 3} {8 + i % 10:02d}:{i % 60:02d}:00" for i in ids]
    before = pa.table({"scan_id": ids, "scanned_at": pa.array(stamps).cast(pa.timestamp("us"))})
    compact = [s.replace("-", "").replace(" ", "T").replace(":", "")[:13] for s in stamps]
    after = pa.table({"scan_id": ids, "scanned_at": compact})
    folder = write_incident(
        tmp_path / "incidents",
        name="scans-compact",
        sql="SELECT CAST(scanned_at AS DATE) AS day, COUNT(*) AS scans FROM scans GROUP BY 1",
        checks="checks for scans_compact:\n  - row_count > 0\n  - missing_count(day) = 0\n",
        before={"scans": before},
        after={"scans": after},
    )
    result = run(folder, tmp_path / "work")
    assert result.sandbox_ok, result.repair.diagnosis if result.repair else result.error
    assert result.remediation == "code_change" and result.category == "format_drift"
    out = {str(r["day"]): r["scans"] for r in pq.read_table(result.output).to_pylist()}
    assert out == {"2026-03-01": 14, "2026-03-02": 13, "2026-03-03": 13}


@pytest.mark.parametrize(
    ("values", "fmt", "first"),
    [
        (["2 Mar 2026", "15 Feb 2026"], "%d %b %Y", "2026-03-02"),
        (["Mar 2, 2026", "February 15, 2026"][:1], "%b %d, %Y", "2026-03-02"),
        (["02-MAR-26", "15-FEB-26"], "%d-%b-%y", "2026-03-02"),
        (["02/03/26", "15/04/26"], "%d/%m/%y", "2026-03-02"),
        (["2 March 2026, 08:15", "15 December 2026, 00:08"], "%d %B %Y, %H:%M", "2026-03-02"),
    ],
)
def test_month_names_and_two_digit_years_read_one_way(values: list[str], fmt: str, first: str) -> None:
    (option,) = parsed("t", "v", "date32[day]", _profile(values))
    assert option[0].remediation == "code_change" and fmt in option[0].replaces["v"]
    assert str(_apply(option[0].replaces["v"], values)[0]) == first


def test_offsets_and_z_read_as_utc_wall_time() -> None:
    values = ["2026-03-02T08:15:00+01:00", "2026-03-02T09:15:00Z", "2026-03-02T10:00:00-02:00"]
    (option,) = parsed("t", "v", "timestamp[us]", _profile(values))
    got = [str(x) for x in _apply(option[0].replaces["v"], values)]
    assert got == ["2026-03-02 07:15:00", "2026-03-02 09:15:00", "2026-03-02 12:00:00"]


def test_two_digit_years_without_a_day_above_twelve_are_ambiguous() -> None:
    (option,) = parsed("t", "v", "date32[day]", _profile(["02/03/26", "04/05/26"]))
    assert option[0].remediation == "escalate"


def test_a_column_fed_in_iso_and_a_second_form_reads_both_as_the_same_dates() -> None:
    values = ["2026-03-20", "2026-03-21", "Mar 23, 2026", "Mar 24, 2026"]
    profile = _profile(values)
    assert profile["parses"] == [] and {p["format"] for p in profile["beside_iso"]} == {"%b %d, %Y"}
    ((as_date,),) = parsed("t", "v", "date32[day]", profile)
    assert [d.isoformat() for d in _apply(as_date.replaces["v"], values)] == [
        "2026-03-20", "2026-03-21", "2026-03-23", "2026-03-24"
    ]  # fmt: skip
    ((as_text,),) = parsed("t", "v", "string", profile, as_text=True)
    assert _apply(as_text.replaces["v"], values) == ["2026-03-20", "2026-03-21", "2026-03-23", "2026-03-24"]
    # The second form reads two ways (day and month both at most 12): a guess, escalated.
    ((two_ways,),) = parsed("t", "v", "date32[day]", _profile(["2026-03-20", "03/04/2026", "05/06/2026"]))
    assert two_ways.remediation == "escalate"
