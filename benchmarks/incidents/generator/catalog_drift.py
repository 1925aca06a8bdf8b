"""Schema drift that the catalog resolves: a column that moved to a table the asset does not read yet
(the dimension, already landed), identifiers re-keyed with a mapping table that arrived in after/, and
a source that legitimately gained a column while the asset's exact schema check fails (the table and
its check evolve). One family per kind, one member per world."""

from __future__ import annotations

from generator import worlds as w
from generator.common import checks
from generator.core import Incident, Reference, Source
from generator.family import csv_types, member, schema_check


def _moved(world: w.World, attr: str, incident_id: str) -> Incident:
    value = {r[world.dim_key]: r[attr] for r in world.dim_rows}
    rows = [{**r, attr: value[r[world.dim_key]]} for r in world.rows]
    after = [{k: v for k, v in r.items() if k != attr} for r in rows]
    name = f"{world.fact}_by_{attr}"
    total = f"total_{world.measure}"
    sql = f"""
SELECT {attr}, COUNT(*) AS n_rows, ROUND(SUM({world.measure}), 2) AS {total}
FROM {world.fact}
GROUP BY {attr}
"""
    fix = f"""
SELECT d.{attr}, COUNT(*) AS n_rows, ROUND(SUM(f.{world.measure}), 2) AS {total}
FROM {world.fact} f
JOIN {world.dim} d ON d.{world.dim_key} = f.{world.dim_key}
GROUP BY d.{attr}
"""
    return Incident(
        id=incident_id,
        now=world.now, name=name,
        description=f"Count and total {world.measure} of every {world.about.split(' ', 1)[1]} per {attr}.",
        sql=sql,
        checks=checks(name, "- row_count > 0", f"- missing_count({attr}) = 0", f"- duplicate_count({attr}) = 0"),
        category="schema_drift", remediation="code_change",
        root_cause=f"The {world.fact} feed stopped carrying {attr}, which belongs to the {world.dim} table: "
        f"{world.dim} (already in the catalog, not yet a source of the asset) has it by {world.dim_key}.",
        before=[Source(world.fact, rows), Source(world.dim, world.dim_rows)],
        after=[Source(world.fact, after)],
        reference=Reference("sql", sql=fix), domain=world.domain, shape="aggregate; fix joins a catalog table",
    )  # fmt: skip


def _rekeyed(world: w.World, attr: str, incident_id: str) -> Incident:
    keys = sorted({r[world.dim_key] for r in world.dim_rows}, key=str)
    new = {k: f"{world.dim[:3].upper()}-{i + 1:04d}" for i, k in enumerate(keys)}
    mapping = [{f"new_{world.dim_key}": new[k], world.dim_key: k} for k in keys]
    after = [{**r, world.dim_key: new[r[world.dim_key]]} for r in world.rows]
    name = f"{world.fact}_per_{attr}"
    sql = f"""
SELECT d.{attr}, COUNT(*) AS n_rows
FROM {world.fact} f
JOIN {world.dim} d ON d.{world.dim_key} = f.{world.dim_key}
GROUP BY d.{attr}
"""
    fix = f"""
SELECT d.{attr}, COUNT(*) AS n_rows
FROM {world.fact} f
JOIN {world.dim}_key_map m ON m.new_{world.dim_key} = f.{world.dim_key}
JOIN {world.dim} d ON d.{world.dim_key} = m.{world.dim_key}
GROUP BY d.{attr}
"""
    expected_rows = len({r[attr] for r in world.dim_rows if r[world.dim_key] in {x[world.dim_key] for x in world.rows}})
    return Incident(
        id=incident_id,
        now=world.now, name=name,
        description=f"Number of {world.fact} per {attr} of their {world.dim.rstrip('s')}.",
        sql=sql,
        checks=checks(name, f"- row_count = {expected_rows}", f"- missing_count({attr}) = 0"),
        category="schema_drift", remediation="code_change",
        root_cause=f"The source system re-keyed {world.dim} ({world.dim_key} values are now codes like "
        f"{new[keys[0]]}); the mapping table {world.dim}_key_map arrived with the change.",
        before=[Source(world.fact, world.rows), Source(world.dim, world.dim_rows)],
        after=[Source(world.fact, after), Source(f"{world.dim}_key_map", mapping)],
        reference=Reference("sql", sql=fix), domain=world.domain, shape="join; fix joins through a mapping table",
    )  # fmt: skip


ADDED = [
    ("source_system", lambda r, i: "legacy" if i % 3 else "cloud"),
    ("batch_no", lambda r, i: 1000 + i // 50),
    ("fx_rate", lambda r, i: round(1 + (i % 7) / 100, 4)),
    ("is_backfill", lambda r, i: i % 11 == 0),
    ("ingested_on", lambda r, i: "2026-03-01"),
]


def _gained(world: w.World, column: str, fn, incident_id: str) -> Incident:  # noqa: ANN001
    rows = world.rows
    after = [{**r, column: fn(r, i)} for i, r in enumerate(rows)]
    name = f"{world.fact}_feed"
    sql = f"SELECT * FROM {world.fact} WHERE {world.measure} >= 0"
    before_types, after_types = csv_types(rows), csv_types(after)
    base = ["- row_count > 0", f"- duplicate_count({world.key}) = 0"]
    return Incident(
        id=incident_id,
        now=world.now, name=name,
        description=f"Every {world.about.split(' ', 1)[1]} with a non-negative {world.measure}, with every "
        f"column the {world.fact} feed delivers.",
        sql=sql,
        checks=checks(name, *base, schema_check(before_types)),
        category="schema_drift", remediation="schema_evolution",
        root_cause=f"The {world.fact} feed legitimately added {column}. The asset passes every column through, "
        "so its output gained it and the exact schema check fails: the table and the check evolve.",
        before=[Source(world.fact, rows)], after=[Source(world.fact, after)],
        reference=Reference("sql", sql=sql, checks=checks(name, *base, schema_check(after_types))),
        domain=world.domain, shape="projection with filter; exact schema check",
    )  # fmt: skip


MOVED = [(w.insurance, "product"), (w.insurance, "region"), (w.logistics, "mode"), (w.energy, "tariff"),
         (w.payroll, "dept_code"), (w.iot, "site"), (w.lending, "segment"), (w.lending, "risk_band"),
         (w.telecom, "plan"), (w.ecommerce, "channel_group")]  # fmt: skip
REKEYED = [(w.insurance, "region"), (w.logistics, "mode"), (w.energy, "tariff"), (w.payroll, "dept_code"),
           (w.iot, "model"), (w.lending, "risk_band"), (w.telecom, "plan"), (w.ecommerce, "channel_group"),
           (w.iot, "site"), (w.energy, "region")]  # fmt: skip


def _slug(*parts: str) -> str:
    return "-".join(p.replace("_", "-") for p in parts)


def _builders() -> list:
    out = []
    for i, (world, attr) in enumerate(MOVED):
        iid = _slug(world.__name__, attr, "moved", "to", "dimension")
        out.append(member(iid, lambda world=world, attr=attr, i=i, iid=iid: _moved(world(900 + i), attr, iid)))
    for i, (world, attr) in enumerate(REKEYED):
        iid = _slug(world.__name__, attr, "rekeyed", "with", "map")
        out.append(member(iid, lambda world=world, attr=attr, i=i, iid=iid: _rekeyed(world(920 + i), attr, iid)))
    for i, world in enumerate([*w.ALL, w.insurance, w.lending]):
        column, fn = ADDED[i % len(ADDED)] if i < len(w.ALL) else ADDED[3 + i - len(w.ALL)]
        iid = _slug(world.__name__, "feed", "gained", column)
        out.append(member(iid, lambda world=world, i=i, c=column, fn=fn, iid=iid: _gained(world(940 + i), c, fn, iid)))
    return out


BUILDERS = _builders()
