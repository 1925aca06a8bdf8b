"""Numbers written for people: readings built from parts, verified on every value, read alike by DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentic_assets.repair.candidates import CandidateResult, Evaluation
from agentic_assets.repair.number_readings import detect, to_sql
from agentic_assets.repair.planner.combinations import chosen_option, combinations
from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators import number_format
from agentic_assets.repair.profiling import profile_column

from .incident_kit import run, write_incident


def _duckdb(expr: str, values: list[str]) -> list:
    sql = f"SELECT {expr} FROM (SELECT unnest($1::VARCHAR[]) AS v)"
    return [r[0] for r in duckdb.execute(sql, [values]).fetchall()]


@pytest.mark.parametrize(
    ("written", "numbers"),
    [
        (["1,234.50", "12.00", "-7.25"], [1234.5, 12.0, -7.25]),
        (["1.234,50", "12,00", "980,5"], [1234.5, 12.0, 980.5]),
        (["1 234,50", "3,10", "12 345 678,00"], [1234.5, 3.1, 12345678.0]),
        (["1\u202f234,50", "3,10"], [1234.5, 3.1]),
        (["1'234.50", "7.25"], [1234.5, 7.25]),
        (["€12", "€1,234.00", "-€3.50"], [12.0, 1234.0, -3.5]),
        (["12 EUR", "7,5 EUR"], [12.0, 7.5]),
        (["USD 12.00", "USD -3.50"], [12.0, -3.5]),
        (["\u221212.00", "4.00"], [-12.0, 4.0]),
        (["(12.00)", "4.00", "(1,200.00)"], [-12.0, 4.0, -1200.0]),
        (["12.00-", "3.00"], [-12.0, 3.0]),
        (["1.2e3", "-4.5E-2", "3"], [1200.0, -0.045, 3.0]),
        (["12kg", "12 kg", "7.5kg"], [12.0, 12.0, 7.5]),
    ],
)
def test_one_reading_reads_every_value_and_duckdb_reads_the_same(written: list[str], numbers: list[float]) -> None:
    (reading,) = detect(written)
    assert _duckdb(to_sql(reading, "v", "DOUBLE"), written) == pytest.approx(numbers)


def test_values_that_read_two_ways_are_two_meanings() -> None:
    # `1,234` is a thousand and more with a grouping comma, one and a bit with a decimal comma.
    meanings = detect(["1,234", "567", "2,500"])
    assert len(meanings) == 2
    assert sorted(_duckdb(to_sql(r, "v", "DOUBLE"), ["1,234"])[0] for r in meanings) == [1.234, 1234.0]
    # One value with two decimals settles it.
    assert len(detect(["1,234", "567", "2,50"])) == 1
    # A percent is the number written or the fraction it stands for.
    percent = detect(["12.5%", "3%"])
    assert sorted(_duckdb(to_sql(r, "v", "DOUBLE"), ["12.5%"])[0] for r in percent) == [0.125, 12.5]


def test_two_affixes_dates_and_broken_grouping_have_no_reading() -> None:
    assert detect(["12 kg", "3 lb"]) == []
    assert detect(["EUR 12", "USD 12"]) == []
    assert detect(["2026-03-02", "2026-03-03"]) == []
    assert detect(["02/03/2026"]) == []
    assert detect(["1,23,4.5"]) == []  # groups of three or nothing
    # A leading zero is no thousands group: `0.399` reads one way only.
    (reading,) = detect(["0.399 kWh", "0.412 kWh"])
    assert reading.decimal == "." and not reading.group


def test_the_residue_is_counted_and_dead_lettered_apart() -> None:
    values = [f"{i},5 kg" for i in range(40)] + ["n/a", "unknown"]
    profile = profile_column(pa.table({"w": values}), "parcels", "w").model_dump()
    options = number_format.candidates("parcels", "w", "double", profile)
    assert [[f.remediation for f in o] for o in options] == [["code_change"], ["code_change", "dead_letter"]]
    condition = options[1][1].condition
    flagged = [r[0] for r in duckdb.execute(f"SELECT w FROM (SELECT unnest($1::VARCHAR[]) AS w) WHERE {condition}",
                                            [values]).fetchall()]  # fmt: skip
    assert sorted(flagged) == ["n/a", "unknown"]


def test_combinations_take_one_option_per_cause_smallest_first() -> None:
    a = Finding(category="format_drift", remediation="code_change", cause="a")
    b = Finding(category="data_quality", remediation="dead_letter", cause="b")
    c = Finding(category="data_quality", remediation="dedupe", cause="c")
    combos = combinations([("s.x", [[a], [a, b]]), ("s.rows", [[c]])])
    assert [name for name, _ in combos] == ["s.x#0+s.rows#0", "s.x#1+s.rows#0"]
    assert [len(f) for _, f in combos] == [2, 3]
    assert chosen_option("s.x#1+s.rows#0", "s.x") == 1 and chosen_option("s.x#1+s.rows#0", "s.rows") == 0
    assert chosen_option("s.x#1", "s.y") is None


def _evidence(disagreeing: int, compared: int) -> Evidence:
    result = CandidateResult(name="s.x#0", operators=1, passes_checks=True, compared_keys=compared,
                             disagreeing_keys=disagreeing, fingerprint="f")  # fmt: skip
    evaluation = Evaluation(results=[result], chosen="s.x#0", reason="smallest")
    return Evidence({"evaluate_candidates": evaluation.model_dump()}, {})


def test_a_verified_reading_that_changes_most_unchanged_rows_escalates() -> None:
    cast = Finding(category="format_drift", remediation="code_change", cause="read")
    kept = _evidence(disagreeing=1, compared=14).choose("s.x", [[cast]], verify=True)
    assert kept == [cast]
    (escalated,) = _evidence(disagreeing=14, compared=14).choose("s.x", [[cast]], verify=True)
    assert escalated.remediation == "escalate" and "changed meaning" in escalated.cause
    # Without a verification request a single option needs no sandbox.
    assert Evidence({}, {}).choose("s.x", [[cast]]) == [cast]


def _parcels(weights: list, ids: list[int]) -> pa.Table:
    return pa.table({"parcel_id": ids, "depot": [f"D{i % 3}" for i in ids], "weight": weights})


@pytest.mark.slow
def test_grouped_decimal_commas_are_repaired_and_a_unit_change_escalates(tmp_path: Path) -> None:
    ids = list(range(60))
    kg = [1000.5 + 37 * i for i in ids]
    sql = "SELECT parcel_id, depot, ROUND(weight, 2) AS weight FROM parcels"
    checks = "checks for parcel_weights:\n  - row_count > 0\n  - duplicate_count(parcel_id) = 0\n"
    written = [f"{w:,.2f} kg".replace(",", "\u00a0").replace(".", ",") for w in kg]
    before = {"parcels": _parcels(kg, ids)}
    folder = write_incident(tmp_path / "inc", name="parcel-weights", sql=sql, checks=checks, before=before,
                            after={"parcels": _parcels(written, ids)})  # fmt: skip
    result = run(folder, tmp_path / "work")
    assert result.sandbox_ok, result.repair.diagnosis if result.repair else result.error
    assert result.remediation == "code_change"
    out = {r["parcel_id"]: r["weight"] for r in pq.read_table(result.output).to_pylist()}
    assert out == pytest.approx(dict(zip(ids, kg, strict=True)))
    # The same parcels, now in grams: the reading parses every value but changes every unchanged row.
    grams = [f"{w * 1000:.0f} g" for w in kg]
    checks = checks.replace("parcel_weights", "parcel_grams")
    folder = write_incident(tmp_path / "inc", name="parcel-grams", sql=sql, checks=checks, before=before,
                            after={"parcels": _parcels(grams, ids)})  # fmt: skip
    result = run(folder, tmp_path / "work2")
    assert result.remediation == "escalate", result.repair.diagnosis if result.repair else result.error


def test_a_reading_that_runs_but_leaves_a_check_failing_is_kept_as_the_first_of_two_causes() -> None:
    cast = Finding(category="format_drift", remediation="code_change", cause="read")
    ran = CandidateResult(name="s.x#0", operators=1, passes_checks=False, failing_checks=["avg(n) < 40"],
                          output_rows=12, compared_keys=12, disagreeing_keys=3, fingerprint="f")  # fmt: skip
    broke = CandidateResult(name="s.x#1", operators=1, passes_checks=False, message="ConversionException")
    evaluation = Evaluation(results=[ran, broke], reason="no candidate passes the asset's checks")
    ev = Evidence({"evaluate_candidates": evaluation.model_dump()}, {})
    assert ev.choose("s.x", [[cast], [cast]], verify=True) == [cast]
    assert ev.partial == ["avg(n) < 40"]
    # Nothing ran: no first cause is settled, and the planner escalates.
    evaluation = Evaluation(results=[broke], reason="no candidate passes the asset's checks")
    ev = Evidence({"evaluate_candidates": evaluation.model_dump()}, {})
    (escalated,) = ev.choose("s.x", [[cast], [cast]], verify=True)
    assert escalated.remediation == "escalate" and ev.partial == []


def _renamed(dropped_type: str, values: list[str]) -> Evidence:
    diff = {"source": "feed", "dropped": ["old"], "dropped_types": {"old": dropped_type}, "added": ["new_col"],
            "used_by_transform": ["old"], "rename_candidates": [{"dropped": "old", "added": "new_col",
            "type_compatible": False, "name_similarity": 0.56}]}  # fmt: skip
    profile = profile_column(pa.table({"new_col": values}), "feed", "new_col").model_dump()
    return Evidence({"schema_diff": {"sources": [diff]}}, {"feed": {"new_col": profile}})


def test_a_rename_that_also_changed_the_written_form_is_read_back_under_the_old_name() -> None:
    from agentic_assets.repair.planner.operators.rename_map import rename_findings

    values = ["March 2, 2026", "February 15, 2026"]
    findings = rename_findings(_renamed("date32[day]", values))
    assert [f.category for f in findings] == ["schema_drift", "format_drift"]
    con = duckdb.connect()
    con.execute("CREATE TABLE feed AS SELECT unnest($1::VARCHAR[]) AS new_col", [values])
    assert [str(r[0]) for r in con.execute(findings[0].adapter).fetchall()] == ["2026-03-02", "2026-02-15"]
    # Numbers wait for the sandbox's comparison with the last good output; values no format reads escalate.
    ev = _renamed("double", ["(1,234.50)", "12.00"])
    assert rename_findings(ev) == [] and ev.pending
    (escalated,) = rename_findings(_renamed("date32[day]", ["soon", "later"]))
    assert escalated.remediation == "escalate"


def test_timestamps_with_an_offset_are_read_as_moments_although_a_plain_cast_reads_them() -> None:
    from agentic_assets.repair.planner.operators.type_change import type_change_findings

    values = ["2026-02-09T09:15:00+01:00", "2026-02-09T05:10:00Z"]
    change = {"column": "at", "before": "timestamp[us]", "now": "string", "used_by_transform": True,
              "castable_to_before": 1.0}  # fmt: skip
    profile = profile_column(pa.table({"at": values}), "feed", "at").model_dump()
    diff = {"sources": [{"source": "feed", "type_changed": [change]}]}
    ev = Evidence({"schema_diff": diff}, {"feed": {"at": profile}})
    (finding,), _need = type_change_findings(ev)
    con = duckdb.connect()
    con.execute("CREATE TABLE feed AS SELECT unnest($1::VARCHAR[]) AS at", [values])
    got = [str(r[0]) for r in con.execute(f"SELECT {finding.replaces['at']} FROM feed").fetchall()]
    assert got == ["2026-02-09 08:15:00", "2026-02-09 05:10:00"]


def test_readings_that_all_pass_are_told_apart_by_an_order_of_magnitude_from_the_last_good_output() -> None:
    cast = Finding(category="format_drift", remediation="code_change", cause="read")
    fraction = Finding(category="format_drift", remediation="code_change", cause="fraction")
    residue = Finding(category="data_quality", remediation="dead_letter", cause="no number")
    # Both with the residue set aside, which changes every shared row a little.
    near_option, far_option = [cast, residue], [fraction, residue]

    def results(near: float, far: float) -> Evidence:
        a = CandidateResult(name="s.x#0", operators=2, passes_checks=True, compared_keys=9, disagreeing_keys=9,
                            fingerprint="a", distance=near)  # fmt: skip
        b = a.model_copy(update={"name": "s.x#1", "fingerprint": "b", "distance": far})
        evaluation = Evaluation(results=[a, b], disagreement=True, reason="all pass but produce different outputs")
        return Evidence({"evaluate_candidates": evaluation.model_dump()}, {})

    assert results(0.02, 0.99).choose("s.x", [near_option, far_option], verify=True) == near_option
    # Within a factor of ten of each other, the evidence does not decide.
    (escalated,) = results(0.2, 0.9).choose("s.x", [near_option, far_option], verify=True)
    assert escalated.remediation == "escalate"


def test_a_percent_sign_on_some_values_only_marks_those_as_percents() -> None:
    values = ["0.686", "0.282", "76.1 %", "44.5 %"]
    readings = detect(values)
    marked = [r for r in readings if r.scale_marked]
    assert len(marked) == 1 and len(readings) == 3
    expr = to_sql(marked[0], "v", "DOUBLE")
    read = [r[0] for r in duckdb.sql(f"SELECT {expr} FROM (SELECT unnest({values}) AS v)").fetchall()]
    assert read == [0.686, 0.282, 76.1 / 100, 0.445]
    # Every value written with the sign: no marked reading, the sign is on all of them.
    assert not any(r.scale_marked for r in detect(["76.1 %", "44.5 %"]))


def test_a_percent_read_as_a_fraction_divides_as_the_decimal_is_written() -> None:
    (scaled,) = [r for r in detect(["44.5%", "0.5%"]) if r.scale != 1]
    expr = to_sql(scaled, "v", "DOUBLE")
    read = [r[0] for r in duckdb.sql(f"SELECT {expr} FROM (SELECT unnest(['44.5%', '0.5%']) AS v)").fetchall()]
    assert read == [0.445, 0.005]  # 44.5 * 0.01 would be 0.44500000000000006
