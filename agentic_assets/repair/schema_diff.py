"""Schema diff of each source and of the output: the last good run's recorded schemas against now.

Facts only: dropped, added and retyped columns, which of them the transform uses, and for each pair that
could be a rename or a retype, the evidence a reader needs (type compatibility, name similarity, how
many of the new values the old ones account for).
"""

from __future__ import annotations

import os
import re
from difflib import SequenceMatcher
from typing import Any, Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from agentic_assets.repair.failure_signal import FailureSignal, classify, exception_lineage
from agentic_assets.repair.sql_rewrite import columns_used, direct_projections, join_columns
from agentic_assets.repair.types import compatible, duckdb_type, family, is_identifier_name
from agentic_assets.repair.view import AssetView

VALUE_SAMPLE = 5000
OTHER_COLUMN_MIN = 0.75  # a join key whose values mostly sit in another partner column switched representation


class RenameCandidate(BaseModel):
    dropped: str
    added: str
    type_compatible: bool
    name_similarity: float
    value_overlap: float | None = Field(default=None, description="share of new distinct values known before")
    known_kept: float | None = Field(
        default=None, description="share of the values known before that the new column still holds"
    )
    values_from: str | None = None


class TypeChange(BaseModel):
    column: str
    before: str
    now: str
    used_by_transform: bool
    castable_to_before: float | None = Field(default=None, description="share of values that cast to the old type")
    cast_matches_known: float | None = Field(default=None, description="share of cast values found in known values")
    known_values_from: str | None = None


class KeyMatch(BaseModel):
    """A column this source shares with another source (a join key): do its values still find their partner?"""

    column: str
    partner: str
    matches_partner: float | None = None
    matches_other_column: str | None = Field(default=None, description="a partner column the values match instead")
    other_column_match: float | None = None
    other_column_unique: bool | None = None
    normalisation: KeyNormalisation | None = Field(default=None, description="the best spelling change, if any")


class KeyNormalisation(BaseModel):
    """A spelling change that maps a join key's values back onto its partner's: the same codes written with
    another case or without their separators (`fold`), or with a constant text before or after them."""

    kind: Literal["fold", "prefix", "suffix"]
    affix: str = ""
    share: float = Field(description="share of the key's distinct values that find their partner once normalised")
    unique: bool = Field(description="no two partner values normalise to the same spelling")


class SourceDiff(BaseModel):
    source: str
    compared_with: str | None = None
    rows_now: int = 0
    columns_now: dict[str, str] = Field(default_factory=dict, description="column -> Arrow type now")
    dropped: list[str] = Field(default_factory=list)
    dropped_types: dict[str, str] = Field(default_factory=dict, description="dropped column -> Arrow type before")
    added: list[str] = Field(default_factory=list)
    type_changed: list[TypeChange] = Field(default_factory=list)
    used_by_transform: list[str] = Field(default_factory=list)
    rename_candidates: list[RenameCandidate] = Field(default_factory=list)
    duplicate_rows: int = Field(default=0, description="rows that repeat another row exactly")
    key_matches: list[KeyMatch] = Field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.dropped or self.added or self.type_changed)


class UnreadableSource(BaseModel):
    """A source the diff could not read now: absent (not landed), or present but failing to open."""

    source: str
    present: bool
    signal: FailureSignal
    error: str


class SchemaDiff(BaseModel):
    last_good_run: str | None = None
    sources: list[SourceDiff] = Field(default_factory=list)
    output_before: dict[str, str] = Field(default_factory=dict)
    unreadable: list[UnreadableSource] = Field(default_factory=list)


def _distinct(table: pa.Table, column: str, cast: str | None = None) -> set[str]:
    con = duckdb.connect()
    try:
        con.register("t", table.select([column]))
        expr = f'TRY_CAST("{column}" AS {cast})' if cast else f'"{column}"'
        rows = con.execute(
            f"SELECT DISTINCT CAST({expr} AS VARCHAR) FROM t WHERE {expr} IS NOT NULL LIMIT {VALUE_SAMPLE}"
        ).fetchall()
        return {r[0] for r in rows}
    finally:
        con.close()


def _castable(table: pa.Table, column: str, to: str) -> float | None:
    con = duckdb.connect()
    try:
        con.register("t", table.select([column]))
        n, ok = con.execute(
            f'SELECT count("{column}"), count(TRY_CAST("{column}" AS {to})) FROM t WHERE "{column}" IS NOT NULL'
        ).fetchone()
        return round(ok / n, 4) if n else None
    finally:
        con.close()


def _similarity(a: str, b: str) -> float:
    a, b = a.lower(), b.lower()
    if a in b or b in a:
        return round(0.8 + 0.2 * min(len(a), len(b)) / max(len(a), len(b)), 3)
    return round(SequenceMatcher(None, a, b).ratio(), 3)


def known_values(view: AssetView, column: str, exclude_source: str, cast: str | None) -> tuple[set[str], str | None]:
    """Values `column` had before: the published output's copy of it and other sources' same-named columns."""
    known: set[str] = set()
    where: list[str] = []
    published = view.published()
    if published is not None and view.sql:
        projections = direct_projections(view.sql)
        out_col = next((o for o, src in projections.items() if src == column), None)
        if out_col and out_col in published.column_names:
            known |= _distinct(published, out_col, cast)
            where.append(f"published {view.name}.{out_col}")
    for other in view.sources:
        if other == exclude_source:
            continue
        table = view.source_table(other)
        if column in table.column_names:
            known |= _distinct(table, column, cast)
            where.append(f"{other}.{column}")
    return known, " and ".join(where) or None


def _duplicate_rows(table: pa.Table) -> int:
    con = duckdb.connect()
    try:
        con.register("t", table)
        return int(
            con.execute("SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * FROM t)) FROM t").fetchone()[0]
        )
    except duckdb.Error:
        return 0
    finally:
        con.close()


def _fold(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


def _normalisation(mine: set[str], theirs: set[str]) -> KeyNormalisation | None:
    """The spelling change (tried: fold, a constant prefix, a constant suffix) under which most of `mine`
    find a partner value, or None when none helps."""
    tries: list[tuple[str, str, dict[str, str], set[str]]] = []
    folded = {t: _fold(t) for t in theirs}
    tries.append(("fold", "", {m: _fold(m) for m in mine}, set(folded.values())))
    values = sorted(mine)
    prefix = os.path.commonprefix(values)
    suffix = os.path.commonprefix([v[::-1] for v in values])[::-1]
    # Every leading (trailing) part of the text all values share is a candidate constant affix.
    for k in range(1, len(prefix) + 1):
        tries.append(("prefix", prefix[:k], {m: m[k:] for m in mine}, theirs))
    for k in range(1, len(suffix) + 1):
        tries.append(("suffix", suffix[-k:], {m: m[: len(m) - k] for m in mine}, theirs))
    best: KeyNormalisation | None = None
    for kind, affix, mapped, target in tries:
        share = round(sum(1 for v in mapped.values() if v in target) / len(mine), 4)
        unique = len(set(folded.values())) == len(theirs) if kind == "fold" else True
        if share > 0 and (best is None or share > best.share):
            best = KeyNormalisation(kind=kind, affix=affix, share=share, unique=unique)  # type: ignore[arg-type]
    return best


def _key_matches(source: str, table: pa.Table, used: list[str], tables: dict[str, pa.Table]) -> list[KeyMatch]:
    out = []
    for col in used:
        if not is_identifier_name(col) or col not in table.column_names:
            continue
        mine = _distinct(table, col)
        if not mine:
            continue
        for partner, other in tables.items():
            if partner == source or col not in other.column_names:
                continue
            theirs = _distinct(other, col)
            match = KeyMatch(column=col, partner=partner, matches_partner=round(len(mine & theirs) / len(mine), 4))
            if match.matches_partner < 0.5 and theirs:
                match.normalisation = _normalisation(mine, theirs)
            if match.matches_partner < 0.5:
                for alt in other.column_names:
                    if alt == col or not pa.types.is_string(other.schema.field(alt).type):
                        continue
                    values = _distinct(other, alt)
                    rate = len(mine & values) / len(mine)
                    if rate >= OTHER_COLUMN_MIN and (match.other_column_match or 0) < rate:
                        match.matches_other_column, match.other_column_match = alt, round(rate, 4)
                        con = duckdb.connect()
                        try:
                            con.register("p", other.select([alt, col]))
                            n, d = con.execute(f'SELECT count(DISTINCT "{alt}"), count(DISTINCT ("{alt}", "{col}")) '
                                               "FROM p").fetchone()  # fmt: skip
                        finally:
                            con.close()
                        match.other_column_unique = n == d
            out.append(match)
    return out


def schema_diff(view: AssetView) -> SchemaDiff:
    good = view.last_good()
    result = SchemaDiff(last_good_run=f"{good.run_id} at {good.started_at.isoformat()}" if good else None)
    if good is not None:
        result.output_before = dict(good.output_schema)
    before_schemas = good.input_schemas if good else {}
    now_tables = {}
    for source in view.sources:
        try:
            now_tables[source] = view.source_table(source)
        except Exception as err:  # noqa: BLE001 - reported, the diff goes on for the others
            text = f"{type(err).__name__}: {err}"
            result.unreadable.append(
                UnreadableSource(
                    source=source,
                    present=view.source_present(source),
                    signal=classify(text, "error", exception_lineage(err)),
                    error=text[:500],
                )
            )
    used_before = {}
    if view.sql:
        schemas = {s: set(before_schemas.get(s) or {}) for s in view.sources}
        for s, t in now_tables.items():
            schemas[s] |= set(t.column_names)
        used_before = columns_used(view.sql, schemas)
    for source in view.sources:
        if source not in now_tables:
            continue
        table = now_tables[source]
        now = {f.name: str(f.type) for f in table.schema}
        before = before_schemas.get(source) or {}
        diff = SourceDiff(
            source=source,
            compared_with="last good run" if before else None,
            rows_now=table.num_rows,
            columns_now=now,
            used_by_transform=sorted(used_before.get(source, set())),
        )
        if before:
            diff.dropped = [c for c in before if c not in now]
            diff.dropped_types = {c: before[c] for c in diff.dropped}
            diff.added = [c for c in now if c not in before]
            for col in before:
                if col in now and family(before[col]) != family(now[col]):
                    change = TypeChange(
                        column=col, before=before[col], now=now[col], used_by_transform=col in diff.used_by_transform
                    )
                    target = duckdb_type(before[col])
                    change.castable_to_before = _castable(table, col, target)
                    if is_identifier_name(col) or family(before[col]) in ("integer", "text"):
                        known, where = known_values(view, col, source, target)
                        if known:
                            mine = _distinct(table, col, target)
                            change.cast_matches_known = round(len(mine & known) / len(mine), 4) if mine else None
                            change.known_values_from = where
                    diff.type_changed.append(change)
            for dropped in diff.dropped:
                known, where = known_values(view, dropped, source, None)
                for added in diff.added:
                    cand = RenameCandidate(
                        dropped=dropped,
                        added=added,
                        type_compatible=compatible(before[dropped], now[added]),
                        name_similarity=_similarity(dropped, added),
                    )
                    if known:
                        mine = _distinct(table, added)
                        cand.value_overlap = round(len(mine & known) / len(mine), 4) if mine else None
                        cand.known_kept = round(len(mine & known) / len(known), 4)
                        cand.values_from = where
                    diff.rename_candidates.append(cand)
        diff.duplicate_rows = _duplicate_rows(table)
        keys = join_columns(view.sql) if view.sql else set()
        diff.key_matches = _key_matches(source, table, [c for c in diff.used_by_transform if c in keys], now_tables)
        result.sources.append(diff)
    return result


def summarize(diff: SchemaDiff) -> dict[str, Any]:
    return diff.model_dump(exclude_none=True)
