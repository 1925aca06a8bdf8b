"""Row comparison edge cases, exactly as the incident format scores rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from agentic_assets.bench.compare import compare_tables, normalize_value, read_expected_csv


def t(**cols: list) -> pa.Table:
    return pa.table(cols)


def test_row_and_column_order_are_ignored() -> None:
    a = t(x=[1, 2], y=["a", "b"])
    b = pa.table({"y": ["b", "a"], "x": [2, 1]})
    assert compare_tables(a, b).equal


def test_column_names_compare_case_insensitively() -> None:
    assert compare_tables(t(Total=[1.5]), t(total=[1.5])).equal


def test_numbers_equal_after_rounding_to_six_decimals() -> None:
    assert compare_tables(t(v=[0.1 + 0.2]), t(v=[0.3])).equal
    assert compare_tables(t(v=[1.0000004]), t(v=[1.0])).equal
    assert not compare_tables(t(v=[1.000001]), t(v=[1.000002])).equal


def test_integers_decimals_and_floats_are_the_same_number() -> None:
    assert compare_tables(t(v=[3]), t(v=[3.0])).equal
    assert compare_tables(pa.table({"v": pa.array([Decimal("12.50")], pa.decimal128(10, 2))}), t(v=[12.5])).equal


def test_numeric_looking_text_compares_as_a_number() -> None:
    assert compare_tables(t(v=["12.50"]), t(v=[12.5])).equal
    assert compare_tables(t(v=[" 7 "]), t(v=[7])).equal
    assert compare_tables(t(v=["007"]), t(v=[7])).equal
    assert compare_tables(t(v=["1e3"]), t(v=[1000])).equal
    assert not compare_tables(t(v=["12,50"]), t(v=[12.5])).equal


def test_text_that_is_not_a_number_stays_text() -> None:
    assert normalize_value("NaN") == "s:NaN"
    assert normalize_value("Infinity") == "s:Infinity"
    assert not compare_tables(t(v=["abc"]), t(v=["ABC"])).equal


def test_large_integers_are_compared_exactly() -> None:
    assert not compare_tables(t(v=[2**62]), t(v=[2**62 + 1])).equal


def test_negative_zero_is_zero() -> None:
    assert compare_tables(t(v=[-0.0]), t(v=[0])).equal
    assert compare_tables(t(v=[-0.0000001]), t(v=[0.0])).equal


def test_dates_timestamps_and_iso_text() -> None:
    day = dt.date(2026, 3, 1)
    assert compare_tables(t(d=[day]), t(d=[dt.datetime(2026, 3, 1)])).equal
    assert compare_tables(t(d=[day]), t(d=["2026-03-01"])).equal
    assert compare_tables(t(d=[dt.datetime(2026, 3, 1, 10, 30)]), t(d=["2026-03-01 10:30:00"])).equal
    assert not compare_tables(t(d=[dt.datetime(2026, 3, 1, 10, 30)]), t(d=[day])).equal


def test_timezone_aware_timestamps_compare_in_utc() -> None:
    aware = pa.array(
        [dt.datetime(2026, 3, 1, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))], pa.timestamp("us", "UTC")
    )
    assert compare_tables(pa.table({"ts": aware}), t(ts=[dt.datetime(2026, 3, 1, 10, 0)])).equal


def test_timestamps_outside_pythons_range_do_not_crash() -> None:
    far = pa.array([10**17], pa.timestamp("ms"))  # year ~3,170,000
    diff = compare_tables(pa.table({"ts": far}), t(ts=[dt.datetime(2026, 3, 1)]))
    assert not diff.equal


def test_nulls_and_nan_are_both_missing() -> None:
    assert compare_tables(t(v=[None, 1.0]), t(v=[float("nan"), 1.0])).equal
    assert not compare_tables(t(v=[None]), t(v=[0])).equal


def test_booleans() -> None:
    assert compare_tables(t(b=[True, False]), t(b=[False, True])).equal
    assert not compare_tables(t(b=[True]), t(b=["yes"])).equal


def test_row_multiplicity_matters() -> None:
    diff = compare_tables(t(v=[1, 1, 2]), t(v=[1, 2, 2]))
    assert not diff.equal
    assert diff.missing_rows and diff.extra_rows
    assert not compare_tables(t(v=[1, 1]), t(v=[1])).equal


def test_missing_extra_and_duplicate_columns() -> None:
    assert "missing ['y']" in compare_tables(t(x=[1]), t(x=[1], y=[2])).reason
    assert "unexpected ['y']" in compare_tables(t(x=[1], y=[2]), t(x=[1])).reason
    dup = pa.Table.from_arrays([pa.array([1]), pa.array([1])], names=["x", "X"])
    assert "duplicate column" in compare_tables(dup, t(x=[1])).reason


def test_empty_tables() -> None:
    assert compare_tables(t(x=pa.array([], pa.int64())), t(x=pa.array([], pa.string()))).equal


def test_expected_csv_round_trip(tmp_path: Path) -> None:
    csv = tmp_path / "output.csv"
    csv.write_text("Day,code,amount\n2026-03-01,007,12.50\n2026-03-02,010,-3\n")
    expected = read_expected_csv(csv)
    produced = pa.table(
        {"amount": [-3.0, 12.5], "day": [dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 1)], "CODE": ["10", "7"]}
    )
    assert compare_tables(produced, expected).equal


@pytest.mark.parametrize("value", [None, 1, 1.5, "x", dt.date(2026, 1, 1), True, Decimal("1.1")])
def test_normalized_values_are_hashable(value: object) -> None:
    hash(normalize_value(value))
