"""Normalise-then-cast: numbers written inside a constant unit, and the residue that holds no number."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentic_assets.repair.planner.operators.normalise_cast import candidates
from agentic_assets.repair.profiling import affixes_of, profile_column

from .incident_kit import run, write_incident


def test_a_constant_affix_is_normalised_and_two_units_are_not() -> None:
    kg = pa.table({"weight": [f"{w / 4:.2f} kg" for w in range(1, 60)]})
    profile = profile_column(kg, "parcels", "weight").model_dump()
    options = candidates("parcels", "weight", "double", profile)
    assert len(options) == 1 and options[0][0].remediation == "code_change"
    mixed = affixes_of([f"{w} kg" for w in range(10)] + [f"{w} lb" for w in range(10)])
    assert mixed is not None and not mixed.constant
    profile = profile_column(pa.table({"w": [f"{w} kg" for w in range(10)] + [f"{w} lb" for w in range(10)]}), "p", "w")
    assert candidates("p", "w", "double", profile.model_dump()) == []
    # Values that hold no number: a second candidate adds a dead letter of them.
    residue = pa.table({"weight": [f"{w}.5 kg" for w in range(40)] + ["unknown", "n/a"]})
    options = candidates("parcels", "weight", "double", profile_column(residue, "parcels", "weight").model_dump())
    assert [[f.remediation for f in o] for o in options] == [["code_change"], ["code_change", "dead_letter"]]


@pytest.mark.slow
def test_the_sandbox_picks_cast_plus_dead_letter_when_the_cast_alone_fails(tmp_path: Path) -> None:
    n = 60
    ids = list(range(n))
    before = pa.table({"parcel_id": ids, "depot": [f"D{i % 3}" for i in ids], "weight": [1.0 + i for i in ids]})
    weights = [f"{1.0 + i:.1f} kg" for i in ids]
    weights[7], weights[21] = "unknown", "unknown"
    after = pa.table({"parcel_id": ids, "depot": [f"D{i % 3}" for i in ids], "weight": weights})
    folder = write_incident(
        tmp_path / "incidents",
        name="parcel-weights",
        sql="SELECT depot, SUM(weight) AS total_weight, COUNT(*) AS parcels FROM parcels GROUP BY depot",
        checks="checks for parcel_weights:\n  - row_count > 0\n  - missing_count(total_weight) = 0\n",
        before={"parcels": before},
        after={"parcels": after},
    )
    result = run(folder, tmp_path / "work")
    assert result.sandbox_ok, result.repair.diagnosis if result.repair else result.error
    assert sorted(result.remediation) == ["code_change", "dead_letter"]
    assert "evaluate_candidates" in (result.trace.read_text() if result.trace else "")
    out = pq.read_table(result.output).to_pylist()
    totals = {r["depot"]: r["total_weight"] for r in out}
    # Parcels 7 (D1) and 21 (D0) are set aside; every other weight is summed as before.
    assert totals["D1"] == pytest.approx(sum(1.0 + i for i in ids if i % 3 == 1 and i != 7))
    assert totals["D0"] == pytest.approx(sum(1.0 + i for i in ids if i % 3 == 0 and i != 21))


def test_thousands_dots_inside_a_unit_are_read_from_the_numbers() -> None:
    import duckdb

    values = ["1.234 kg", "12.345.678 kg", "980 kg", "2.500 kg"]
    profile = profile_column(pa.table({"weight": values}), "parcels", "weight").model_dump()
    assert profile["decimal_separator"] == ","
    (option,) = candidates("parcels", "weight", "double", profile)
    expr = option[0].replaces["weight"]
    rows = ", ".join(f"('{v}')" for v in values)
    got = [r[0] for r in duckdb.sql(f"SELECT {expr} FROM (VALUES {rows}) AS t(weight)").fetchall()]
    assert got == [1234.0, 12345678.0, 980.0, 2500.0]
