"""A world: one domain spelled in one naming convention, its entities, its calendar and its event rows.

Every random choice comes from the incident's own `random.Random`, so an incident depends on its seed and
position only. Event rows are drawn once for the whole calendar; before/, after/ and landed/ are slices of
the same rows, so a partition that lands late is exactly the rows that were missing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pyarrow as pa

from .domains import DOMAINS, Domain
from .naming import Naming

EPOCH = date(2026, 1, 5)


@dataclass
class World:
    rng: random.Random
    domain: Domain
    naming: Naming
    entities: list[tuple[str, str, str]]  # (key, display name, group)
    first_day: date
    days: int  # calendar days before the incident's day; the incident's day is `last_day`
    rate: dict[str, int]  # events per entity and day
    now_hour: int
    events: list[dict] = field(default_factory=list)

    # --- names -------------------------------------------------------------------------------------------
    def col(self, logical: str) -> str:
        return self.naming.spell(logical)

    def table_name(self, logical: str) -> str:
        """Catalog tables are lower snake_case whatever the system's column convention: the catalog's rule."""
        return logical.lower()

    @property
    def fact(self) -> str:
        return self.table_name(self.domain.fact)

    @property
    def dim(self) -> str:
        e = self.domain.entity
        return self.table_name(e + "es" if e.endswith("s") else e + "s")

    @property
    def c(self) -> dict[str, str]:
        d = self.domain
        names = {
            "id": f"{d.event}_id", "key": f"{d.entity}_id", "ts": d.ts, "measure": d.measure, "qty": d.qty,
            "kind": d.kind, "name": f"{d.entity}_name", "group": d.group,
        }  # fmt: skip
        return {k: self.col(v) for k, v in names.items()}

    # --- calendar ----------------------------------------------------------------------------------------
    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days)

    @property
    def now(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), datetime.min.time()) + timedelta(
            hours=self.now_hour, minutes=self.rng_minutes
        )

    rng_minutes: int = 0

    @property
    def now_text(self) -> str:
        return self.now.strftime("%Y-%m-%dT%H:%M:00Z")

    def deploy_time(self, days_before_now: float) -> str:
        return (self.now - timedelta(days=days_before_now)).strftime("%Y-%m-%dT%H:%M:00Z")

    # --- rows --------------------------------------------------------------------------------------------
    def rows(self, *, days: list[date] | None = None, keys: set[str] | None = None) -> list[dict]:
        """The event rows of these days and entities, in id order."""
        c = self.c
        return [
            e
            for e in self.events
            if (days is None or e[c["ts"]].date() in days) and (keys is None or e[c["key"]] in keys)
        ]

    def table(self, rows: list[dict]) -> pa.Table:
        c = self.c
        types = {c["id"]: pa.int64(), c["key"]: pa.string(), c["ts"]: pa.timestamp("us"),
                 c["measure"]: pa.float64(), c["qty"]: pa.int64(), c["kind"]: pa.string()}  # fmt: skip
        extra = [k for k in (rows[0] if rows else {}) if k not in types]
        schema = pa.schema([(k, t) for k, t in types.items()] + [(k, pa.string()) for k in extra])
        return pa.Table.from_pylist(rows, schema=schema)

    def dim_table(self, extra: dict[str, list] | None = None) -> pa.Table:
        c = self.c
        data: dict[str, list] = {
            c["key"]: [k for k, _, _ in self.entities],
            c["name"]: [n for _, n, _ in self.entities],
            c["group"]: [g for _, _, g in self.entities],
        }
        data.update(extra or {})
        return pa.table(data)

    def calendar(self, upto: date) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range((upto - self.first_day).days + 1)]

    @property
    def history_days(self) -> list[date]:
        return self.calendar(self.last_day - timedelta(days=1))

    @property
    def all_days(self) -> list[date]:
        return self.calendar(self.last_day)


def make_world(rng: random.Random, *, entities: tuple[int, int] = (4, 9), days: tuple[int, int] = (5, 12),
               rate: tuple[int, int] = (3, 9)) -> World:  # fmt: skip
    domain = rng.choice(DOMAINS)
    naming = rng.choice(list(Naming))
    # A clipped spelling that makes two logical names collide would not be a system anyone runs.
    names = [f"{domain.event}_id", f"{domain.entity}_id", domain.ts, domain.measure, domain.qty, domain.kind,
             f"{domain.entity}_name", domain.group, domain.fact]  # fmt: skip
    if len({naming.spell(n).lower() for n in names}) < len(names):
        naming = Naming.snake
    n = rng.randint(*entities)
    prefix = "".join(w[0] for w in domain.entity.split("_")).upper() + domain.key[0].upper()
    base = rng.randint(10, 80)
    ents = [
        (f"{prefix}{base + i:03d}", f"{domain.entity_label} {base + i}", domain.groups[i % len(domain.groups)])
        for i in range(n)
    ]
    first = EPOCH + timedelta(days=rng.randint(0, 300))
    w = World(rng=rng, domain=domain, naming=naming, entities=ents, first_day=first, days=rng.randint(*days),
              rate={k: rng.randint(*rate) for k, _, _ in ents}, now_hour=rng.randint(2, 5))  # fmt: skip
    w.rng_minutes = rng.randint(0, 50)
    w.events = _events(w)
    return w


def _events(w: World) -> list[dict]:
    d, c, rng = w.domain, w.c, w.rng
    out: list[dict] = []
    next_id = rng.randint(1, 9) * 10_000
    for day in w.all_days:
        for key, _, _ in w.entities:
            n = max(2, w.rate[key] + rng.randint(-1, 1))
            # One event each day late in the evening, so a complete day is always fresh at the next night.
            seconds = sorted([rng.randint(6 * 3600, 20 * 3600) for _ in range(n - 1)] + [rng.randint(72000, 86000)])
            for s in seconds:
                next_id += rng.randint(1, 3)
                out.append({
                    c["id"]: next_id,
                    c["key"]: key,
                    c["ts"]: datetime.combine(day, datetime.min.time()) + timedelta(seconds=s),
                    c["measure"]: round(rng.uniform(d.lo, d.hi), 2),
                    c["qty"]: rng.randint(1, d.qty_hi),
                    c["kind"]: rng.choice(d.kinds),
                })  # fmt: skip
    out.sort(key=lambda e: (e[c["ts"]], e[c["id"]]))
    return out
