"""Schema drift: a source column renamed, reordered, dropped, moved, re-keyed, widened or added."""

from __future__ import annotations

import random

import pyarrow as pa

from .drift import Context, Drift, Kind, q, rebuild
from .naming import spell
from .tables import derive

SUFFIX = {"ts": "utc", "qty": None, "amount": None, "price": None, "ratio": "v2", "flag": "v2"}


def _new_name(rng: random.Random, ctx: Context, role: str) -> str:
    w = ctx.world
    words = getattr(w.domain, role)
    tail = SUFFIX.get(role) or (w.domain.unit.lower() if role == "qty" else w.domain.currency.lower())
    options = [w.spell(*words, tail), w.spell(*words, "v2"), w.spell("src", *words)]
    if tail == words[-1]:
        options = options[1:]  # the name already ends in its unit
    short = spell(words, "abbrev")
    if w.convention != "abbrev":
        options.append(w.spell(*short.split("_")))  # the new release abbreviates, in the system's convention
    # DuckDB names are case-insensitive: a rename must differ in more than case.
    return rng.choice([o for o in options if o.lower() != w.col[role].lower()])


def _used_roles(ctx: Context) -> list[str]:
    roles = ["ts", "qty", "price", "amount", "ratio", "flag"]
    if "cat" in ctx.shape.keys or ctx.shape.cat_filter or ctx.shape.filter_code or "label" in ctx.shape.keys:
        roles.append("cat")
    return roles


def rename(rng: random.Random, ctx: Context, reorder: bool = False) -> Drift:
    w = ctx.world
    role = rng.choice(_used_roles(ctx))
    old, new = w.col[role], _new_name(rng, ctx, role)
    after = derive(f"SELECT * RENAME ({old} AS {new}) FROM t", t=ctx.after)
    moved = ""
    if reorder:
        order = after.column_names[:]
        while order == after.column_names:
            order = rng.sample(order, len(order))
        after = after.select(order)
        moved = " The export also lays its columns out in a new order."
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {old: f"f.{new}"})},
        category="schema_drift",
        remediation="code_change",
        root_cause=f"The upstream export of {ctx.target} renamed {old} to {new}; the values are unchanged.{moved} "
        f"The transform must read {new} where it read {old}.",
    )


def rename_reorder(rng: random.Random, ctx: Context) -> Drift:
    return rename(rng, ctx, reorder=True)


def dim_rename(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    old = w.entity_name
    new = rng.choice(
        [
            w.spell(*w.domain.entity_name, "v2"),
            w.spell("display", *w.domain.entity_name[1:]),
            w.spell(*w.domain.entity[:1], "title"),
        ]
    )
    dim = derive(f"SELECT * RENAME ({old} AS {new}) FROM t", t=w.dim_table)
    cols = ", ".join(f"{new} AS {old}" if c == old else c for c in w.dim_table.column_names)
    return Drift(
        kind="",
        after={ctx.target: ctx.after, w.dim: dim},
        froms={w.dim: f"(SELECT {cols} FROM {w.dim})"},
        category="schema_drift",
        remediation="code_change",
        root_cause=f"The master-data export of {w.dim} renamed {old} to {new}; ids and names are unchanged. The "
        f"transform must read {new} and keep its output column.",
    )


def dropped_rebuildable(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    c = w.col
    if rng.random() < 0.5:
        after = derive(f"SELECT * EXCLUDE ({c['amount']}) FROM t", t=ctx.after)
        expr = f"ROUND(f.{c['qty']} * f.{c['price']}, 2)"
        return Drift(
            kind="",
            after={ctx.target: after},
            froms={ctx.target: rebuild(ctx, {c["amount"]: expr})},
            category="schema_drift",
            remediation="code_change",
            root_cause=f"The export of {ctx.target} dropped {c['amount']}. It was derived: {c['qty']} times "
            f"{c['price']}, rounded to cents, gives it exactly for every row, and both are still there. The transform "
            f"must compute {c['amount']} from them.",
        )
    day, clock = w.spell(*w.domain.ts[:-1], "date"), w.spell(*w.domain.ts[:-1], "time")
    if day in ctx.cols or clock in ctx.cols:
        day, clock = w.spell("event", "date"), w.spell("event", "time")
    cols = ", ".join(
        f"CAST({c['ts']} AS DATE) AS {day}, CAST({c['ts']} AS TIME) AS {clock}" if x == c["ts"] else x for x in ctx.cols
    )
    after = derive(f"SELECT {cols} FROM t", t=ctx.after)
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {c["ts"]: f"f.{day} + f.{clock}"})},
        category="schema_drift",
        remediation="code_change",
        root_cause=f"The export of {ctx.target} replaced the timestamp {c['ts']} by two columns, {day} and {clock}. "
        f"The moment is their sum; the transform must rebuild {c['ts']} from them.",
    )


def moved_column(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    c = w.col
    after = derive(f"SELECT * EXCLUDE ({c['region']}) FROM t", t=ctx.after)
    if rng.random() < 0.5:
        home, tables = w.dim, {}
        where = f"{w.dim}, which has always carried it per {c['entity']}"
    else:
        home = w.table(*w.domain.entity[:1], "attributes")
        tables = {home: w.dim_table.select([c["entity"], c["region"]])}
        where = f"{home}, a table that landed with the change, keyed by {c['entity']}"
    joins = f" LEFT JOIN {home} a ON a.{c['entity']} = f.{c['entity']}"
    return Drift(
        kind="",
        after={ctx.target: after, **tables},
        froms={ctx.target: rebuild(ctx, {c["region"]: f"a.{c['region']}"}, joins=joins)},
        category="schema_drift",
        remediation="code_change",
        root_cause=f"{ctx.target} no longer carries {c['region']}: the column moved to {where}. The transform must "
        f"join it in by {c['entity']}.",
    )


def rekeyed(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    col = w.col["entity"]
    ids = w.dim_table.column(col).to_pylist()
    legacy, fresh = w.spell("legacy", *w.domain.entity), w.spell("new", *w.domain.entity)
    text = rng.random() < 0.5
    if text:
        prefix = w.domain.entity[0][:3].upper()
        new_ids = [f"{prefix}{rng.randrange(16**5):05X}" for _ in ids]
        while len(set(new_ids)) < len(ids):
            new_ids = [f"{prefix}{rng.randrange(16**5):05X}" for _ in ids]
    else:
        start = rng.choice([500000, 9000, 80000000])
        new_ids = rng.sample(range(start, start + 10 * len(ids)), len(ids))
    mapping = pa.table({legacy: pa.array(ids, pa.int64()), fresh: new_ids})
    whens = " ".join(f"WHEN {o} THEN {q(n) if text else n}" for o, n in zip(ids, new_ids, strict=True))
    case = f"CASE {col} {whens} END"
    after = derive(f"SELECT * REPLACE ({case} AS {col}) FROM t", t=ctx.after)
    m = w.table(*w.domain.entity[:1], "key", "map")
    joins = f" JOIN {m} m ON m.{fresh} = f.{col}"
    return Drift(
        kind="",
        after={ctx.target: after, m: mapping},
        froms={ctx.target: rebuild(ctx, {col: f"m.{legacy}"}, joins=joins)},
        category="schema_drift",
        remediation="code_change",
        root_cause=f"The source system re-keyed its {w.domain.thing}s: {ctx.target}.{col} now holds the new keys "
        f"({new_ids[0]!s} for {ids[0]}) while {w.dim} keeps the old ones. {m} landed with the change and maps "
        "every new key to its old one; the transform must translate the keys through it before joining.",
    )


def outgrew(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    c = w.col
    big = [rng.choice([2_147_483_648, 3_000_000_001, 4_200_000_000]) + i * 7 for i in range(rng.randint(1, 3))]
    region = rng.choice(w.domain.regions)
    pick = f"(({c['id']} * 2654435761) % 10)"
    new_ent = (
        f"CASE WHEN {c['id']} = {ctx.first_new} THEN {big[0]} "
        + " ".join(f"WHEN {pick} = {i} THEN {e}" for i, e in enumerate(big))
        + f" ELSE {c['entity']} END"
    )
    after = derive(
        f"SELECT * REPLACE (CASE WHEN {c['id']} >= {ctx.first_new} THEN {new_ent} ELSE {c['entity']} END "
        f"AS {c['entity']}, CASE WHEN {c['id']} >= {ctx.first_new} "
        f"AND ({pick} < {len(big)} OR {c['id']} = {ctx.first_new}) THEN {q(region)} "
        f"ELSE {c['region']} END AS {c['region']}) FROM t",
        t=ctx.after,
    )
    rows = pa.table(
        {
            c["entity"]: pa.array(big, pa.int64()),
            w.entity_name: [f"{rng.choice(w.domain.stems)} {n}" for n in ("II", "III", "IV")[: len(big)]],
            c["region"]: [region] * len(big),
        }
    )
    dim = pa.concat_tables([w.dim_table, rows])
    return Drift(
        kind="",
        after={ctx.target: after, w.dim: dim},
        entity_cast="BIGINT",
        category="schema_drift",
        remediation="schema_evolution",
        root_cause=f"New {w.domain.thing}s are numbered from {big[0]}, past the 32-bit integer range, and the "
        f"transform casts {c['entity']} to INTEGER: the cast overflows. The output column {c['entity']} must widen to "
        "BIGINT, and the schema check with it.",
    )


EXTRA = [
    (("source", "system"), "varchar", lambda c: "'v2'"),
    (("batch", "no"), "bigint", lambda c: f"{c['id']} // 100"),
    (("ingested", "at"), "timestamp", lambda c: f"{c['ts']} + INTERVAL 7 MINUTE"),
    (("quality", "score"), "double", lambda c: f"round((({c['id']} * 7919) % 1000) / 1000.0, 3)"),
]


def gained_column(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    words, typ, expr = rng.choice(EXTRA)
    name = w.spell(*words)
    after = derive(f"SELECT *, {expr(w.col)} AS {name} FROM t", t=ctx.after)
    return Drift(
        kind="",
        after={ctx.target: after},
        schema_evolved=[(name, typ)],
        category="schema_drift",
        remediation="schema_evolution",
        root_cause=f"The export of {ctx.target} gained a column, {name} ({typ}). The worklist carries every column "
        f"of the source, so its schema evolves with it; the schema check, which lists the columns exactly, must list "
        f"{name} too.",
    )


def union_reorder(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    cols = ctx.cols[:]
    # A text column changes places with one the transform computes on: the UNION then yields text where a
    # number, timestamp or flag was (numbers swapped with numbers would coerce silently).
    a = rng.choice([w.col["region"], w.col["cat"]])
    b = rng.choice([w.col[r] for r in ("ts", "qty", "price", "amount", "flag", "ratio")])
    i, j = cols.index(a), cols.index(b)
    cols[i], cols[j] = cols[j], cols[i]
    after = ctx.after.select(cols)
    other = ctx.shape.feeds[0]
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {})},
        category="schema_drift",
        remediation="code_change",
        root_cause=f"The feed {ctx.target} now writes its columns in another order ({a} and {b} changed places); "
        f"names and values are unchanged. The UNION ALL with {other} matches columns by position, so the transform "
        "must select the feed's columns by name in the order of the other feed.",
    )


KINDS = [
    Kind(name="rename", group="schema", apply=rename, first_feed=True, text=False),
    Kind(name="rename-reorder", group="schema", apply=rename_reorder, first_feed=True, text=False),
    Kind(name="dim-rename", group="schema", apply=dim_rename, needs={"join", "name"}, text=False),
    Kind(name="dropped-derivable", group="schema", apply=dropped_rebuildable, text=False),
    Kind(name="moved-column", group="schema", apply=moved_column, needs={"region"}, text=False),
    Kind(name="rekeyed", group="schema", apply=rekeyed, needs={"join"}, text=False),
    Kind(name="outgrew-int", group="schema", apply=outgrew, needs={"entity_id", "cat_all"}, text=False),
    Kind(name="gained-column", group="schema", apply=gained_column, needs={"listing"}, text=False),
    Kind(name="union-reorder", group="schema", apply=union_reorder, needs={"union"}, text=False),
]
