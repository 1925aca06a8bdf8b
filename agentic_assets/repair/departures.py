"""Departed entities: a short latest period explained by the catalog rather than by late rows.

A latest period can hold fewer rows because some entities (sites, devices, accounts) stopped delivering for
good, not because their rows are still on the way. The catalog says so when a dimension that keys the
source's entity column either no longer lists them (they left the source: handed over, decommissioned) or
records, in a time column of their row, a moment inside the latest period after which the source holds none
of their rows (closed at that time). Each entity is measured against its own earlier periods, so the entities
that kept delivering tell the departed ones apart without any threshold on volumes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from agentic_assets.materialize.watermarks import time_expressions

DepartureKind = Literal["delisted", "closed"]

# Distinct values a column may hold to be read as an entity column: a dimension the catalog tool can probe
# (its own bound on a probe's values); more than that is a row identifier, not a set of entities.
MAX_ENTITIES = 2000


class Departure(BaseModel):
    """Entities of one source column whose latest period is short, recorded by a catalog dimension as gone."""

    source: str
    column: str = Field(description="the source's entity column")
    time_column: str
    period: datetime = Field(description="the short latest period")
    dimension: str
    key: str = Field(description="the dimension's key column holding the source's entities")
    kind: DepartureKind
    closed_column: str | None = Field(default=None, description="closed: the dimension's time column saying when")
    entities: int = Field(description="entities departed")
    staying: int = Field(description="entities that delivered their full latest period")
    detail: str


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def entity_counts(
    con: duckdb.DuckDBPyConnection, time_expr: str, column: str, period: datetime, end: datetime, grain: str
) -> list[tuple[str, int, int]]:
    """Per value of `column` in the source `t`: (value, rows in the latest period, least rows in any earlier
    period, a period without it counting as none)."""
    p, e = f"TIMESTAMP '{period:%Y-%m-%d %H:%M:%S}'", f"TIMESTAMP '{end:%Y-%m-%d %H:%M:%S}'"
    rows = con.execute(
        f"""
        WITH r AS (SELECT CAST({_q(column)} AS VARCHAR) AS v, {time_expr} AS ts FROM t WHERE {_q(column)} IS NOT NULL),
        periods AS (SELECT DISTINCT date_trunc('{grain}', ts) AS pd FROM r WHERE ts < {p}),
        ents AS (SELECT DISTINCT v FROM r),
        earlier AS (SELECT v, date_trunc('{grain}', ts) AS pd, count(*) AS n FROM r WHERE ts < {p} GROUP BY 1, 2)
        SELECT ents.v,
               (SELECT count(*) FROM r WHERE r.v = ents.v AND ts >= {p} AND ts < {e}),
               (SELECT coalesce(min(coalesce(earlier.n, 0)), 0) FROM periods
                  LEFT JOIN earlier ON earlier.pd = periods.pd AND earlier.v = ents.v)
        FROM ents
        """
    ).fetchall()
    return [(str(v), int(latest), int(least)) for v, latest, least in rows]


def departures(
    source: str,
    table: pa.Table,
    time_column: str,
    period: datetime,
    length: timedelta,
    grain: str,
    catalog: dict[str, pa.Table],
) -> list[Departure]:
    """The departures that explain the short `period` of `table.time_column`: per entity column, the entities
    short of their own least earlier period, all of them gone by one catalog dimension that keys every other
    entity of the source."""
    end = period + length
    out: list[Departure] = []
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("t", table)
        reads = time_expressions(con, table)
        if time_column not in reads:
            return []
        for field in table.schema:
            if field.name in reads or not (pa.types.is_string(field.type) or pa.types.is_integer(field.type)):
                continue
            (distinct,) = con.execute(f"SELECT count(DISTINCT {_q(field.name)}) FROM t").fetchone()
            if not 2 <= distinct <= MAX_ENTITIES:
                continue
            counts = entity_counts(con, reads[time_column], field.name, period, end, grain)
            short = {v for v, latest, least in counts if latest < least}
            staying = {v for v, latest, least in counts if latest >= least and least > 0}
            if not short or not staying:
                continue  # nothing stands out, or nothing kept delivering: the whole period is short
            found = _recorded(con, source, field.name, time_column, reads[time_column], period, end, short,
                              staying, catalog)  # fmt: skip
            if found is not None:
                out.append(found)
    finally:
        con.close()
    return out


def _recorded(
    con: duckdb.DuckDBPyConnection,
    source: str,
    column: str,
    time_column: str,
    time_expr: str,
    period: datetime,
    end: datetime,
    short: set[str],
    staying: set[str],
    catalog: dict[str, pa.Table],
) -> Departure | None:
    """The first catalog dimension keying `column` that records the short entities as gone, else None."""
    for name, dim in sorted(catalog.items()):
        for field in dim.schema:
            keys = [None if v is None else str(v) for v in dim.column(field.name).to_pylist()]
            present = [k for k in keys if k is not None]
            if len(set(present)) != len(present) or not staying <= set(present):
                continue  # not a key of its table, or not the one that lists this source's entities
            common = dict(kind="delisted", source=source, column=column, time_column=time_column, period=period,
                          dimension=name, key=field.name, entities=len(short), staying=len(staying))  # fmt: skip
            if not short & set(present):
                return Departure(
                    **common,
                    detail=f"{len(short)} of {len(short) + len(staying)} {column} values of {source} are short "
                    f"in {period:%Y-%m-%d %H:%M} and {name} no longer lists them, while it lists every one "
                    "that delivered in full",
                )
            if not short <= set(present):
                continue
            closed = _closed_column(con, dim, field.name, keys, column, time_expr, period, end, short, staying)
            if closed is not None:
                return Departure(
                    **{**common, "kind": "closed"},
                    closed_column=closed,
                    detail=f"{len(short)} {column} value(s) of {source} are short in {period:%Y-%m-%d %H:%M}, and "
                    f"{name}.{closed} records each one closing inside that period, after its last row",
                )
    return None


def _closed_column(
    con: duckdb.DuckDBPyConnection,
    dim: pa.Table,
    key: str,
    keys: list[str | None],
    column: str,
    time_expr: str,
    period: datetime,
    end: datetime,
    short: set[str],
    staying: set[str],
) -> str | None:
    """A time column of the dimension set, for every short entity, inside the latest period and after each
    one's last row, and empty for every entity that delivered in full."""
    # Each short entity's last row, read once for every time column of the dimension.
    last_row = dict(
        con.execute(
            f"SELECT CAST({_q(column)} AS VARCHAR), max({time_expr}) FROM t WHERE {_q(column)} IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    dcon = duckdb.connect()
    try:
        dcon.execute("SET TimeZone = 'UTC'")
        dcon.register("t", dim)
        for col, expr in time_expressions(dcon, dim).items():
            stamps = dict(zip(keys, (r[0] for r in dcon.execute(f"SELECT {expr} FROM t").fetchall()), strict=True))
            if any(stamps.get(v) is not None for v in staying):
                continue
            # Closed inside the period, with no row of the entity after the closing time.
            if all(
                (at := stamps.get(v)) is not None
                and period <= at < end
                and not (last_row.get(v) is not None and last_row[v] > at)
                for v in short
            ):
                return col
    finally:
        dcon.close()
    return None
