"""Row generators for the benchmark's domains: each takes a seeded Random and returns rows in a fixed order."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

Row = dict[str, Any]


def pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted], k=1)[0]


def lognormal(rng: random.Random, lo: float, hi: float) -> float:
    return round(math.exp(rng.uniform(math.log(lo), math.log(hi))), 2)


def times(rng: random.Random, n: int, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    span = int((end - start).total_seconds())
    return sorted(start + dt.timedelta(seconds=rng.randrange(span)) for _ in range(n))


# --- insurance ---------------------------------------------------------------------------------

PRODUCTS = [("motor", 0.45), ("home", 0.30), ("travel", 0.15), ("liability", 0.10)]
REGIONS = ["north", "south", "east", "west", "central"]
CLAIM_CAUSES = {
    "motor": ["collision", "theft", "glass"],
    "home": ["water", "fire", "burglary"],
    "travel": ["medical", "cancellation", "baggage"],
    "liability": ["injury", "property"],
}


def policies(rng: random.Random, n: int, first_id: int = 500_000, start: dt.date = dt.date(2024, 1, 1)) -> list[Row]:
    rows = []
    for i in range(n):
        product = pick(rng, PRODUCTS)
        begin = start + dt.timedelta(days=rng.randrange(0, 700))
        rows.append(
            {
                "policy_id": first_id + i,
                "holder_id": rng.randrange(10_000, 99_999),
                "product": product,
                "region": rng.choice(REGIONS),
                "start_date": begin,
                "end_date": begin + dt.timedelta(days=364),
                "annual_premium": lognormal(rng, 120, 2400),
                "insured_value": float(rng.randrange(5, 400) * 1000),
            }
        )
    return rows


def claims(
    rng: random.Random, pols: list[Row], n: int, start: dt.datetime, end: dt.datetime, first_id: int
) -> list[Row]:
    rows = []
    for i, moment in enumerate(times(rng, n, start, end)):
        pol = rng.choice(pols)
        rows.append(
            {
                "claim_id": f"CL{first_id + i:08d}",
                "policy_id": pol["policy_id"],
                "reported_at": moment,
                "cause": rng.choice(CLAIM_CAUSES[pol["product"]]),
                "claim_amount": lognormal(rng, 80, 25_000),
                "status": pick(rng, [("O", 0.3), ("C", 0.6), ("R", 0.1)]),
            }
        )
    return rows


# --- logistics ---------------------------------------------------------------------------------

CARRIERS = [
    (101, "NorthLine Freight", "road"),
    (102, "BlueWave Shipping", "sea"),
    (103, "SkyCargo", "air"),
    (104, "RailLink", "rail"),
    (105, "Urban Parcel", "road"),
    (106, "Polar Express Logistics", "air"),
]
HUBS = ["AMS", "RTM", "HAM", "ANR", "LEH", "BCN", "MXP", "WAW"]


def carriers() -> list[Row]:
    return [{"carrier_code": c, "carrier_name": n, "mode": m} for c, n, m in CARRIERS]


def shipments(rng: random.Random, n: int, start: dt.datetime, end: dt.datetime, first_id: int) -> list[Row]:
    rows = []
    for i, shipped in enumerate(times(rng, n, start, end)):
        code, _, mode = rng.choice(CARRIERS)
        origin, dest = rng.sample(HUBS, 2)
        weight = lognormal(rng, 0.5, 2500 if mode != "air" else 400)
        hours = {"road": 30, "sea": 200, "air": 14, "rail": 60}[mode] * rng.uniform(0.6, 1.8)
        rows.append(
            {
                "shipment_id": f"SH{first_id + i:07d}",
                "carrier_code": code,
                "origin": origin,
                "destination": dest,
                "weight_kg": weight,
                "shipped_at": shipped,
                "transit_hours": round(hours, 1),
                "cost_eur": round(12 + weight * {"road": 0.4, "sea": 0.1, "air": 2.8, "rail": 0.25}[mode], 2),
                "status": pick(rng, [("delivered", 0.8), ("in_transit", 0.17), ("lost", 0.03)]),
            }
        )
    return rows


# --- energy ------------------------------------------------------------------------------------

TARIFFS = [("residential", 0.7), ("sme", 0.22), ("industrial", 0.08)]


def meters(rng: random.Random, n: int, first_id: int = 7_000_000) -> list[Row]:
    return [
        {"meter_id": first_id + i * 7, "tariff": pick(rng, TARIFFS), "region": rng.choice(REGIONS)} for i in range(n)
    ]


def daily_readings(rng: random.Random, mtrs: list[Row], days: list[dt.date]) -> list[Row]:
    scale = {"residential": 9.0, "sme": 60.0, "industrial": 900.0}
    rows = []
    for day in days:
        for m in mtrs:
            base = scale[m["tariff"]] * (1.25 if day.month in (12, 1, 2) else 1.0)
            rows.append(
                {
                    "meter_id": m["meter_id"],
                    "reading_date": day,
                    "kwh": round(base * rng.uniform(0.5, 1.6), 3),
                }
            )
    return rows


def interval_readings(rng: random.Random, mtrs: list[Row], start: dt.datetime, hours: int) -> list[Row]:
    """Hourly readings per meter, in time order."""
    scale = {"residential": 0.4, "sme": 2.5, "industrial": 38.0}
    rows = []
    for h in range(hours):
        moment = start + dt.timedelta(hours=h)
        shape = 0.6 + 0.8 * math.sin(math.pi * ((moment.hour - 6) % 24) / 24)
        for m in mtrs:
            rows.append(
                {
                    "meter_id": m["meter_id"],
                    "read_at": moment,
                    "kwh": round(scale[m["tariff"]] * shape * rng.uniform(0.7, 1.3), 3),
                }
            )
    return rows


# --- e-commerce --------------------------------------------------------------------------------

CATEGORIES = ["books", "garden", "toys", "kitchen", "audio", "sports", "beauty"]
ORDER_COUNTRIES = [("NL", 0.4), ("DE", 0.25), ("BE", 0.15), ("FR", 0.12), ("AT", 0.08)]


def products(rng: random.Random, n: int) -> list[Row]:
    return [
        {"sku": f"SKU-{1000 + i}", "category": CATEGORIES[i % len(CATEGORIES)], "list_price": lognormal(rng, 3, 400)}
        for i in range(n)
    ]


def orders(rng: random.Random, n: int, start: dt.datetime, end: dt.datetime, first_id: int) -> list[Row]:
    rows = []
    for i, moment in enumerate(times(rng, n, start, end)):
        rows.append(
            {
                "order_id": first_id + i,
                "customer_id": rng.randrange(1, 4000),
                "ordered_at": moment,
                "channel": pick(rng, [("web", 0.55), ("app", 0.4), ("marketplace", 0.05)]),
                "country": pick(rng, ORDER_COUNTRIES),
                "status": pick(rng, [("paid", 0.86), ("cancelled", 0.08), ("refunded", 0.06)]),
                "total_eur": lognormal(rng, 6, 650),
            }
        )
    return rows


def order_lines(rng: random.Random, ords: list[Row], prods: list[Row]) -> list[Row]:
    rows = []
    for o in ords:
        for line in range(1, rng.choice([1, 1, 2, 3]) + 1):
            p = rng.choice(prods)
            rows.append(
                {
                    "order_id": o["order_id"],
                    "line_no": line,
                    "sku": p["sku"],
                    "quantity": rng.choice([1, 1, 1, 2, 3]),
                    "unit_price": p["list_price"],
                }
            )
    return rows


# --- HR payroll --------------------------------------------------------------------------------

DEPARTMENTS = [
    ("FIN", "Finance", "CC100"),
    ("ENG", "Engineering", "CC200"),
    ("OPS", "Operations", "CC300"),
    ("SAL", "Sales", "CC400"),
    ("HRM", "Human Resources", "CC500"),
    ("LEG", "Legal", "CC600"),
]
FIRST = ["Anna", "Bram", "Chloe", "Daan", "Emma", "Finn", "Greta", "Hugo", "Ines", "Jens", "Katja", "Lars"]
LAST = ["Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters", "Dekker"]


def departments() -> list[Row]:
    return [{"dept_code": c, "dept_name": n, "cost_center": cc} for c, n, cc in DEPARTMENTS]


def employees(rng: random.Random, n: int, first_id: int = 10_000) -> list[Row]:
    rows = []
    for i in range(n):
        rows.append(
            {
                "employee_id": first_id + i * 3,
                "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "dept_code": rng.choice(DEPARTMENTS)[0],
                "grade": rng.randrange(1, 9),
                "hire_date": dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(0, 5400)),
            }
        )
    return rows


def payslips(rng: random.Random, emps: list[Row], periods: list[dt.date], first_id: int) -> list[Row]:
    rows = []
    k = first_id
    for period in periods:
        for e in emps:
            gross = round(2200 + e["grade"] * 650 * rng.uniform(0.9, 1.15), 2)
            tax = round(gross * (0.22 + 0.02 * e["grade"]), 2)
            rows.append(
                {
                    "payslip_id": k,
                    "employee_id": e["employee_id"],
                    "period": period,
                    "gross_pay": gross,
                    "tax": tax,
                    "net_pay": round(gross - tax, 2),
                    "currency": "EUR",
                }
            )
            k += 1
    return rows


# --- IoT ---------------------------------------------------------------------------------------

SITES = ["plant-a", "plant-b", "warehouse-1", "warehouse-2", "office"]


def devices(rng: random.Random, n: int) -> list[Row]:
    return [
        {"device_id": f"dev-{i:04d}", "site": SITES[i % len(SITES)], "model": rng.choice(["TH-10", "TH-20", "EM-5"])}
        for i in range(n)
    ]


def sensor_readings(rng: random.Random, devs: list[Row], start: dt.datetime, minutes: int, every: int) -> list[Row]:
    rows = []
    for m in range(0, minutes, every):
        moment = start + dt.timedelta(minutes=m)
        for d in devs:
            base = 4.0 if d["site"].startswith("warehouse") else 21.0
            rows.append(
                {
                    "device_id": d["device_id"],
                    "measured_at": moment,
                    "temperature_c": round(base + rng.gauss(0, 1.5), 2),
                    "humidity_pct": round(min(99.0, max(5.0, rng.gauss(45, 8))), 1),
                    "battery_mv": rng.randrange(2900, 3300),
                }
            )
    return rows


# --- lending -----------------------------------------------------------------------------------

LOAN_PRODUCTS = [("mortgage", 0.25), ("personal", 0.45), ("auto", 0.2), ("sme", 0.1)]


def borrowers(rng: random.Random, n: int, first_id: int = 300_000) -> list[Row]:
    return [
        {
            "borrower_id": first_id + i * 11,
            "segment": pick(rng, [("retail", 0.8), ("business", 0.2)]),
            "country": pick(rng, ORDER_COUNTRIES),
            "risk_band": rng.choice("ABCDE"),
        }
        for i in range(n)
    ]


def loans(
    rng: random.Random, bors: list[Row], n: int, start: dt.datetime, end: dt.datetime, first_id: int
) -> list[Row]:
    span = {
        "mortgage": (90_000, 900_000),
        "personal": (1_000, 40_000),
        "auto": (5_000, 70_000),
        "sme": (20_000, 2_000_000),
    }
    rows = []
    for i, moment in enumerate(times(rng, n, start, end)):
        product = pick(rng, LOAN_PRODUCTS)
        rows.append(
            {
                "loan_id": f"LN{first_id + i:07d}",
                "borrower_id": rng.choice(bors)["borrower_id"],
                "product": product,
                "principal": lognormal(rng, *span[product]),
                "rate_pct": round(rng.uniform(1.5, 11.0), 2),
                "term_months": rng.choice(
                    [12, 24, 36, 60, 120, 240, 360] if product == "mortgage" else [12, 24, 36, 60]
                ),
                "disbursed_at": moment,
                "status": pick(rng, [("active", 0.85), ("repaid", 0.1), ("default", 0.05)]),
            }
        )
    return rows


# --- telecom -----------------------------------------------------------------------------------

PLANS = [("basic", 0.5), ("plus", 0.35), ("unlimited", 0.15)]
ROAM = [("NL", 0.6), ("DE", 0.12), ("BE", 0.1), ("FR", 0.08), ("ES", 0.06), ("US", 0.04)]
COUNTRY_NAMES = {
    "NL": "Netherlands",
    "DE": "Germany",
    "BE": "Belgium",
    "FR": "France",
    "ES": "Spain",
    "US": "United States",
}


def subscribers(rng: random.Random, n: int, first_id: int = 600_000) -> list[Row]:
    return [{"subscriber_id": first_id + i, "plan": pick(rng, PLANS)} for i in range(n)]


def usage_records(rng: random.Random, subs: list[Row], n: int, start: dt.datetime, end: dt.datetime) -> list[Row]:
    rows = []
    for i, moment in enumerate(times(rng, n, start, end)):
        rows.append(
            {
                "record_id": i + 1,
                "subscriber_id": rng.choice(subs)["subscriber_id"],
                "started_at": moment,
                "country_code": pick(rng, ROAM),
                "duration_s": rng.randrange(5, 3600),
                "megabytes": round(rng.expovariate(1 / 40), 2),
            }
        )
    return rows
