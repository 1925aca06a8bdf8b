"""One incident from one seeded draw: domain, naming, drift kind, SQL shape, checks and sizes, each chosen
independently from the incident's own random stream."""

from __future__ import annotations

import random

import pyarrow as pa

from . import escalate, formats, schema
from .domains import DOMAINS
from .drift import Context, Drift, Kind
from .naming import CONVENTIONS
from .shapes import Shape, asset_name, output_schema, pick_shape, row_count, union_fits
from .tables import Case, Reference, derive
from .world import World, build_world

FORMAT_KINDS, SCHEMA_KINDS, ESCALATE_KINDS = formats.KINDS, schema.KINDS, escalate.KINDS
ALL_KINDS = [*FORMAT_KINDS, *SCHEMA_KINDS, *ESCALATE_KINDS]
ESCALATE_SHARE, FORMAT_SHARE = 0.15, 0.5


def _iso(t) -> str:  # noqa: ANN001
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _fits(kind: Kind, w: World) -> bool:
    return kind.applies(w) and ("union" not in kind.needs or union_fits(w))


def pick_group(rng: random.Random) -> list[Kind]:
    r = rng.random()
    group = (
        ESCALATE_KINDS if r < ESCALATE_SHARE else FORMAT_KINDS if r < ESCALATE_SHARE + FORMAT_SHARE else SCHEMA_KINDS
    )
    return group


def _duplicate(rng: random.Random, t: pa.Table, id_col: str) -> pa.Table:
    """Resent events: a few rows again, verbatim, as the feed delivers them twice."""
    k = max(1, t.num_rows // rng.choice([15, 25, 40]))
    return derive(
        f"SELECT * FROM t UNION ALL (SELECT * FROM t WHERE ({id_col} * 40503) % {max(2, t.num_rows // k)} = 0)", t=t
    )


def _split(t: pa.Table, id_col: str, part: int) -> pa.Table:
    op = "<>" if part == 0 else "="
    return derive(f"SELECT * FROM t WHERE ({id_col} * 7) % 3 {op} 0", t=t)


def _description(w: World, s: Shape) -> str:
    d = w.domain
    if s.structure == "listing":
        scope = f" in {', '.join(s.cat_filter)}" if s.cat_filter else ""
        return (
            f"Every {d.fact[-1].rstrip('s')} record{scope} from the {d.label} system with all of its fields as the "
            f"source records them, for {d.purpose}."
        )
    o = s.out(w)
    by = ", ".join(o[k] for k in s.keys)
    text = (
        f"{d.label.capitalize()} per {by}: record count, total and average {' '.join(d.qty)} ({d.unit}), "
        f"total {' '.join(d.amount)} ({d.currency}), average {' '.join(d.price)}, the count of "
        f"{' '.join(x for x in d.flag if x != 'is')} records and the average {' '.join(d.ratio)}, for {d.purpose}."
    )
    if s.structure == "union":
        text += f" Both feeds, {s.feeds[0]} and {s.feeds[1]}, count."
    if s.dedupe:
        text += " Resent events count once (the latest by id)."
    if s.having:
        text += f" Only groups of at least {s.having} records."
    return text


def build_case(seed: int, index: int) -> Case:
    rng = random.Random(f"seeded-formats/{seed}/{index}")
    domain = rng.choice(DOMAINS)
    group = pick_group(rng)
    kind = rng.choice(group)
    w = build_world(rng, domain, rng.choice(CONVENTIONS))
    if not _fits(kind, w):
        kind = rng.choice([k for k in group if _fits(k, w)])
    c = w.col
    for _ in range(8):  # a shape whose last good run has rows to publish
        shape = pick_shape(rng, w, kind.needs)
        before, new = w.before, w.new
        if shape.dedupe:
            before, new = _duplicate(rng, before, c["id"]), _duplicate(rng, new, c["id"])
        if shape.structure == "union":
            a, b = shape.feeds
            facts_before = {a: _split(before, c["id"], 0), b: _split(before, c["id"], 1)}
            grown = {
                a: pa.concat_tables([facts_before[a], _split(new, c["id"], 0)]),
                b: pa.concat_tables([facts_before[b], _split(new, c["id"], 1)]),
            }
            target, other = (a, b) if kind.first_feed else (b, a)
            facts_after = {other: grown[other]}
            target_before, target_after = facts_before[target], grown[target]
        else:
            facts_before, facts_after, target = {w.fact: before}, {}, w.fact
            target_before, target_after = before, pa.concat_tables([before, new])
        catalog = {w.dim: w.dim_table}
        if shape.structure == "join3" or rng.random() < 0.3:
            catalog[w.catref] = w.catref_table
        tables_before = {**facts_before, **catalog}
        if row_count(shape.render(w), tables_before) > 0:
            break
    ctx = Context(
        world=w,
        shape=shape,
        target=target,
        before=target_before,
        after=target_after,
        first_new=min(target_after.column(c["id"]).to_pylist()[target_before.num_rows :]),
    )
    drift: Drift = kind.apply(rng, ctx)
    tables_before.update(drift.before_extra)
    after = {**facts_after, **drift.after}

    sql = shape.render(w)
    ref_sql = shape.render(w, drift.froms, drift.entity_cast)
    schema_cols = ref_checks = None
    if kind.name in ("outgrew-int", "gained-column"):
        schema_cols = output_schema(sql, tables_before)
    if kind.name == "outgrew-int":
        shape.entity_cast = "INTEGER"
        sql = shape.render(w)
        schema_cols = output_schema(sql, tables_before)
        evolved = [(n, "bigint" if n == c["entity"] else t) for n, t in schema_cols]
        ref_checks = shape.check_text(w, kind.checks, evolved)
    if kind.name == "gained-column":
        ref_checks = shape.check_text(w, kind.checks, schema_cols + drift.schema_evolved)
    checks = shape.check_text(w, kind.checks, schema_cols)

    fact_format = "parquet" if kind.text or rng.random() < 0.5 else "csv"
    formats = {name: fact_format for name in facts_before}
    for name, table in {**catalog, **drift.before_extra, **drift.after}.items():
        if name not in formats:
            # Code lists are text that a CSV reader would guess as numbers: they stay Parquet.
            text_keys = any(pa.types.is_string(f.type) for f in table.schema) and name != w.dim
            formats[name] = "parquet" if text_keys or rng.random() < 0.5 else "csv"
    if drift.remediation == "escalate":
        ref = Reference(kind="escalate", readings=[shape.render(w, froms) for froms in drift.readings])
    else:
        ref = Reference(kind="sql", sql=ref_sql, checks=ref_checks)
    return Case(
        id=f"s{seed}-{index:03d}-{domain.key}-{kind.name}",
        now=_iso(w.now),
        asset=asset_name(shape, w),
        description=_description(w, shape),
        sql=sql,
        checks=checks,
        formats=formats,
        before=tables_before,
        after=after,
        category=drift.category,
        remediation=drift.remediation,
        root_cause=drift.root_cause,
        reference=ref,
    )
