"""Seeded source tables for the domains of this split: each world is a function of its seed and sizes.

Values are drawn with `random.Random(seed)` and rows come out in a fixed order, so a world is the same on
every run; times are naive UTC.
"""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

TS = pa.timestamp("us")


def day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def meters(n: int, seed: int) -> pa.Table:
    """Smart electricity meters: id, supply area and tariff."""
    rng = random.Random(seed)
    areas = ["N1", "N2", "E4", "E7", "S3", "W9"]
    rows = [
        {"meter_id": 70000 + i, "area": rng.choice(areas), "tariff": rng.choice(["flat", "time_of_use", "ev"])}
        for i in range(n)
    ]
    return _table(rows, pa.schema([("meter_id", pa.int64()), ("area", pa.string()), ("tariff", pa.string())]))


def meter_reads(meter_ids: list[int], start: str, days: int, seed: int, *, per_day: int = 1) -> pa.Table:
    """Interval reads per meter: one (or `per_day`) consumption figure in kWh per day."""
    rng = random.Random(seed)
    step = dt.timedelta(hours=24 / per_day)
    rows = []
    t0 = day(start)
    for d in range(days * per_day):
        at = t0 + d * step
        for m in meter_ids:
            base = 4 + (m % 9) * 1.3
            rows.append(
                {
                    "meter_id": m,
                    "read_at": at + dt.timedelta(minutes=rng.randrange(0, 20)),
                    "kwh": round(base / per_day * rng.uniform(0.6, 1.5), 3),
                }
            )
    return _table(rows, pa.schema([("meter_id", pa.int64()), ("read_at", TS), ("kwh", pa.float64())]))


def stations(n: int, seed: int) -> pa.Table:
    rng = random.Random(seed)
    regions = ["coast", "valley", "upland", "plateau"]
    rows = [
        {"station_id": f"WS-{100 + i:03d}", "region": rng.choice(regions), "elevation_m": rng.randrange(5, 1800)}
        for i in range(n)
    ]
    return _table(rows, pa.schema([("station_id", pa.string()), ("region", pa.string()), ("elevation_m", pa.int64())]))


def observations(station_ids: list[str], start: str, hours: int, seed: int) -> pa.Table:
    """Hourly weather observations: temperature, precipitation, wind and a quality-control flag."""
    rng = random.Random(seed)
    rows = []
    t0 = day(start)
    for h in range(hours):
        at = t0 + dt.timedelta(hours=h)
        for i, s in enumerate(station_ids):
            temp = 6 + 7 * ((h % 24) - 12) / 12 * (-1 if (h % 24) < 6 else 1) * 0.5 + i * 0.4 + rng.uniform(-2, 2)
            rain = round(max(0.0, rng.gauss(0, 1.2)), 1)
            rows.append(
                {
                    "station_id": s,
                    "observed_at": at,
                    "temp_c": round(temp, 1),
                    "precip_mm": rain,
                    "wind_kmh": round(rng.uniform(0, 45), 1),
                    "qc_flag": "ok" if rng.random() > 0.03 else "suspect",
                }
            )
    schema = pa.schema(
        [
            ("station_id", pa.string()),
            ("observed_at", TS),
            ("temp_c", pa.float64()),
            ("precip_mm", pa.float64()),
            ("wind_kmh", pa.float64()),
            ("qc_flag", pa.string()),
        ]
    )
    return _table(rows, schema)


def trial_visits(n_subjects: int, start: str, seed: int, *, visits: int = 5) -> pa.Table:
    """A clinical trial's visits: subject, site, arm, visit number, date and blood pressure."""
    rng = random.Random(seed)
    rows = []
    t0 = day(start)
    for s in range(n_subjects):
        sid, site, arm = 1001 + s, f"S{1 + s % 6:02d}", "active" if s % 2 else "placebo"
        first = t0 + dt.timedelta(days=rng.randrange(0, 20))
        for v in range(1, visits + 1):
            drop = -6 * v / visits if arm == "active" else 0
            rows.append(
                {
                    "subject_id": sid,
                    "site_id": site,
                    "arm": arm,
                    "visit": f"V{v}",
                    "visit_date": (first + dt.timedelta(days=14 * (v - 1))).date(),
                    "systolic": round(138 + drop + rng.gauss(0, 8)),
                    "diastolic": round(88 + drop / 2 + rng.gauss(0, 5)),
                }
            )
    schema = pa.schema(
        [
            ("subject_id", pa.int64()),
            ("site_id", pa.string()),
            ("arm", pa.string()),
            ("visit", pa.string()),
            ("visit_date", pa.date32()),
            ("systolic", pa.int64()),
            ("diastolic", pa.int64()),
        ]
    )
    return _table(rows, schema)


def vehicles(n: int, seed: int) -> pa.Table:
    rng = random.Random(seed)
    rows = [
        {
            "vehicle_id": f"VH{300 + i}",
            "vehicle_class": rng.choice(["van", "rigid", "artic"]),
            "depot": rng.choice(["Leeds", "Derby", "Hull"]),
        }
        for i in range(n)
    ]
    return _table(
        rows, pa.schema([("vehicle_id", pa.string()), ("vehicle_class", pa.string()), ("depot", pa.string())])
    )


def trips(vehicle_ids: list[str], start: str, days: int, seed: int, *, per_day: int = 3, first_id: int = 1) -> pa.Table:
    """Fleet telematics trips: vehicle, start time, distance, fuel and the driver's badge."""
    rng = random.Random(seed)
    rows = []
    t0 = day(start)
    tid = first_id
    for d in range(days):
        for v in vehicle_ids:
            for k in range(per_day):
                km = round(rng.uniform(8, 240), 1)
                rows.append(
                    {
                        "trip_id": tid,
                        "vehicle_id": v,
                        "started_at": t0 + dt.timedelta(days=d, hours=6 + 4 * k, minutes=rng.randrange(60)),
                        "km": km,
                        "fuel_l": round(km * rng.uniform(0.09, 0.32), 2),
                        "driver_badge": f"D{rng.randrange(10, 60)}",
                    }
                )
                tid += 1
    schema = pa.schema(
        [
            ("trip_id", pa.int64()),
            ("vehicle_id", pa.string()),
            ("started_at", TS),
            ("km", pa.float64()),
            ("fuel_l", pa.float64()),
            ("driver_badge", pa.string()),
        ]
    )
    return _table(rows, schema)


def employees(n: int, seed: int) -> pa.Table:
    rng = random.Random(seed)
    depts = ["nursing", "pharmacy", "estates", "radiology", "admin"]
    rows = [
        {"employee_no": 4100 + i, "department": rng.choice(depts), "grade": rng.choice(["B3", "B4", "B5", "B6"])}
        for i in range(n)
    ]
    return _table(rows, pa.schema([("employee_no", pa.int64()), ("department", pa.string()), ("grade", pa.string())]))


def pay_lines(employee_nos: list[int], periods: list[str], seed: int) -> pa.Table:
    """Payroll lines per employee and pay date: hours worked and gross pay."""
    rng = random.Random(seed)
    rows = []
    for p in periods:
        for e in employee_nos:
            hours = round(rng.uniform(60, 165), 1)
            rate = 14 + (e % 7) * 2.5
            rows.append(
                {"employee_no": e, "pay_date": day(p).date(), "hours": hours, "gross_pay": round(hours * rate, 2)}
            )
    schema = pa.schema(
        [("employee_no", pa.int64()), ("pay_date", pa.date32()), ("hours", pa.float64()), ("gross_pay", pa.float64())]
    )
    return _table(rows, schema)


def bookings(n: int, start: str, days: int, seed: int, *, first_id: int = 500001) -> pa.Table:
    """Hotel bookings: hotel code, booking time, arrival date, nights, nightly rate and sales channel."""
    rng = random.Random(seed)
    hotels = ["LIS1", "LIS2", "OPO1", "FAO1", "MAD3"]
    rows = []
    t0 = day(start)
    for i in range(n):
        booked = t0 + dt.timedelta(minutes=int(i * days * 1440 / n) + rng.randrange(0, 30))
        rows.append(
            {
                "booking_id": first_id + i,
                "hotel_code": hotels[rng.randrange(len(hotels))],
                "booked_at": booked,
                "arrival": (booked + dt.timedelta(days=rng.randrange(1, 90))).date(),
                "nights": rng.randrange(1, 8),
                "rate": round(rng.uniform(55, 320), 2),
                "channel": rng.choice(["direct", "ota", "corporate"]),
            }
        )
    schema = pa.schema(
        [
            ("booking_id", pa.int64()),
            ("hotel_code", pa.string()),
            ("booked_at", TS),
            ("arrival", pa.date32()),
            ("nights", pa.int64()),
            ("rate", pa.float64()),
            ("channel", pa.string()),
        ]
    )
    return _table(rows, schema)


def calls(n: int, start: str, days: int, seed: int, *, cells: int = 40) -> pa.Table:
    """Telecom call detail records: cell, start time, duration in seconds and call type."""
    rng = random.Random(seed)
    rows = []
    t0 = day(start)
    for i in range(n):
        rows.append(
            {
                "call_id": 9000000 + i,
                "cell_id": f"C{rng.randrange(cells):03d}",
                "started_at": t0 + dt.timedelta(seconds=int(i * days * 86400 / n)),
                "duration_s": int(rng.expovariate(1 / 150)) + 1,
                "call_type": rng.choice(["voice", "voice", "video", "volte"]),
            }
        )
    schema = pa.schema(
        [
            ("call_id", pa.int64()),
            ("cell_id", pa.string()),
            ("started_at", TS),
            ("duration_s", pa.int64()),
            ("call_type", pa.string()),
        ]
    )
    return _table(rows, schema)


def parking(n: int, start: str, days: int, seed: int) -> pa.Table:
    """Parking sessions: zone, start, minutes parked and the fee charged."""
    rng = random.Random(seed)
    zones = {"Z1": 2.4, "Z2": 1.8, "Z3": 1.2, "Z4": 3.0}
    rows = []
    t0 = day(start)
    for i in range(n):
        zone = rng.choice(sorted(zones))
        minutes = rng.randrange(10, 300)
        rows.append(
            {
                "session_id": 10 * i + 3,
                "zone": zone,
                "started_at": t0 + dt.timedelta(minutes=int(i * days * 1440 / n)),
                "minutes": minutes,
                "fee": round(minutes / 60 * zones[zone], 2),
            }
        )
    schema = pa.schema(
        [
            ("session_id", pa.int64()),
            ("zone", pa.string()),
            ("started_at", TS),
            ("minutes", pa.int64()),
            ("fee", pa.float64()),
        ]
    )
    return _table(rows, schema)


def dispensing(n: int, start: str, days: int, seed: int, *, stores: int = 12) -> pa.Table:
    """Pharmacy dispensing: store, product code, quantity and time dispensed."""
    rng = random.Random(seed)
    products = ["AMX500", "IBU200", "MET850", "ATV020", "SAL100", "OME020"]
    rows = []
    t0 = day(start)
    for i in range(n):
        rows.append(
            {
                "rx_id": 300000 + i,
                "store_id": 200 + rng.randrange(stores),
                "product": rng.choice(products),
                "qty": rng.choice([7, 14, 28, 28, 56, 84]),
                "dispensed_at": t0 + dt.timedelta(seconds=int(i * days * 86400 / n)),
            }
        )
    schema = pa.schema(
        [
            ("rx_id", pa.int64()),
            ("store_id", pa.int64()),
            ("product", pa.string()),
            ("qty", pa.int64()),
            ("dispensed_at", TS),
        ]
    )
    return _table(rows, schema)


def harvests(n_fields: int, season: str, seed: int) -> pa.Table:
    """Field harvests: crop, date, area in hectares and yield in tonnes."""
    rng = random.Random(seed)
    crops = {"wheat": 8.0, "barley": 6.5, "rapeseed": 3.4, "beans": 4.1}
    rows = []
    t0 = day(season)
    for f in range(n_fields):
        crop = sorted(crops)[f % 4]
        area = round(rng.uniform(3, 60), 1)
        rows.append(
            {
                "field_id": f"F{f + 1:04d}",
                "crop": crop,
                "harvested_on": (t0 + dt.timedelta(days=rng.randrange(0, 40))).date(),
                "area_ha": area,
                "yield_t": round(area * crops[crop] * rng.uniform(0.8, 1.2), 2),
            }
        )
    schema = pa.schema(
        [
            ("field_id", pa.string()),
            ("crop", pa.string()),
            ("harvested_on", pa.date32()),
            ("area_ha", pa.float64()),
            ("yield_t", pa.float64()),
        ]
    )
    return _table(rows, schema)
