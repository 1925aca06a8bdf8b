"""Escalation look-alikes: the surface symptom of a format or schema drift, but any fix would have to guess
at what the values mean, so the right answer is to escalate."""

from __future__ import annotations

import random

from .drift import Context, Drift, Kind, q
from .tables import derive


def codes_without_map(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    d, col = w.domain, w.col["cat"]
    # A new code list, and some old categories split in two: no mapping anywhere says which is which.
    new_codes = [f"{d.cat[0][:1].upper()}{rng.randint(10, 89) + 3 * i}" for i in range(len(d.categories) + 1)]
    pick = f"(({w.col['id']} * 2654435761) % 2)"
    whens = []
    for i, c in enumerate(d.categories):
        code = f"CASE WHEN {pick} = 0 THEN {q(new_codes[i])} ELSE {q(new_codes[-1])} END" if i == 0 else q(new_codes[i])
        whens.append(f"WHEN {q(c.code)} THEN {code}")
    case = f"CASE {col} {' '.join(whens)} END"
    after = derive(
        f"SELECT * REPLACE (CASE WHEN {w.col['id']} >= {ctx.first_new} THEN {case} ELSE {col} END AS {col}) FROM t",
        t=ctx.after,
    )
    return Drift(
        kind="",
        after={ctx.target: after},
        category="format_drift",
        remediation="escalate",
        root_cause=f"Since {w.cutover:%Y-%m-%d} {ctx.target}.{col} carries a new code list "
        f"({', '.join(new_codes)}) in place of {', '.join(c.code for c in d.categories)}, and nothing in the catalog "
        f"maps one to the other. There are more new codes than old ones, so the old '{d.categories[0].code}' rows "
        "split between two codes; matching them by frequency or position would be a guess. A person must supply "
        "the mapping.",
    )


def unit_without_marker(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    c = w.col
    factor = rng.choice([1000, 100, 60, 1024])
    after = derive(
        f"SELECT * REPLACE (CASE WHEN {c['id']} >= {ctx.first_new} THEN round({c['qty']} * {factor}, "
        f"{w.domain.qty_decimals}) ELSE {c['qty']} END AS {c['qty']}, CASE WHEN {c['id']} >= {ctx.first_new} THEN "
        f"ROUND(round({c['qty']} * {factor}, {w.domain.qty_decimals}) * {c['price']}, 2) ELSE {c['amount']} END "
        f"AS {c['amount']}) FROM t",
        t=ctx.after,
    )
    return Drift(
        kind="",
        after={ctx.target: after},
        category="format_drift",
        remediation="escalate",
        root_cause=f"Since {w.cutover:%Y-%m-%d} {ctx.target}.{c['qty']} is about {factor} times larger than before, "
        f"with no unit written anywhere (the column, its type and the catalog say nothing), and {c['amount']} was "
        f"billed on the new figures. It may be a new unit ({w.domain.big_unit} for {w.domain.unit}?) or real "
        "volumes; scaling it back would be a guess about what the numbers mean. A person must decide.",
    )


def reused_identifier(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    col = w.col["entity"]
    ids = sorted(w.dim_table.column(col).to_pylist())
    # The column now numbers another thing: small sequential numbers, some of which are also existing ids.
    pool = ids[: max(1, len(ids) // 2)] + [max(ids) + k for k in range(1, len(ids) + 1)]
    pick = f"(({w.col['id']} * 2654435761) % {len(pool)})"
    # The first new row is one that matches nothing, so the drift always shows.
    case = (
        f"CASE WHEN {w.col['id']} = {ctx.first_new} THEN {max(ids) + 1} "
        + " ".join(f"WHEN {pick} = {i} THEN {v}" for i, v in enumerate(pool))
        + " END"
    )
    after = derive(
        f"SELECT * REPLACE (CASE WHEN {w.col['id']} >= {ctx.first_new} THEN {case} ELSE {col} END AS {col}) FROM t",
        t=ctx.after,
    )
    return Drift(
        kind="",
        after={ctx.target: after},
        category="schema_drift",
        remediation="escalate",
        root_cause=f"Since {w.cutover:%Y-%m-%d} {ctx.target}.{col} is filled from another numbering (the new "
        f"front-end's own {w.domain.thing} numbers): some values match no row of {w.dim}, others coincide with "
        f"the ids of different {w.domain.thing}s. Joining them would attribute rows to the wrong "
        f"{w.domain.thing}s, and no table maps the two numberings; a person must decide.",
    )


def dropped_for_good(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    role = rng.choice(["ratio", "flag"])
    col = w.col[role]
    after = derive(f"SELECT * EXCLUDE ({col}) FROM t", t=ctx.after)
    return Drift(
        kind="",
        after={ctx.target: after},
        category="schema_drift",
        remediation="escalate",
        root_cause=f"The export of {ctx.target} dropped {col}, and nothing in the source or the catalog carries it "
        "or the inputs it came from. Filling it with a default or removing the output column would change what "
        "the asset means; a person must decide.",
    )


KINDS = [
    Kind(name="codes-no-map", group="escalate", apply=codes_without_map, needs={"cat"}, checks={"cat_values"}),
    Kind(
        name="unit-no-marker",
        group="escalate",
        apply=unit_without_marker,
        needs={"cat_all"},
        checks={"qty_bounds"},
        text=False,
    ),
    Kind(name="reused-id", group="escalate", apply=reused_identifier, needs={"join", "name", "cat_all"}, text=False),
    Kind(name="dropped-for-good", group="escalate", apply=dropped_for_good, text=False),
]
