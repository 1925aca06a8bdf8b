"""One fact table and its dimension per domain of the set, for the families of incidents that repeat a
kind of fault across domains (moved columns, mapping tables, added columns, code-set switches, partial
fixes, time limits, late partitions, read failures, regressions).

A world is data only: a fact table in time order, its dimension table (joined on `dim_key`), and the
names of the columns a family may change. Each world is deterministic for its seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from generator import domains as d
from generator.core import iso

Row = dict


@dataclass
class World:
    domain: str
    fact: str  # the fact table's name
    rows: list[Row]  # its rows, in time order
    key: str  # the fact's identifier
    time: str  # its event-time column
    measure: str  # a non-negative numeric column
    dim: str  # the dimension table's name
    dim_rows: list[Row]
    dim_key: str  # the column that joins fact to dimension (same name in both)
    attr: str  # an attribute of the dimension
    group: str  # a low-cardinality column of the fact itself
    now: str  # the wall clock: a little after the last fact row
    about: str  # what one fact row is, in words
    extra: dict = field(default_factory=dict)


def _now(rows: list[Row], time: str) -> str:
    last = max(r[time] for r in rows)
    last = last if isinstance(last, dt.datetime) else dt.datetime.combine(last, dt.time(0))
    return iso(last + dt.timedelta(minutes=20))


def insurance(seed: int, n: int = 360) -> World:
    rng = random.Random(seed)
    pols = d.policies(rng, 120)
    rows = d.claims(rng, pols, n, dt.datetime(2026, 2, 20), dt.datetime(2026, 3, 2, 1, 0), first_id=seed * 1000)
    return World("insurance", "claims", rows, "claim_id", "reported_at", "claim_amount", "policies",
                 [{k: p[k] for k in ("policy_id", "product", "region")} for p in pols], "policy_id", "product",
                 "cause", _now(rows, "reported_at"), "an insurance claim")  # fmt: skip


def logistics(seed: int, n: int = 360) -> World:
    rng = random.Random(seed)
    rows = d.shipments(rng, n, dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 6, 2, 0), first_id=seed * 1000)
    return World("logistics", "shipments", rows, "shipment_id", "shipped_at", "cost_eur", "carriers",
                 d.carriers(), "carrier_code", "mode", "origin", _now(rows, "shipped_at"), "a shipment")  # fmt: skip


def energy(seed: int, hours: int = 48) -> World:
    rng = random.Random(seed)
    mtrs = d.meters(rng, 12, first_id=7_000_000 + seed)
    rows = d.interval_readings(rng, mtrs, dt.datetime(2026, 2, 8), hours)
    for i, r in enumerate(rows):
        r["reading_id"] = seed * 100_000 + i
    return World("energy", "readings", rows, "reading_id", "read_at", "kwh", "meters", mtrs, "meter_id", "tariff",
                 "meter_id", _now(rows, "read_at"), "an hourly meter reading")  # fmt: skip


def payroll(seed: int) -> World:
    rng = random.Random(seed)
    emps = d.employees(rng, 60, first_id=10_000 + seed)
    periods = [dt.date(2026, m, 1) for m in (1, 2, 3)]
    rows = d.payslips(rng, emps, periods, first_id=seed * 1000)
    return World("hr payroll", "payslips", rows, "payslip_id", "period", "gross_pay", "employees",
                 [{k: e[k] for k in ("employee_id", "dept_code", "grade")} for e in emps], "employee_id",
                 "dept_code", "currency", "2026-03-02T06:00:00Z", "a monthly payslip")  # fmt: skip


def iot(seed: int) -> World:
    rng = random.Random(seed)
    devs = d.devices(rng, 10)
    rows = d.sensor_readings(rng, devs, dt.datetime(2026, 3, 3, 0, 0), 24 * 60, 40)
    for i, r in enumerate(rows):
        r["reading_id"] = seed * 100_000 + i
    return World("iot", "sensor_readings", rows, "reading_id", "measured_at", "humidity_pct", "devices", devs,
                 "device_id", "site", "device_id", _now(rows, "measured_at"), "a sensor reading")  # fmt: skip


def lending(seed: int, n: int = 320) -> World:
    rng = random.Random(seed)
    bors = d.borrowers(rng, 90)
    rows = d.loans(rng, bors, n, dt.datetime(2026, 2, 1), dt.datetime(2026, 3, 1, 3, 0), first_id=seed * 1000)
    return World("lending", "loans", rows, "loan_id", "disbursed_at", "principal", "borrowers", bors,
                 "borrower_id", "segment", "product", _now(rows, "disbursed_at"), "a loan")  # fmt: skip


def telecom(seed: int, n: int = 400) -> World:
    rng = random.Random(seed)
    subs = d.subscribers(rng, 80, first_id=600_000 + seed * 100)
    rows = d.usage_records(rng, subs, n, dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 3, 4, 0))
    for r in rows:
        r["record_id"] += seed * 100_000
    return World("telecom", "usage", rows, "record_id", "started_at", "megabytes", "subscribers", subs,
                 "subscriber_id", "plan", "country_code", _now(rows, "started_at"), "a usage record")  # fmt: skip


def ecommerce(seed: int, n: int = 300) -> World:
    rng = random.Random(seed)
    ords = d.orders(rng, n, dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 4, 5, 0), first_id=seed * 1000)
    channels = [{"channel": "web", "channel_group": "own"}, {"channel": "app", "channel_group": "own"},
                {"channel": "marketplace", "channel_group": "partner"}]  # fmt: skip
    return World("e-commerce", "orders", ords, "order_id", "ordered_at", "total_eur", "channels", channels,
                 "channel", "channel_group", "country", _now(ords, "ordered_at"), "an order")  # fmt: skip


ALL = [insurance, logistics, energy, payroll, iot, lending, telecom, ecommerce]
