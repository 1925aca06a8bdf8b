"""Scoring one replay against `expected`, exactly as FORMAT.md says (for the benchmark runner and tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from agentic_assets.incidents.model import Expected


def as_set(value: str | list[str] | None) -> set[str]:
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def _norm(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int | float) or type(v).__name__ == "Decimal":
        return f"{round(float(v), 6):.6f}"
    if isinstance(v, dt.datetime):
        v = v.replace(tzinfo=None)
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v).strip()
    try:
        return f"{round(float(s), 6):.6f}"
    except ValueError:
        return s


def normalized(columns: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    cols = [c.lower() for c in columns]
    order = sorted(range(len(cols)), key=lambda i: cols[i])
    return [cols[i] for i in order], sorted((tuple(_norm(r[i]) for i in order) for r in rows), key=repr)


def rows_equal(output: Path, expected_csv: Path) -> bool:
    table = pq.read_table(output)
    con = duckdb.connect()
    try:
        exp = con.sql(f"SELECT * FROM read_csv_auto('{expected_csv.as_posix()}')")
        want = normalized(exp.columns, exp.fetchall())
    finally:
        con.close()
    got = normalized(table.column_names, [tuple(r.values()) for r in table.to_pylist()])
    return got == want


def score(expected: Expected, category, remediation, output: Path | None, sandbox_ok: bool, folder: Path) -> dict:  # noqa: ANN001
    diagnosis_ok = as_set(category) == as_set(expected.category)
    want = as_set(expected.remediation)
    proposal_ok = as_set(remediation) == want
    if proposal_ok and want != {"escalate"}:
        proposal_ok = sandbox_ok
        exp_csv = folder / "expected" / "output.csv"
        late_retry = want == {"retry"} and "late_data" in as_set(expected.category)
        if proposal_ok and exp_csv.exists() and not late_retry:
            proposal_ok = output is not None and rows_equal(output, exp_csv)
    return {"diagnosis_correct": diagnosis_ok, "proposal_correct": proposal_ok}
