"""The catalog tool: the tables an asset could read beyond its own sources, and value-overlap probes into them.

A column that moved to a dimension, a key re-keyed with a mapping table beside it, a code list switched to
another standard with a reference table in the catalog: each is found by asking which catalog columns hold
a given set of values. A probe names the values (a source column now, the values that column had at the
last good run, or an explicit list) and the tool answers, per catalog column, the share of those values it
holds and whether it is a key of its table (one row per value). Where two probes hit two columns of one
table, the pair is a candidate mapping, and the tool measures it: how many of the first probe's values it
covers, whether any of them maps to two values (fan-out) and whether two of them map to one (collision).

Read-only and bounded: at most `MAX_TABLES` tables, `MAX_SCAN_ROWS` rows of each, `MAX_PROBE_VALUES`
distinct values per probe, `MAX_PROBES` probes. It returns names, types, counts and shares, never values,
and columns flagged as personal data are not probed.
"""

from __future__ import annotations

from typing import Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from agentic_assets.repair.schema_diff import known_values
from agentic_assets.repair.view import AssetView

MAX_TABLES = 40  # a catalog listing the planner can read in one observation
MAX_SCAN_ROWS = 2_000_000  # rows of one catalog table a probe scans; dimensions and maps are far smaller
MAX_PROBE_VALUES = 2000  # distinct values one probe carries (enough to tell a code list or key set apart)
MAX_PROBES = 12
MAX_HITS = 5  # best columns reported per probe


class CatalogColumn(BaseModel):
    name: str
    type: str


class CatalogTable(BaseModel):
    name: str
    kind: Literal["raw", "published"]
    rows: int | None = None
    sampled: bool = Field(default=False, description="probes scanned only the first MAX_SCAN_ROWS rows")
    columns: list[CatalogColumn] = Field(default_factory=list)
    error: str | None = Field(default=None, description="why the table could not be read now")


class ValueProbe(BaseModel):
    """Which values to look for: a source column now or at the last good run, or an explicit list."""

    label: str
    source: str | None = None
    column: str | None = None
    at: Literal["now", "last_good"] = Field(
        default="now",
        description="last_good: the values the column had when the asset last ran green (the published output's "
        "copy of it and same-named columns of the other sources)",
    )
    values: list[str] | None = Field(default=None, description="explicit values instead of a column")
    partner_source: str | None = Field(
        default=None, description="a join key's partner: known_share is then the share of values the partner holds"
    )
    partner_column: str | None = None


class ProbeHit(BaseModel):
    table: str
    column: str
    share: float = Field(description="share of the probe's distinct values this column holds")
    matched: int
    unique: bool = Field(description="no value of the column occurs in two different rows of the table: a key")


class ProbeResult(BaseModel):
    label: str
    values: int = Field(description="distinct values probed")
    truncated: bool = False
    known_share: float | None = Field(
        default=None,
        description="a column probed now: the share of its values it already had at the last good run (None when "
        "nothing records them); a column whose values are almost all new switched code set or key",
    )
    hits: list[ProbeHit] = Field(default_factory=list, description="best first")
    error: str | None = None


class Link(BaseModel):
    """Two columns of one catalog table that two probes hit: a candidate mapping `from_column -> to_column`."""

    table: str
    from_label: str
    from_column: str
    to_label: str
    to_column: str
    covered: float = Field(description="share of the from-probe's values present in from_column")
    fanout: int = Field(description="from-probe values that map to more than one distinct to_column value")
    collisions: int = Field(description="to_column values reached from more than one from-probe value")
    lands_in_to: float = Field(description="share of the mapped values that are among the to-probe's values")
    covered_new: float | None = Field(
        default=None,
        description="share of the from-probe's values not among the to-probe's (the ones a switch brought) present "
        "in from_column; None when every value is among them",
    )
    rewrites_old: int = Field(
        default=0, description="from-probe values among the to-probe's that from_column maps to another value"
    )


class CatalogReport(BaseModel):
    asset: str
    sources: list[str]
    tables: list[CatalogTable] = Field(default_factory=list)
    truncated_tables: bool = False
    probes: list[ProbeResult] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)


def _text_like(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t)


def _probe_values(view: AssetView, probe: ValueProbe) -> tuple[list[str], str | None]:
    if probe.values is not None:
        return sorted({str(v) for v in probe.values}), None
    if probe.source not in view.sources or not probe.column:
        return [], f"a probe names a source of the asset ({view.sources}) and a column, or explicit values"
    if probe.column in view.pii_columns(probe.source):
        return [], "the column is flagged as personal data: it is not probed"
    if probe.at == "last_good":
        known, _where = known_values(view, probe.column, probe.source, None)
        return sorted(known), None
    table = view.source_table(probe.source)
    if probe.column not in table.column_names:
        return [], "no such column now"
    con = duckdb.connect()
    try:
        con.register("t", table.select([probe.column]))
        rows = con.execute(
            f'SELECT DISTINCT CAST("{probe.column}" AS VARCHAR) AS v FROM t WHERE "{probe.column}" IS NOT NULL '
            f"ORDER BY v LIMIT {MAX_PROBE_VALUES + 1}"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows], None


def catalog(view: AssetView, probes: list[ValueProbe] | None = None) -> CatalogReport:
    """List the catalog and answer `probes` (see the module docstring)."""
    names = view.catalog_names()
    report = CatalogReport(asset=view.name, sources=view.sources, truncated_tables=len(names) > MAX_TABLES)
    tables: dict[str, pa.Table] = {}
    for name, kind in list(names.items())[:MAX_TABLES]:
        entry = CatalogTable(name=name, kind=kind)
        try:
            table = view.catalog_table(name, MAX_SCAN_ROWS + 1)
        except Exception as err:  # noqa: BLE001 - an unreadable table is listed with its error
            entry.error = f"{type(err).__name__}: {err}"[:200]
            report.tables.append(entry)
            continue
        entry.sampled = table.num_rows > MAX_SCAN_ROWS
        table = table.slice(0, MAX_SCAN_ROWS)
        entry.rows = table.num_rows
        entry.columns = [CatalogColumn(name=f.name, type=str(f.type)) for f in table.schema]
        report.tables.append(entry)
        flagged = set(view.pii_columns(name)) if kind == "raw" else set()
        probed = [f.name for f in table.schema if _text_like(f.type) and f.name not in flagged]
        if probed:
            tables[name] = table.select(probed)
    if not probes:
        return report
    con = duckdb.connect()
    try:
        distinct_rows: dict[str, int] = {}
        for name, table in tables.items():
            con.register(name, table)
            distinct_rows[name] = con.execute(f'SELECT count(*) FROM (SELECT DISTINCT * FROM "{name}")').fetchall()[0][
                0
            ]
        hit_sets: dict[str, list[ProbeHit]] = {}
        for i, probe in enumerate(probes[:MAX_PROBES]):
            label = probe.label or f"probe{i}"
            values, error = _probe_values(view, probe)
            result = ProbeResult(label=label, values=min(len(values), MAX_PROBE_VALUES), error=error)
            result.truncated = len(values) > MAX_PROBE_VALUES
            values = values[:MAX_PROBE_VALUES]
            if values and probe.values is None and probe.at == "now" and probe.source and probe.column:
                if probe.partner_source and probe.partner_column:
                    partner = ValueProbe(label="", source=probe.partner_source, column=probe.partner_column)
                    known = set(_probe_values(view, partner)[0])
                else:
                    known, _where = known_values(view, probe.column, probe.source, None)
                if known:
                    result.known_share = round(len(set(values) & known) / len(values), 4)
            report.probes.append(result)
            if not values:
                continue
            probe_table = f"probe_{i}"
            con.register(probe_table, pa.table({"v": pa.array(values, pa.string())}))
            hits = []
            for name, table in tables.items():
                for col in table.column_names:
                    matched, distinct = con.execute(
                        f'SELECT (SELECT count(*) FROM {probe_table} WHERE v IN (SELECT CAST("{col}" AS VARCHAR) '
                        f'FROM "{name}")), count(DISTINCT "{col}") FROM "{name}"'
                    ).fetchall()[0]
                    if matched:
                        # A key: as many distinct values as distinct rows (exact duplicate rows do not count).
                        unique = distinct == distinct_rows[name]
                        hits.append(ProbeHit(table=name, column=col, share=round(matched / len(values), 4),
                                             matched=matched, unique=unique))  # fmt: skip
            hits.sort(key=lambda h: (-h.share, not h.unique, h.table, h.column))
            result.hits = hits[:MAX_HITS]
            hit_sets[label] = result.hits
        report.links = _links(con, report.probes, hit_sets)
    finally:
        con.close()
    return report


def _links(con: duckdb.DuckDBPyConnection, probes: list[ProbeResult], hits: dict[str, list[ProbeHit]]) -> list[Link]:
    index = {p.label: i for i, p in enumerate(probes)}
    out: list[Link] = []
    for a, a_hits in hits.items():
        for b, b_hits in hits.items():
            if a == b:
                continue
            for ha in a_hits:
                for hb in b_hits:
                    if ha.table != hb.table or ha.column == hb.column:
                        continue
                    t, f, g = ha.table, ha.column, hb.column
                    pa_, pb = f"probe_{index[a]}", f"probe_{index[b]}"
                    pairs = (
                        f'SELECT DISTINCT CAST("{f}" AS VARCHAR) AS f, CAST("{g}" AS VARCHAR) AS g FROM "{t}" '
                        f'WHERE CAST("{f}" AS VARCHAR) IN (SELECT v FROM {pa_})'
                    )
                    fanout, collisions, mapped, lands = con.execute(
                        f"WITH p AS ({pairs}) SELECT "
                        "(SELECT count(*) FROM (SELECT f FROM p GROUP BY f HAVING count(DISTINCT g) > 1)), "
                        "(SELECT count(*) FROM (SELECT g FROM p GROUP BY g HAVING count(DISTINCT f) > 1)), "
                        "(SELECT count(DISTINCT g) FROM p), "
                        f"(SELECT count(DISTINCT g) FROM p WHERE g IN (SELECT v FROM {pb}))"
                    ).fetchall()[0]
                    # Values written in the old set already (rows from before a switch) need no translation.
                    fresh, fresh_found, rewrites = con.execute(
                        f"SELECT (SELECT count(DISTINCT v) FROM {pa_} WHERE v NOT IN (SELECT v FROM {pb})), "
                        f"(SELECT count(DISTINCT v) FROM {pa_} WHERE v NOT IN (SELECT v FROM {pb}) AND v IN "
                        f'(SELECT CAST("{f}" AS VARCHAR) FROM "{t}")), '
                        f"(SELECT count(DISTINCT f) FROM ({pairs}) WHERE f IN (SELECT v FROM {pb}) AND f <> g)"
                    ).fetchall()[0]
                    out.append(
                        Link(table=t, from_label=a, from_column=f, to_label=b, to_column=g, covered=ha.share,
                             fanout=fanout, collisions=collisions,
                             lands_in_to=round(lands / mapped, 4) if mapped else 0.0,
                             covered_new=round(fresh_found / fresh, 4) if fresh else None,
                             rewrites_old=rewrites)
                    )  # fmt: skip
    return out
