"""Do two engines' outputs hold the same rows? Order ignored, numbers equal to a relative 1e-9."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

# Relative tolerance for numbers: a DOUBLE computed in a different order (partial sums per partition) may
# differ in its last bits, about 1e-16 relative per operation; 1e-9 leaves room for millions of additions
# while still catching a DECIMAL rounded to 6 places or a value off by one cent in ten million.
REL_TOL = 1e-9
# Below this absolute size a difference counts as zero (sums that cancel to ~0 in a different order).
ABS_TOL = 1e-12
MAX_REPORTED = 5


def _normal(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None) - (value.utcoffset() or datetime.min - datetime.min)
    return value


def _sort_key(row: tuple) -> tuple:
    # NULLs first, then by type name so that mixed types never compare; numbers as floats.
    return tuple(
        (v is None, type(v).__name__ if not isinstance(v, int | float) else "n", v if v is not None else 0) for v in row
    )


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(a, float) and math.isnan(a):
            return isinstance(b, float) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(a, date | datetime | str | bytes) or isinstance(b, date | datetime | str | bytes):
        return a == b
    return a == b


def _rows(table: pa.Table, columns: list[str]) -> list[tuple]:
    data = [[_normal(v) for v in table.column(c).to_pylist()] for c in columns]
    return sorted(zip(*data, strict=True), key=_sort_key) if data else [()] * table.num_rows


def row_differences(expected: pa.Table, actual: pa.Table, *, label: tuple[str, str] = ("DuckDB", "Spark")) -> list[str]:
    """What differs between the two tables, as sentences; empty when they hold the same rows.

    Rows are compared as multisets: both sides are sorted by every column and compared pairwise, numbers
    to REL_TOL. (Two rows whose only difference is a number closer than REL_TOL may pair crosswise; they
    are then still within twice the tolerance of each other.)
    """
    left, right = label
    columns = expected.column_names
    if sorted(columns) != sorted(actual.column_names):
        return [f"columns differ: {left} {columns}, {right} {actual.column_names}"]
    if expected.num_rows != actual.num_rows:
        return [f"row counts differ: {left} {expected.num_rows}, {right} {actual.num_rows}"]
    problems = []
    for a, b in zip(_rows(expected, columns), _rows(actual, columns), strict=True):
        bad = [c for c, x, y in zip(columns, a, b, strict=True) if not _same(x, y)]
        if bad:
            shown = ", ".join(
                f"{c}: {left} {x!r}, {right} {y!r}" for c, x, y in zip(columns, a, b, strict=True) if c in bad
            )
            problems.append(f"a row differs in {', '.join(bad)} ({shown})")
            if len(problems) >= MAX_REPORTED:
                problems.append("(more differences not shown)")
                break
    return problems
