"""Competitive evaluation of candidate repairs: run each in the sandbox, keep the smallest one that passes.

A candidate is a set of `propose_*` calls (one fix operator, or a small combination such as a cast plus a
dead letter of the rows that still fail). Each is composed into a repaired asset and run in the sandbox on
the current data with the asset's checks. Its output is then held against the last good published output:
rows whose key (the columns the checks declare unique, else the output's grouping or the fewest columns that
name a row of the last good output: `key_columns`) is in both should agree in every column the two share,
since a repair must not change what the unchanged data meant.

Of the candidates that pass the checks, those that change the fewest such rows are kept, and of these the
one with the fewest operators wins. Passing candidates that produce
different outputs mean the evidence does not decide what the data means: that is an escalation, measured
rather than guessed.
"""

from __future__ import annotations

import hashlib
from typing import Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from agentic_assets.repair.compose import compose
from agentic_assets.repair.contracts import RepairPlan
from agentic_assets.repair.planner.signals import parse_checks
from agentic_assets.repair.validation import validate
from agentic_assets.repair.view import AssetView
from agentic_assets.sql.analysis import output_grouping


class CandidateCall(BaseModel):
    tool: str = Field(description="a propose_* tool name")
    args: dict[str, Any] = Field(default_factory=dict)


class Candidate(BaseModel):
    name: str
    calls: list[CandidateCall] = Field(min_length=1)


class CandidateResult(BaseModel):
    name: str
    operators: int
    passes_checks: bool
    failing_checks: list[str] = Field(default_factory=list)
    output_rows: int | None = None
    compared_keys: int = Field(default=0, description="keys present in both this output and the last good one")
    disagreeing_keys: int = 0
    fingerprint: str | None = Field(default=None, description="a digest of the output rows, order ignored")
    distance: float | None = Field(default=None, description="mean relative difference of shared rows' measures")
    message: str = ""


class Evaluation(BaseModel):
    results: list[CandidateResult] = Field(default_factory=list)
    chosen: str | None = None
    disagreement: bool = Field(default=False, description="passing candidates produced different outputs")
    reason: str = ""


def _is_measure(kind: pa.DataType) -> bool:
    return pa.types.is_floating(kind) or pa.types.is_decimal(kind)


def _unique(con: duckdb.DuckDBPyConnection, columns: list[str]) -> bool:
    cols = ", ".join(f'"{c}"' for c in columns)
    rows, distinct = con.execute(f"SELECT count(*), count(DISTINCT ({cols})) FROM good").fetchone()
    return rows > 0 and rows == distinct


def _recurrence(con: duckdb.DuckDBPyConnection, column: str) -> float:
    """The share of the last good output's values of `column` that the new output holds too: an identifier's
    values recur from run to run, a count's drift with the data."""
    c = f'CAST("{column}" AS VARCHAR)'  # the two outputs may type it differently
    (share,) = con.execute(
        f"SELECT count(*) FILTER (WHERE v IN (SELECT {c} FROM now_rows)) / greatest(count(*), 1) "
        f"FROM (SELECT DISTINCT {c} AS v FROM good)"
    ).fetchone()
    return float(share or 0.0)


def key_columns(checks_text: str, output: pa.Table, last_good: pa.Table, sql: str | None = None) -> list[str]:
    """The columns that name a row of the output, from evidence rather than type alone.

    In order: the columns the checks declare unique; else the output's own grouping (the outermost GROUP BY),
    when it is unique in the last good output; else the fewest non-measure columns unique in the last good
    output, text, dates and flags before integers (an integer may be a count or a measure: it joins the key only
    when the others do not name a row, and among integers those whose values recur in the new output first).
    Without any unique set, every non-measure column that is not an integer (else every non-measure column).
    """
    shared = [c for c in output.column_names if c in last_good.column_names]
    unique = [col for chk in parse_checks(checks_text) if chk.metric == "duplicate_count" for col in chk.columns]
    keys = [c for c in unique if c in shared]
    if keys:
        return keys
    dims = [c for c in shared if not _is_measure(output.schema.field(c).type)]
    if not dims:
        return []
    con = duckdb.connect()
    try:
        con.register("good", last_good.select(shared))
        con.register("now_rows", output.select(shared))
        grouping = output_grouping(sql) if sql else None
        if grouping and all(c in dims for c in grouping) and _unique(con, grouping):
            return grouping
        integers = [c for c in dims if pa.types.is_integer(output.schema.field(c).type)]
        others = [c for c in dims if c not in integers]
        integers.sort(key=lambda c: -_recurrence(con, c))
        order = [*others, *integers]
        # Add columns in order until they name a row, then drop any the rest do without (integers first).
        key: list[str] = []
        for c in order:
            key.append(c)
            if _unique(con, key):
                break
        else:
            return others or dims
        for c in reversed(key[:-1]):
            rest = [k for k in key if k != c]
            if _unique(con, rest):
                key = rest
        return key
    finally:
        con.close()


def compare_to_last_good(output: pa.Table, last_good: pa.Table, keys: list[str]) -> tuple[int, int]:
    """(keys in both, keys whose shared columns differ), numbers compared after rounding to 6 places."""
    shared = [c for c in output.column_names if c in last_good.column_names]
    values = [c for c in shared if c not in keys]
    if not keys:
        return 0, 0
    con = duckdb.connect()
    try:
        con.register("now_rows", output.select(shared))
        con.register("good_rows", last_good.select(shared))

        def norm(alias: str, col: str) -> str:
            kind = output.schema.field(col).type
            ref = f'{alias}."{col}"'
            if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
                return f"ROUND(CAST({ref} AS DOUBLE), 6)"
            return f"CAST({ref} AS VARCHAR)"

        on = " AND ".join(f"{norm('n', k)} IS NOT DISTINCT FROM {norm('g', k)}" for k in keys)
        differs = " OR ".join(f"{norm('n', v)} IS DISTINCT FROM {norm('g', v)}" for v in values) or "FALSE"
        both, diff = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {differs}) FROM now_rows n JOIN good_rows g ON {on}"
        ).fetchone()
        return int(both), int(diff)
    finally:
        con.close()


def distance_to_last_good(output: pa.Table, last_good: pa.Table, keys: list[str]) -> float | None:
    """How far the numbers of the rows both outputs hold are from the last good ones: the mean relative
    difference over the shared measure columns (None without keys or measures). Rows a repair legitimately
    changed (a residue set aside) move a little; a reading in another unit or scale moves every row by its
    factor."""
    shared = [c for c in output.column_names if c in last_good.column_names and c not in keys]
    measures = [
        c for c in shared if _is_number(output.schema.field(c).type) and _is_number(last_good.schema.field(c).type)
    ]
    if not keys or not measures:
        return None
    con = duckdb.connect()
    try:
        con.register("now_rows", output.select([*keys, *measures]))
        con.register("good_rows", last_good.select([*keys, *measures]))
        on = " AND ".join(f'CAST(n."{k}" AS VARCHAR) IS NOT DISTINCT FROM CAST(g."{k}" AS VARCHAR)' for k in keys)
        terms = " + ".join(
            f"COALESCE(abs({now} - {good}) / NULLIF(abs({good}), 0), 0)"
            for c in measures
            for now, good in [(f'CAST(n."{c}" AS DOUBLE)', f'CAST(g."{c}" AS DOUBLE)')]
        )
        (value,) = con.execute(
            f"SELECT avg(({terms}) / {len(measures)}) FROM now_rows n JOIN good_rows g ON {on}"
        ).fetchone()
        if value is None:
            # No row in both (every key changed, say a count beside it): the measures' medians must still agree.
            medians = [
                con.execute(f'SELECT median(CAST("{c}" AS DOUBLE)) FROM {t}').fetchone()[0]
                for c in measures
                for t in ("now_rows", "good_rows")
            ]
            pairs = [(a, b) for a, b in zip(medians[::2], medians[1::2], strict=True) if a is not None and b]
            value = sum(abs(a - b) / abs(b) for a, b in pairs) / len(pairs) if pairs else None
        return None if value is None else round(float(value), 6)
    finally:
        con.close()


def _is_number(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)


def fingerprint(output: pa.Table) -> str:
    con = duckdb.connect()
    try:
        con.register("t", output)
        cols = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in output.column_names)
        rows = con.execute(f"SELECT concat_ws('\x1f', {cols}) AS r FROM t ORDER BY r").fetchall()
    finally:
        con.close()
    return hashlib.sha256("\x1e".join(str(r[0]) for r in rows).encode()).hexdigest()[:16]


def evaluate(view: AssetView, candidates: list[Candidate]) -> Evaluation:
    from agentic_assets.repair.tools import build_proposal  # the tools build proposals; imported late

    columns = {s: view.source_table(s).column_names for s in view.sources}
    last_good = view.published()
    failed = view.failed_run()
    out = Evaluation()
    for cand in candidates:
        try:
            plan = RepairPlan(proposals=[build_proposal(c.tool, c.args, view) for c in cand.calls])
        except Exception as err:  # noqa: BLE001 - a malformed candidate fails, the others go on
            out.results.append(CandidateResult(name=cand.name, operators=len(cand.calls), passes_checks=False,
                                               message=f"{type(err).__name__}: {err}"[:300]))  # fmt: skip
            continue
        repaired = compose(plan, view.sql or "", view.checks_text, view.run_limits(), columns)
        verdict, output = validate(view, repaired, waiting_for=failed.failed_checks if failed else None)
        result = CandidateResult(
            name=cand.name,
            operators=len(cand.calls),
            passes_checks=verdict.ok,
            failing_checks=[c.name for c in verdict.checks if c.outcome not in ("pass", "warn")],
            output_rows=verdict.output_rows,
            message=verdict.message[:300] if not verdict.ok else "",
        )
        if isinstance(output, pa.Table):
            result.fingerprint = fingerprint(output)
            if last_good is not None:
                keys = key_columns(view.checks_text, output, last_good, repaired.sql)
                result.compared_keys, result.disagreeing_keys = compare_to_last_good(output, last_good, keys)
                result.distance = distance_to_last_good(output, last_good, keys)
        out.results.append(result)
    return choose(out.results)


def choose(results: list[CandidateResult]) -> Evaluation:
    """The smallest candidate that passes the checks with the fewest changed keys; or why there is none."""
    out = Evaluation(results=results)
    # A key whose input changed legitimately may differ from the last good output for every candidate; what
    # tells candidates apart is how many unchanged keys each one changes, so the fewest disagreements win.
    checked = [r for r in out.results if r.passes_checks]
    if not checked:
        out.reason = "no candidate passes the asset's checks"
        return out
    fewest = min(r.disagreeing_keys for r in checked)
    passing = sorted((r for r in checked if r.disagreeing_keys == fewest), key=lambda r: r.operators)
    smallest = [r for r in passing if r.operators == passing[0].operators]
    if len({r.fingerprint for r in smallest}) > 1:
        out.disagreement = True
        out.reason = (
            f"{', '.join(r.name for r in smallest)} all pass but produce different outputs: the evidence does not "
            "decide which one the data means"
        )
        return out
    out.chosen = smallest[0].name
    out.reason = (
        f"{out.chosen} is the smallest candidate that passes the checks with the fewest changed keys of the last "
        f"good output ({fewest})"
    )
    return out
