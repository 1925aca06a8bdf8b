"""Row comparison as the incident format scores it.

Row and column order are ignored, column names compare case-insensitively, numbers are equal after
rounding to 6 decimal places, and text that looks like a number compares as that number. A date
equals a timestamp at midnight of that day (CSV type detection reads a day back as a DATE).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

_SIX = Decimal("0.000001")


class RowDiff(BaseModel):
    """Why two tables differ (empty `reason` when they are equal)."""

    equal: bool
    reason: str = ""
    missing_rows: list[tuple[Any, ...]] = []  # expected but not produced (a sample)
    extra_rows: list[tuple[Any, ...]] = []  # produced but not expected (a sample)


def _number(value: Decimal) -> str:
    rounded = value.quantize(_SIX, rounding=ROUND_HALF_EVEN)
    if rounded == 0:
        rounded = abs(rounded)  # -0.000000 and 0.000000 are the same number
    return f"n:{rounded}"


def normalize_value(value: Any) -> Any:
    """A comparable, hashable form of one cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return f"b:{str(value).lower()}"
    if isinstance(value, float):
        if math.isnan(value):
            return None  # a NaN cell is as absent as a NULL one
        if math.isinf(value):
            return f"n:{value}"
        return _number(Decimal(repr(value)))
    if isinstance(value, int | Decimal):
        return _number(Decimal(value))
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        if value.time() == dt.time(0):
            return f"t:{value.date().isoformat()}"
        return f"t:{value.isoformat()}"
    if isinstance(value, dt.date):
        return f"t:{value.isoformat()}"
    if isinstance(value, dt.time | dt.timedelta):
        return f"s:{value}"
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is not None and number.is_finite():
        return _number(number)
    as_time = _text_as_time(text)
    return as_time if as_time is not None else f"s:{text}"


def _text_as_time(text: str) -> str | None:
    """ISO dates and timestamps written as text compare as the moment they name."""
    if len(text) < 10 or text[4:5] != "-" or text[7:8] != "-":
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return normalize_value(parsed)


def _pylist(column: pa.ChunkedArray) -> list[Any]:
    try:
        return column.to_pylist()
    except (OverflowError, ValueError):
        # Moments outside Python's datetime range (a wrongly scaled epoch, say) still compare as text.
        import pyarrow.compute as pc

        return pc.cast(column, pa.string()).to_pylist()


def normalized_rows(table: pa.Table) -> tuple[list[str], Counter[tuple[Any, ...]]]:
    """Lower-cased column names in sorted order and the multiset of normalized rows."""
    names = [n.lower() for n in table.column_names]
    order = sorted(range(len(names)), key=lambda i: names[i])
    columns = [_pylist(table.column(i)) for i in order]
    rows = Counter(tuple(normalize_value(col[r]) for col in columns) for r in range(table.num_rows))
    return [names[i] for i in order], rows


def compare_tables(actual: pa.Table, expected: pa.Table, sample: int = 5) -> RowDiff:
    """Whether `actual` holds exactly the rows of `expected`, as the scoring rules define equality."""
    a_names, a_rows = normalized_rows(actual)
    e_names, e_rows = normalized_rows(expected)
    if len(set(a_names)) != len(a_names):
        return RowDiff(equal=False, reason=f"duplicate column names (case-insensitive): {a_names}")
    if a_names != e_names:
        missing = sorted(set(e_names) - set(a_names))
        extra = sorted(set(a_names) - set(e_names))
        return RowDiff(equal=False, reason=f"columns differ: missing {missing}, unexpected {extra}")
    if a_rows == e_rows:
        return RowDiff(equal=True)
    missing_rows = list((e_rows - a_rows).elements())
    extra_rows = list((a_rows - e_rows).elements())
    return RowDiff(
        equal=False,
        reason=(
            f"{sum(a_rows.values())} rows against {sum(e_rows.values())} expected: "
            f"{len(missing_rows)} expected rows missing, {len(extra_rows)} unexpected rows"
        ),
        missing_rows=missing_rows[:sample],
        extra_rows=extra_rows[:sample],
    )


def read_expected_csv(path: Path) -> pa.Table:
    """expected/output.csv with DuckDB's type detection, as the incident format writes it."""
    import duckdb

    con = duckdb.connect()
    try:
        result = con.read_csv(str(path)).arrow()
        return result.read_all() if isinstance(result, pa.RecordBatchReader) else result
    finally:
        con.close()


def read_output(path: Path) -> pa.Table:
    """The rows a repaired asset produced: Parquet (the runner's output) or CSV."""
    if path.suffix == ".csv":
        return read_expected_csv(path)
    import pyarrow.parquet as pq

    return pq.read_table(path)
