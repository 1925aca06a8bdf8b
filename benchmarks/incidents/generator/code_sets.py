"""Format drift of two kinds, one member per world:

- code-set switches: a code column moved to another standard (ISO 3166 alpha-2 to alpha-3 or numeric,
  ISO 4217 alpha to numeric, IATA-style hub codes to UN/LOCODE); a reference table of the catalog maps
  every new code back, so the check of valid codes is kept, not loosened;
- partial fixes: a number now written with a unit, a currency sign, a decimal comma or thousands
  separators, where a deterministic normalisation restores all values but a few that are not numbers at
  all: normalise and cast, and dead-letter the residue (format drift and data quality together).
"""

from __future__ import annotations

import pyarrow as pa

from generator import worlds as w
from generator.common import checks
from generator.core import Incident, Reference, Source
from generator.family import member

COUNTRIES = [("NL", "NLD", "528"), ("DE", "DEU", "276"), ("BE", "BEL", "056"), ("FR", "FRA", "250"),
             ("AT", "AUT", "040"), ("ES", "ESP", "724"), ("US", "USA", "840"), ("GB", "GBR", "826")]  # fmt: skip
CURRENCIES = [("EUR", "978"), ("USD", "840"), ("GBP", "826")]
LOCODES = {"AMS": "NLAMS", "RTM": "NLRTM", "HAM": "DEHAM", "ANR": "BEANR", "LEH": "FRLEH", "BCN": "ESBCN",
           "MXP": "ITMXP", "WAW": "PLWAW"}  # fmt: skip


def _country_table() -> list[dict]:
    return [{"alpha2": a, "alpha3": b, "numeric": n} for a, b, n in COUNTRIES]


def _currency_table() -> list[dict]:
    return [{"alpha": a, "numeric": n} for a, n in CURRENCIES]


def _locode_table() -> list[dict]:
    return [{"hub": h, "unlocode": u} for h, u in LOCODES.items()]


STRING = pa.string()


def _code_switch(world: w.World, column: str, table: str, old: str, new: str, incident_id: str,
                 add=None) -> Incident:  # fmt: skip  # noqa: ANN001
    rows = [dict(r) for r in world.rows]
    if add:
        for i, r in enumerate(rows):
            r[column] = add(i)
    ref = {"country_codes": _country_table, "currency_codes": _currency_table, "hub_locodes": _locode_table}[table]()
    to_new = {r[old]: r[new] for r in ref}
    after = [{**r, column: to_new[r[column]]} for r in rows]
    valid = sorted({r[column] for r in rows})
    name = f"{world.fact}_by_{column}"
    total = f"total_{world.measure}"
    sql = f"""
SELECT {column}, COUNT(*) AS n_rows, ROUND(SUM({world.measure}), 2) AS {total}
FROM {world.fact}
GROUP BY {column}
"""
    fix = f"""
SELECT c.{old} AS {column}, COUNT(*) AS n_rows, ROUND(SUM(f.{world.measure}), 2) AS {total}
FROM {world.fact} f
JOIN {table} c ON c.{new} = f.{column}
GROUP BY c.{old}
"""
    types = {column: STRING}
    return Incident(
        id=incident_id, now=world.now, name=name,
        description=f"Count and total {world.measure} of {world.fact} per {column} ({old} codes).",
        sql=sql,
        checks=checks(name, "- row_count > 0", f"- invalid_count({column}) = 0:",
                      f"    valid values: [{', '.join(valid)}]"),
        category="format_drift", remediation="code_change",
        root_cause=f"The source now writes {column} in another standard ({new} codes instead of {old}); the "
        f"{table} reference table of the catalog maps every {new} code to its {old} code.",
        before=[Source(world.fact, rows, fmt="parquet", types=types), Source(table, ref, fmt="parquet")],
        after=[Source(world.fact, after, fmt="parquet", types=types)],
        reference=Reference("sql", sql=fix), domain=world.domain, shape="aggregate; fix joins a reference table",
    )  # fmt: skip


def _cycle(values: list[str]):  # noqa: ANN202
    return lambda i: values[(i * 7 + i // 3) % len(values)]


# (world, column, reference table, old standard, new standard, values for a column the world lacks)
SWITCHES = [
    (w.ecommerce, "country", "country_codes", "alpha2", "alpha3", None),
    (w.ecommerce, "country", "country_codes", "alpha2", "numeric", None),
    (w.telecom, "country_code", "country_codes", "alpha2", "alpha3", None),
    (w.telecom, "country_code", "country_codes", "alpha2", "numeric", None),
    (w.payroll, "currency", "currency_codes", "alpha", "numeric", None),
    (w.lending, "currency", "currency_codes", "alpha", "numeric", _cycle(["EUR", "EUR", "USD", "GBP"])),
    (w.insurance, "currency", "currency_codes", "alpha", "numeric", _cycle(["EUR", "GBP"])),
    (w.logistics, "origin", "hub_locodes", "hub", "unlocode", None),
    (w.logistics, "destination", "hub_locodes", "hub", "unlocode", None),
    (w.lending, "country", "country_codes", "alpha2", "alpha3", _cycle(["NL", "DE", "BE", "FR", "AT"])),
]

# (world, how the value is written now, how to read it back, what a few rows say instead, a name)
PARTIAL = [
    (w.insurance, lambda v: f"{v:.2f} EUR", "replace({c}, ' EUR', '')", "n/a", "currency-suffix"),
    (w.logistics, lambda v: f"€{v:,.2f}", "replace(replace({c}, '€', ''), ',', '')", "tbd", "euro-sign"),
    (w.energy, lambda v: f"{v:.3f} kWh", "replace({c}, ' kWh', '')", "ERR", "unit-suffix"),
    (w.payroll, lambda v: f"{v:.2f}".replace(".", ","), "replace({c}, ',', '.')", "-", "decimal-comma"),
    (w.iot, lambda v: f"{v:.1f} %", "replace({c}, ' %', '')", "sensor fault", "percent-sign"),
    (w.lending, lambda v: f"{v:,.2f}".replace(",", "_").replace(".", ",").replace("_", "."),
     "replace(replace({c}, '.', ''), ',', '.')", "on request", "eu-grouping"),
    (w.telecom, lambda v: f"{v:.2f}MB", "rtrim({c}, 'MB')", "unknown", "unit-suffix"),
    (w.ecommerce, lambda v: f"EUR {v:.2f}", "replace({c}, 'EUR ', '')", "refund pending", "currency-prefix"),
    (w.insurance, lambda v: f"{v:,.2f}", "replace({c}, ',', '')", "see notes", "thousands-commas"),
    (w.logistics, lambda v: f"{v:.2f} eur", "replace({c}, ' eur', '')", "#VALUE!", "currency-suffix"),
]  # fmt: skip


def _partial(world: w.World, write, read: str, bad: str, every: int, incident_id: str) -> Incident:  # noqa: ANN001
    m = world.measure
    after = [{**r, m: (bad if i % every == 5 else write(r[m]))} for i, r in enumerate(world.rows)]
    name = f"{world.fact}_{m}_by_{world.group}"
    total = f"total_{m}"
    sql = f"""
SELECT {world.group}, COUNT(*) AS n_rows, ROUND(SUM({m}), 2) AS {total}
FROM {world.fact}
GROUP BY {world.group}
"""
    parsed = f"TRY_CAST({read.format(c=m)} AS DOUBLE)"
    fix = f"""
WITH parsed AS (SELECT {world.group}, {parsed} AS {m} FROM {world.fact})
SELECT {world.group}, COUNT(*) AS n_rows, ROUND(SUM({m}), 2) AS {total}
FROM parsed
WHERE {m} IS NOT NULL
GROUP BY {world.group}
"""
    sample = write(world.rows[0][m])
    return Incident(
        id=incident_id, now=world.now, name=name,
        description=f"Count and total {m} of {world.fact} per {world.group}.",
        sql=sql,
        checks=checks(name, "- row_count > 0", f"- invalid_count({total}) = 0:", "    valid min: 0"),
        category=["format_drift", "data_quality"], remediation=["code_change", "dead_letter"],
        root_cause=f"The source now writes {m} as text ('{sample}'); reading it back restores every value but "
        f"a few rows that say '{bad}': normalise and cast, and dead-letter those rows.",
        before=[Source(world.fact, world.rows)], after=[Source(world.fact, after)],
        reference=Reference("sql", sql=fix), domain=world.domain, shape="aggregate; normalise, cast, dead-letter",
    )  # fmt: skip


def _builders() -> list:
    out = []
    for i, (world, column, table, old, new, add) in enumerate(SWITCHES):
        iid = f"{world.__name__}-{column.replace('_', '-')}-{old}-to-{new}"
        out.append(member(iid, lambda a=(world, column, table, old, new, add, i, iid): _code_switch(
            a[0](960 + a[6]), a[1], a[2], a[3], a[4], a[7], add=a[5])))  # fmt: skip
    for i, (world, write, read, bad, how) in enumerate(PARTIAL):
        iid = f"{world.__name__}-{world(0).measure.replace('_', '-')}-{how}-some-unreadable"
        out.append(member(iid, lambda a=(world, write, read, bad, i, iid): _partial(
            a[0](980 + a[4]), a[1], a[2], a[3], 23 + a[4], a[5])))  # fmt: skip
    return out


BUILDERS = _builders()
