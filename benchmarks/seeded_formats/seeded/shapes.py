"""The asset's SQL and SodaCL checks, composed from independent choices: a structure (one source, a join of two
or three, a UNION ALL of two feeds, a row listing), a grain, and modifiers (a CTE, a ROW_NUMBER dedupe, CASE
bands, HAVING, FILTER clauses).

`render` takes the FROM expression of each source table, so the reference repair is the same asset with a
normalizing subquery in place of the drifted table.
"""

from __future__ import annotations

import random
from typing import Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel

from .world import World

Structure = Literal["plain", "join2", "join3", "union", "listing"]
GRAIN_WORDS = {"day": ("day",), "week": ("week", "start"), "month": ("month", "start")}


class Shape(BaseModel):
    structure: Structure
    unit: Literal["day", "week", "month"] = "day"
    keys: list[str] = []  # period, entity, name, region, cat, label, band
    cte: bool = False
    dedupe: bool = False
    having: int | None = None
    filter_code: str | None = None  # a FILTER (WHERE cat = ...) measure
    cat_filter: list[str] | None = None
    band_edges: tuple[float, float] | None = None
    entity_cast: str | None = None
    feeds: tuple[str, str] | None = None
    checks: list[str] = []  # optional checks drawn for this asset

    @property
    def joins_dim(self) -> bool:
        return self.structure in ("join2", "join3")

    def out(self, w: World) -> dict[str, str]:
        """Output column name per output role."""
        d = w.domain
        names = {
            "period": w.spell(*GRAIN_WORDS[self.unit]),
            "entity": w.col["entity"],
            "name": w.entity_name,
            "region": w.col["region"],
            "cat": w.col["cat"],
            "label": w.label,
            "band": w.spell(d.amount[0], "band"),
            "n": w.spell(d.fact[-1], "count"),
            "qty": w.spell("total", *d.qty),
            "avg_qty": w.spell("avg", *d.qty),
            "amount": w.spell("total", *d.amount),
            "price": w.spell("avg", *d.price),
            "flagged": w.spell(*[x for x in d.flag if x != "is"], "count"),
            "ratio": w.spell("avg", *d.ratio),
        }
        if self.filter_code:
            names["filtered"] = w.spell(self.filter_code.lower(), *d.amount[-1:])
        return names

    def render(self, w: World, froms: dict[str, str] | None = None, entity_cast: str | None = None) -> str:
        froms = froms or {}
        c = w.col
        ctes: list[str] = []
        if self.structure == "union":
            a, b = self.feeds
            ctes.append(
                f"feeds AS (\n    SELECT * FROM {froms.get(a, a)}\n    UNION ALL\n"
                f"    SELECT * FROM {froms.get(b, b)}\n)"
            )
            rel = "feeds"
        else:
            rel = froms.get(w.fact, w.fact)
        if self.dedupe:
            # The feed resends corrected events under the same id: the latest one counts.
            ctes.append(
                f"latest AS (\n    SELECT * EXCLUDE (rn) FROM (\n        SELECT *, ROW_NUMBER() OVER "
                f"(PARTITION BY {c['id']} ORDER BY {c['ts']} DESC) AS rn\n        FROM {rel}\n    )\n"
                "    WHERE rn = 1\n)"
            )
            rel = "latest"
        where = None
        if self.cat_filter:
            where = f"f.{c['cat']} IN ({', '.join(repr(x) for x in self.cat_filter)})"
        if self.cte and where:
            ctes.append(f"scoped AS (\n    SELECT * FROM {rel} f\n    WHERE {where}\n)")
            rel, where = "scoped", None
        head = ("WITH " + ",\n".join(ctes) + "\n") if ctes else ""
        if self.structure == "listing":
            return head + f"SELECT *\nFROM {rel} f\n" + (f"WHERE {where}\n" if where else "")
        o = self.out(w)
        cast = entity_cast or self.entity_cast
        key_sql = {
            "period": f"date_trunc('{self.unit}', f.{c['ts']})",
            "entity": f"CAST(f.{c['entity']} AS {cast})" if cast else f"f.{c['entity']}",
            "name": f"d.{w.entity_name}",
            "region": f"f.{c['region']}",
            "cat": f"f.{c['cat']}",
            "label": f"r.{w.label}",
        }
        if self.band_edges:
            lo, hi = self.band_edges
            key_sql["band"] = (
                f"CASE WHEN f.{c['amount']} >= {hi:g} THEN 'high'\n"
                f"            WHEN f.{c['amount']} >= {lo:g} THEN 'mid'\n            ELSE 'low' END"
            )
        dq = w.domain.qty_decimals
        cols = [f"{key_sql[k]} AS {o[k]}" for k in self.keys]
        cols += [
            f"COUNT(*) AS {o['n']}",
            f"ROUND(SUM(f.{c['qty']}), {dq}) AS {o['qty']}",
            f"ROUND(AVG(f.{c['qty']}), {dq + 2}) AS {o['avg_qty']}",
            f"ROUND(SUM(f.{c['amount']}), 2) AS {o['amount']}",
            f"ROUND(AVG(f.{c['price']}), 4) AS {o['price']}",
            f"CAST(count_if(f.{c['flag']}) AS BIGINT) AS {o['flagged']}",
            f"ROUND(AVG(f.{c['ratio']}), 4) AS {o['ratio']}",
        ]
        if self.filter_code:
            cols.append(
                f"COALESCE(ROUND(SUM(f.{c['amount']}) FILTER (WHERE f.{c['cat']} = '{self.filter_code}'), 2), 0)"
                f" AS {o['filtered']}"
            )
        sql = head + "SELECT " + ",\n       ".join(cols) + f"\nFROM {rel} f\n"
        if self.joins_dim:
            sql += f"LEFT JOIN {froms.get(w.dim, w.dim)} d ON d.{c['entity']} = f.{c['entity']}\n"
        if self.structure == "join3":
            sql += f"LEFT JOIN {froms.get(w.catref, w.catref)} r ON r.{c['cat']} = f.{c['cat']}\n"
        if where:
            sql += f"WHERE {where}\n"
        sql += "GROUP BY " + ", ".join(str(i) for i in range(1, len(self.keys) + 1)) + "\n"
        if self.having:
            sql += f"HAVING COUNT(*) >= {self.having}\n"
        return sql

    def check_text(self, w: World, required: set[str], schema: list[tuple[str, str]] | None = None) -> str:
        o = self.out(w)
        lines = ["  - row_count > 0"]
        wanted = set(self.checks) | required
        if self.structure == "listing":
            lines.append(f"  - duplicate_count({w.col['id']}) = 0")
        else:
            lines.append(f"  - missing_count({o['period']}) = 0")
            if "duplicates" in wanted:
                lines.append(f"  - duplicate_count({', '.join(o[k] for k in self.keys)}) = 0")
            if "amount_min" in wanted:
                lines.append(f"  - invalid_count({o['amount']}) = 0:\n      valid min: 0")
            if "qty_bounds" in wanted:
                hi = w.domain.qty_range[1]
                lines.append(f"  - invalid_count({o['avg_qty']}) = 0:\n      valid min: 0\n      valid max: {hi:g}")
            if "ratio_bounds" in wanted:
                lines.append(f"  - invalid_count({o['ratio']}) = 0:\n      valid min: 0\n      valid max: 1")
            if "flag_rows" in wanted:
                lines.append(
                    f"  - failed rows:\n      name: no more flagged than counted\n"
                    f"      fail condition: {o['flagged']} > {o['n']}"
                )
            if "name" in self.keys:
                lines.append(f"  - missing_count({o['name']}) = 0")
            if "label" in self.keys:
                lines.append(f"  - missing_count({o['label']}) = 0")
            if "cat" in self.keys and ("cat_values" in wanted or "cat_values_opt" in wanted):
                codes = ", ".join(x.code for x in w.domain.categories)
                lines.append(f"  - invalid_count({o['cat']}) = 0:\n      valid values: [{codes}]")
            if "band" in self.keys:
                lines.append(f"  - invalid_count({o['band']}) = 0:\n      valid values: [high, mid, low]")
        if schema is not None:
            cols = "".join(f"          {n}: {t}\n" for n, t in schema)
            lines.append("  - schema:\n      fail:\n        when mismatching columns:\n" + cols.rstrip("\n"))
        return f"checks for {asset_name(self, w)}:\n" + "\n".join(lines) + "\n"


def asset_name(shape: Shape, w: World) -> str:
    d = w.domain
    if shape.structure == "listing":
        return "_".join([*d.fact, "worklist"])
    by = {
        "name": d.entity[0],
        "entity": d.entity[0],
        "region": d.region[0],
        "cat": d.cat[0],
        "label": d.cat[0],
        "band": "band",
    }
    parts = [by[k] for k in shape.keys if k in by][:2]
    return "_".join([{"day": "daily", "week": "weekly", "month": "monthly"}[shape.unit], *parts, d.fact[-1]])


def output_schema(sql: str, tables: dict[str, pa.Table]) -> list[tuple[str, str]]:
    """The output's columns and engine types, as a schema check lists them."""
    con = duckdb.connect(config={"threads": 1})
    try:
        for name, table in tables.items():
            con.register(name, table)
        rel = con.sql(sql)
        return [(n, str(t).lower()) for n, t in zip(rel.columns, rel.types, strict=True)]
    finally:
        con.close()


def row_count(sql: str, tables: dict[str, pa.Table]) -> int:
    con = duckdb.connect(config={"threads": 1})
    try:
        for name, table in tables.items():
            con.register(name, table)
        return con.execute(f"SELECT COUNT(*) FROM ({sql})").fetchall()[0][0]
    finally:
        con.close()


def union_fits(w: World) -> bool:
    """Two feeds each with rows before and since the cutover (the feeds split the ids one in three)."""
    return w.before.num_rows >= 20 and w.new.num_rows >= 6


def pick_shape(rng: random.Random, w: World, needs: set[str]) -> Shape:
    """A shape that carries what the drift needs to surface (a dimension join, a category grain, a union)."""
    if "listing" in needs:
        structure: Structure = "listing"
    elif "union" in needs:
        structure = "union"
    else:
        options: list[Structure] = ["plain", "join2", "join3"] + ["union"] * union_fits(w)
        if "join" in needs:
            options = ["join2", "join3"]
        if "nounion" in needs:
            options = [s for s in options if s != "union"]
        structure = rng.choice(options)
    span = w.span_days
    unit = rng.choice(["day"] * (span <= 40) + ["week"] * (span >= 10) + ["month"] * (span >= 35) or ["day"])
    s = Shape(structure=structure, unit=unit)
    cats = [c.code for c in w.domain.categories]
    s.dedupe = rng.random() < 0.25
    if structure == "union":
        s.feeds = (
            w.table(*w.domain.fact, rng.choice(["north", "legacy", "web", "east", "primary"])),
            w.table(*w.domain.fact, rng.choice(["south", "cloud", "store", "west", "partner"])),
        )
    if structure == "listing":
        if rng.random() < 0.6:
            s.cat_filter = sorted(rng.sample(cats, rng.randint(1, len(cats) - 1)))
        s.cte = rng.random() < 0.4
        return s
    joins = structure in ("join2", "join3")
    forced: list[str] = []
    if "cat" in needs:
        forced.append("label" if structure == "join3" else "cat")
    if "region" in needs:
        forced.append("region")
    if "entity_id" in needs:
        forced.append("entity")
    if joins and ("join" in needs or "name" in needs or structure == "join2" or rng.random() < 0.6):
        forced.append("name")
    pool = {
        "plain": ["entity", "region", "cat"],
        "union": ["entity", "region", "cat"],
        "join2": ["entity", "region", "cat"],
        "join3": ["entity", "region", "label", "cat"],
    }[structure]
    pool = [k for k in pool if k not in forced and not ({k, *forced} >= {"cat", "label"})]
    extra = rng.randint(0 if forced else 1, min(2, len(pool)))
    keys = ["period", *forced, *rng.sample(pool, extra)]
    if structure == "join3" and "label" not in keys:
        keys.append("label")  # the third source is there for its labels
    if rng.random() < 0.25:
        lo, hi = (
            w.domain.price_range[0] * w.domain.qty_range[1] * 0.3,
            w.domain.price_range[1] * w.domain.qty_range[1] * 0.5,
        )
        s.band_edges = (round(lo, 0) or 1, round(hi, 0) or 2)
        keys.append("band")
    s.keys = keys
    if "cat" not in keys and "label" not in keys and rng.random() < 0.4 and "cat_all" not in needs:
        s.cat_filter = sorted(rng.sample(cats, len(cats) - 1))
    s.cte = rng.random() < 0.5
    if rng.random() < 0.3:
        s.filter_code = rng.choice(cats)
    if rng.random() < 0.2 and w.before.num_rows >= 200 and "cat_all" not in needs:
        s.having = 2
    s.checks = [
        c
        for c in ("duplicates", "amount_min", "qty_bounds", "ratio_bounds", "flag_rows", "cat_values_opt")
        if rng.random() < 0.5
    ]
    return s
