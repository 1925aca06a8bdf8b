"""A domain's tables as one seeded draw: the fact rows before and since the cutover, the entity dimension and
the category reference, with every column spelled in the upstream system's convention."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from .domains import Domain
from .naming import Convention, spell, table_name

ROLES = ("id", "ts", "entity", "region", "cat", "qty", "price", "amount", "flag", "ratio")


class World(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    domain: Domain
    convention: Convention
    col: dict[str, str]  # role -> column name
    entity_name: str  # the dimension's name column
    label: str  # the category reference's label column
    fact: str
    dim: str
    catref: str
    before: pa.Table  # fact rows up to the cutover, in the true representation
    new: pa.Table  # fact rows since the cutover
    dim_table: pa.Table
    catref_table: pa.Table
    start: datetime
    cutover: datetime
    end: datetime
    now: datetime
    span_days: int

    def spell(self, *words: str) -> str:
        return spell(words, self.convention)

    def table(self, *words: str) -> str:
        return table_name(words, self.convention)

    @property
    def after_true(self) -> pa.Table:
        return pa.concat_tables([self.before, self.new])


def _amounts(qty: list[float], price: list[float]) -> list[float]:
    """Quantity times price rounded to cents the way the engine rounds it, so it can be rebuilt exactly."""
    import duckdb  # noqa: PLC0415 - the engine's ROUND, not Python's banker's rounding

    con = duckdb.connect(config={"threads": 1})
    try:
        t = pa.table({"q": qty, "p": price})
        con.register("t", t)
        return [r[0] for r in con.execute("SELECT ROUND(q * p, 2) FROM t").fetchall()]
    finally:
        con.close()


def build_world(rng: random.Random, domain: Domain, convention: Convention) -> World:
    d = domain
    col = {role: spell(getattr(d, role), convention) for role in ROLES}
    n_total = int(math.exp(rng.uniform(math.log(8), math.log(3000))))
    n_new = max(2, round(n_total * rng.uniform(0.1, 0.3)))
    n_before = max(6, n_total - n_new)
    before_days = rng.randint(5, 56)
    new_days = rng.randint(1, 7)
    start = datetime(rng.choice([2025, 2026]), rng.randint(1, 12), 1) + timedelta(days=rng.randint(0, 20))
    cutover = start + timedelta(days=before_days)
    end = cutover + timedelta(days=new_days)
    now = end + timedelta(hours=rng.randint(1, 9), minutes=rng.choice([0, 10, 15, 30, 45]))

    n_ent = rng.randint(3, len(d.stems))
    base = rng.choice([1, 10, 100, 1000, 4000, 70000])
    step = rng.choice([1, 1, 3, 7])
    ents = [base + i * step for i in range(n_ent)]
    names = rng.sample(d.stems, n_ent)
    regions = [rng.choice(d.regions) for _ in ents]
    region_of = dict(zip(ents, regions, strict=True))
    dim = pa.table(
        {col["entity"]: pa.array(ents, pa.int64()), spell(d.entity_name, convention): names, col["region"]: regions}
    )
    label = spell((*d.cat[:1], "label"), convention)
    cats = d.categories
    catref = pa.table({col["cat"]: [c.code for c in cats], label: [c.label for c in cats]})
    weights = [rng.uniform(0.5, 3) for _ in cats]
    id0 = rng.choice([1, 1001, 50000, 880000])
    flag_p = rng.uniform(0.1, 0.5)
    lo, hi = d.qty_range
    plo, phi = d.price_range
    rlo = rng.uniform(0.02, 0.3)
    rhi = rng.uniform(0.6, 0.98)

    def rows(n: int, t0: datetime, days: int, first: int) -> pa.Table:
        minutes = sorted(rng.randrange(days * 24 * 60) for _ in range(n))
        ts = [t0 + timedelta(minutes=m) for m in minutes]
        ent = [rng.choice(ents) for _ in range(n)]
        qty = [round(rng.uniform(lo, hi), d.qty_decimals) for _ in range(n)]
        price = [round(rng.uniform(plo, phi), 2) for _ in range(n)]
        data = {
            "id": pa.array(range(first, first + n), pa.int64()),
            "ts": pa.array(ts, pa.timestamp("us")),
            "entity": pa.array(ent, pa.int64()),
            "region": [region_of[e] for e in ent],
            "cat": [c.code for c in rng.choices(cats, weights, k=n)],
            "qty": pa.array(qty, pa.float64()),
            "price": pa.array(price, pa.float64()),
            "amount": pa.array(_amounts(qty, price), pa.float64()),
            "flag": [rng.random() < flag_p for _ in range(n)],
            "ratio": pa.array([round(rng.uniform(rlo, rhi), 3) for _ in range(n)], pa.float64()),
        }
        return pa.table({col[r]: data[r] for r in ROLES})

    order = ["id", *rng.sample(ROLES[1:], len(ROLES) - 1)]  # each system lays its export out its own way
    before = rows(n_before, start, before_days, id0)
    new = rows(n_new, cutover, new_days, id0 + n_before)
    before, new = before.select([col[r] for r in order]), new.select([col[r] for r in order])
    return World(
        domain=d,
        convention=convention,
        col=col,
        entity_name=spell(d.entity_name, convention),
        label=label,
        fact=table_name(d.fact, convention),
        dim=table_name(d.dim, convention),
        catref=table_name((*d.cat, "codes"), convention),
        before=before,
        new=new,
        dim_table=dim,
        catref_table=catref,
        start=start,
        cutover=cutover,
        end=end,
        now=now,
        span_days=before_days + new_days,
    )
