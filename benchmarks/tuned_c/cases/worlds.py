"""The worlds the incidents happen in: seeded source tables, one function per table, rows in a fixed order.

Each world keeps its own naming style, as real upstream systems do: the web shop writes camelCase, the
water utility's meter head-end abbreviates, the freight system shouts in upper case, the museum's ticketing
system writes PascalCase, the rest are snake_case.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pyarrow as pa


def _day(start: str) -> date:
    return date.fromisoformat(start)


def _moment(day: date, rng: random.Random, first_hour: int = 0, last_hour: int = 23) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(first_hour, last_hour), rng.randint(0, 59), rng.randint(0, 59)
    )


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


# -- insurance claims ------------------------------------------------------------------------------------
POLICY_SCHEMA = pa.schema(
    [("policy_id", pa.int64()), ("product", pa.string()), ("region", pa.string()), ("annual_premium", pa.float64())]
)
CLAIM_SCHEMA = pa.schema(
    [
        ("claim_id", pa.int64()),
        ("policy_id", pa.int64()),
        ("peril", pa.string()),
        ("loss_date", pa.date32()),
        ("reported_at", pa.timestamp("us")),
        ("claim_amount", pa.float64()),
        ("status", pa.string()),
    ]
)


def policies(n: int, *, seed: int) -> pa.Table:
    rng = random.Random(seed)
    products = ["home", "motor", "travel", "pet"]
    regions = ["north", "south", "east", "west", "capital"]
    rows = [
        {
            "policy_id": 70000 + i,
            "product": products[i % 4],
            "region": rng.choice(regions),
            "annual_premium": round(rng.uniform(90, 1400), 2),
        }
        for i in range(n)
    ]
    return _table(rows, POLICY_SCHEMA)


def claims(policy_ids: list[int], start: str, days: int, per_day: int, *, seed: int, first_id: int = 1) -> pa.Table:
    rng = random.Random(seed)
    perils = ["water", "fire", "theft", "collision", "storm", "illness"]
    rows, cid = [], first_id
    for d in range(days):
        day = _day(start) + timedelta(days=d)
        for _ in range(per_day + rng.randint(-per_day // 5, per_day // 5)):
            loss = day - timedelta(days=rng.randint(0, 20))
            rows.append(
                {
                    "claim_id": cid,
                    "policy_id": rng.choice(policy_ids),
                    "peril": rng.choice(perils),
                    "loss_date": loss,
                    "reported_at": _moment(day, rng, 7, 21),
                    "claim_amount": round(rng.lognormvariate(7.0, 0.9), 2),
                    "status": rng.choices(["open", "approved", "rejected", "paid"], [3, 4, 1, 5])[0],
                }
            )
            cid += 1
    return _table(rows, CLAIM_SCHEMA)


# -- e-commerce returns (camelCase) -------------------------------------------------------------------------
RETURN_SCHEMA = pa.schema(
    [
        ("returnId", pa.string()),
        ("orderId", pa.int64()),
        ("customerId", pa.int64()),
        ("productId", pa.string()),
        ("productCategory", pa.string()),
        ("returnedAt", pa.timestamp("us")),
        ("refundAmount", pa.float64()),
        ("returnReason", pa.string()),
    ]
)
CATEGORIES = {"A": "apparel", "S": "shoes", "E": "electronics", "H": "home", "B": "beauty"}


def product_ids(n: int, *, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(list(CATEGORIES))}{1000 + i}" for i in range(n)]


def returns(products: list[str], start: str, days: int, per_day: int, *, seed: int, first: int = 1) -> pa.Table:
    rng = random.Random(seed)
    reasons = ["too_small", "too_large", "damaged", "not_as_described", "changed_mind", "late_delivery"]
    rows, rid = [], first
    for d in range(days):
        day = _day(start) + timedelta(days=d)
        for _ in range(per_day + rng.randint(-per_day // 4, per_day // 4)):
            pid = rng.choice(products)
            rows.append(
                {
                    "returnId": f"R{rid:07d}",
                    "orderId": 5_000_000 + rng.randint(1, 400_000),
                    "customerId": 300 + rng.randint(1, 2500),
                    "productId": pid,
                    "productCategory": CATEGORIES[pid[0]],
                    "returnedAt": _moment(day, rng, 6, 23),
                    "refundAmount": round(rng.uniform(4, 380), 2),
                    "returnReason": rng.choice(reasons),
                }
            )
            rid += 1
    return _table(rows, RETURN_SCHEMA)


# -- parcel logistics ---------------------------------------------------------------------------------------
SCAN_SCHEMA = pa.schema(
    [
        ("scan_id", pa.int64()),
        ("parcel_id", pa.string()),
        ("depot", pa.string()),
        ("scan_type", pa.string()),
        ("scanned_at", pa.timestamp("us")),
    ]
)
DEPOTS = ["LHR1", "MAN2", "BHX1", "GLA3", "BRS1", "LDS2"]


def parcel_scans(start: str, days: int, parcels_per_day: int, *, seed: int, first_scan: int = 1) -> pa.Table:
    """Each parcel is picked up, sorted at a hub, and (mostly) delivered within two days."""
    rng = random.Random(seed)
    rows, sid = [], first_scan
    for d in range(days):
        day = _day(start) + timedelta(days=d)
        for p in range(parcels_per_day):
            parcel = f"PX{day.strftime('%m%d')}{p:05d}"
            depot = rng.choice(DEPOTS)
            t = _moment(day, rng, 7, 18)
            steps = [("pickup", t), ("hub", t + timedelta(hours=rng.randint(2, 9)))]
            if rng.random() < 0.93:
                steps.append(("delivered", t + timedelta(hours=rng.randint(14, 44))))
            for kind, at in steps:
                rows.append({"scan_id": sid, "parcel_id": parcel, "depot": depot, "scan_type": kind, "scanned_at": at})
                sid += 1
    rows.sort(key=lambda r: (r["scanned_at"], r["scan_id"]))
    return _table(rows, SCAN_SCHEMA)


# -- library loans ------------------------------------------------------------------------------------------
BRANCH_SCHEMA = pa.schema([("branch_code", pa.string()), ("branch_name", pa.string()), ("district", pa.string())])
LOAN_SCHEMA = pa.schema(
    [
        ("loan_id", pa.int64()),
        ("patron_id", pa.int64()),
        ("branch_code", pa.string()),
        ("item_barcode", pa.string()),
        ("media", pa.string()),
        ("loaned_on", pa.date32()),
        ("due_on", pa.date32()),
        ("returned_on", pa.date32()),
    ]
)


def branches() -> pa.Table:
    names = [
        ("003", "Central", "old town"),
        ("007", "Riverside", "docks"),
        ("012", "Hillcrest", "north"),
        ("025", "Marketgate", "old town"),
        ("031", "Elm Park", "south"),
        ("048", "Westfield", "west"),
        ("052", "Harbourview", "docks"),
        ("069", "Oakridge", "north"),
    ]
    return _table([{"branch_code": c, "branch_name": n, "district": d} for c, n, d in names], BRANCH_SCHEMA)


def loans(start: str, days: int, per_day: int, *, seed: int, first: int = 1, until: str | None = None) -> pa.Table:
    """Loans of 14 or 21 days; returned_on is empty while the item is out (as of `until`)."""
    rng = random.Random(seed)
    codes = branches()["branch_code"].to_pylist()
    horizon = _day(until) if until else None
    media = ["book", "book", "book", "dvd", "audiobook", "magazine"]
    rows, lid = [], first
    for d in range(days):
        day = _day(start) + timedelta(days=d)
        for _ in range(per_day + rng.randint(-per_day // 4, per_day // 4)):
            due = day + timedelta(days=rng.choice([14, 21]))
            back = day + timedelta(days=rng.randint(1, 30))
            rows.append(
                {
                    "loan_id": lid,
                    "patron_id": 100_000 + rng.randint(1, 1800),
                    "branch_code": rng.choice(codes),
                    "item_barcode": f"39{rng.randint(10**8, 10**9 - 1)}",
                    "media": rng.choice(media),
                    "loaned_on": day,
                    "due_on": due,
                    "returned_on": back if horizon is None or back <= horizon else None,
                }
            )
            lid += 1
    return _table(rows, LOAN_SCHEMA)


# -- water utility meters (abbreviated) -----------------------------------------------------------------------
METER_SCHEMA = pa.schema([("mtr_id", pa.int64()), ("zone_cd", pa.string()), ("svc_cls", pa.string())])
READ_SCHEMA = pa.schema(
    [
        ("rdg_id", pa.int64()),
        ("mtr_id", pa.int64()),
        ("rdg_ts", pa.timestamp("us")),
        ("cons_l", pa.float64()),
        ("src", pa.string()),
    ]
)


def meters(n: int, *, seed: int) -> pa.Table:
    rng = random.Random(seed)
    zones = ["Z01", "Z02", "Z03", "Z04", "Z05", "Z06"]
    rows = [
        {
            "mtr_id": 880_000 + i,
            "zone_cd": rng.choice(zones),
            "svc_cls": rng.choices(["RES", "COM", "IND"], [8, 3, 1])[0],
        }
        for i in range(n)
    ]
    return _table(rows, METER_SCHEMA)


def meter_reads(
    meter_ids: list[int], start: str, days: int, *, seed: int, first: int = 1, every_h: int = 6
) -> pa.Table:
    """Interval reads: litres consumed since the meter's previous read."""
    rng = random.Random(seed)
    rows, rid = [], first
    t0 = datetime.fromisoformat(start)
    for step in range(days * 24 // every_h):
        at = t0 + timedelta(hours=step * every_h)
        for m in meter_ids:
            rows.append(
                {
                    "rdg_id": rid,
                    "mtr_id": m,
                    "rdg_ts": at + timedelta(minutes=rng.randint(0, 9)),
                    "cons_l": round(rng.uniform(5, 160) * every_h / 6, 1),
                    "src": rng.choice(["AMR", "AMR", "AMI"]),
                }
            )
            rid += 1
    return _table(rows, READ_SCHEMA)


# -- event ticketing --------------------------------------------------------------------------------------------
EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.int64()),
        ("venue_id", pa.int64()),
        ("event_name", pa.string()),
        ("event_date", pa.date32()),
        ("capacity", pa.int64()),
    ]
)
SALE_SCHEMA = pa.schema(
    [
        ("ticket_id", pa.int64()),
        ("event_id", pa.int64()),
        ("sold_at", pa.timestamp("us")),
        ("tier", pa.string()),
        ("price", pa.float64()),
        ("channel", pa.string()),
    ]
)
VENUE_SCHEMA = pa.schema([("venue_id", pa.int64()), ("venue_name", pa.string()), ("city", pa.string())])


def venues() -> pa.Table:
    rows = [
        (3011, "Arena North", "Leeds"),
        (3017, "The Old Hall", "York"),
        (3023, "Riverside Stage", "Hull"),
        (3029, "Kings Theatre", "Leeds"),
        (3031, "Warehouse 9", "Sheffield"),
        (3043, "Civic Dome", "Bradford"),
    ]
    return _table([{"venue_id": v, "venue_name": n, "city": c} for v, n, c in rows], VENUE_SCHEMA)


def events(n: int, start: str, *, seed: int) -> pa.Table:
    rng = random.Random(seed)
    vs = venues()["venue_id"].to_pylist()
    acts = ["Night Owls", "Brass Parade", "Comedy Live", "Quartet No. 5", "Indie Tide", "Opera Gala", "Jazz Cellar"]
    rows = [
        {
            "event_id": 900 + i,
            "venue_id": vs[i % len(vs)],
            "event_name": f"{rng.choice(acts)} {i}",
            "event_date": _day(start) + timedelta(days=rng.randint(5, 60)),
            "capacity": rng.choice([400, 800, 1500, 2500]),
        }
        for i in range(n)
    ]
    return _table(rows, EVENT_SCHEMA)


def ticket_sales(event_ids: list[int], start: str, days: int, per_day: int, *, seed: int, first: int = 1) -> pa.Table:
    rng = random.Random(seed)
    tiers = {"standard": (25, 60), "premium": (70, 140), "vip": (150, 320)}
    rows, tid = [], first
    for d in range(days):
        day = _day(start) + timedelta(days=d)
        for _ in range(per_day + rng.randint(-per_day // 5, per_day // 5)):
            tier = rng.choices(list(tiers), [7, 2, 1])[0]
            lo, hi = tiers[tier]
            rows.append(
                {
                    "ticket_id": tid,
                    "event_id": rng.choice(event_ids),
                    "sold_at": _moment(day, rng, 8, 23),
                    "tier": tier,
                    "price": round(rng.uniform(lo, hi), 2),
                    "channel": rng.choices(["web", "app", "box_office"], [6, 3, 1])[0],
                }
            )
            tid += 1
    return _table(rows, SALE_SCHEMA)


# -- restaurant orders -------------------------------------------------------------------------------------------
STORE_SCHEMA = pa.schema(
    [("store_id", pa.int64()), ("store_name", pa.string()), ("country", pa.string()), ("seats", pa.int64())]
)
ORDER_SCHEMA = pa.schema(
    [
        ("order_id", pa.int64()),
        ("store_id", pa.int64()),
        ("ordered_at", pa.timestamp("us")),
        ("covers", pa.int64()),
        ("order_total", pa.float64()),
        ("takeaway", pa.bool_()),
    ]
)


def stores(*, seed: int) -> pa.Table:
    rng = random.Random(seed)
    places = [
        ("Lisbon Baixa", "PT"),
        ("Porto Ribeira", "PT"),
        ("Madrid Sol", "ES"),
        ("Sevilla Centro", "ES"),
        ("Lyon Part-Dieu", "FR"),
        ("Paris Bastille", "FR"),
        ("Milano Brera", "IT"),
        ("Roma Prati", "IT"),
        ("Wien Neubau", "AT"),
        ("Gent Korenmarkt", "BE"),
        ("Utrecht Dom", "NL"),
        ("Dublin Docklands", "IE"),
    ]
    rows = [
        {"store_id": 11 + i, "store_name": n, "country": c, "seats": rng.choice([40, 60, 80, 120])}
        for i, (n, c) in enumerate(places)
    ]
    return _table(rows, STORE_SCHEMA)


def orders(store_ids: list[int], start: str, days: int, per_store_day: int, *, seed: int, first: int = 1) -> pa.Table:
    rng = random.Random(seed)
    rows, oid = [], first
    for d in range(days):
        day = _day(start) + timedelta(days=d)
        for s in store_ids:
            for _ in range(per_store_day + rng.randint(-per_store_day // 4, per_store_day // 4)):
                covers = rng.choices([1, 2, 3, 4, 6], [3, 5, 2, 2, 1])[0]
                rows.append(
                    {
                        "order_id": oid,
                        "store_id": s,
                        "ordered_at": _moment(day, rng, 11, 22),
                        "covers": covers,
                        "order_total": round(covers * rng.uniform(9, 34), 2),
                        "takeaway": rng.random() < 0.3,
                    }
                )
                oid += 1
    rows.sort(key=lambda r: (r["ordered_at"], r["order_id"]))
    return _table(rows, ORDER_SCHEMA)


# -- factory sensors (abbreviated) ---------------------------------------------------------------------------------
SENSOR_SCHEMA = pa.schema(
    [
        ("mach_id", pa.string()),
        ("line_cd", pa.string()),
        ("ts", pa.timestamp("us")),
        ("tmp_c", pa.float64()),
        ("vib_mm_s", pa.float64()),
        ("rpm", pa.int64()),
    ]
)


def machines(lines: int, per_line: int) -> list[tuple[str, str]]:
    return [(f"M{line + 1}{m + 1:02d}", f"L{line + 1}") for line in range(lines) for m in range(per_line)]


def sensor_readings(machs: list[tuple[str, str]], start: str, hours: int, every_min: int, *, seed: int) -> pa.Table:
    rng = random.Random(seed)
    rows = []
    t0 = datetime.fromisoformat(start)
    for step in range(hours * 60 // every_min):
        at = t0 + timedelta(minutes=step * every_min)
        for mach, line in machs:
            rows.append(
                {
                    "mach_id": mach,
                    "line_cd": line,
                    "ts": at + timedelta(seconds=rng.randint(0, 30)),
                    "tmp_c": round(rng.gauss(61, 4), 2),
                    "vib_mm_s": round(abs(rng.gauss(2.2, 0.7)), 3),
                    "rpm": rng.randint(1400, 1550),
                }
            )
    return _table(rows, SENSOR_SCHEMA)


# -- school attendance --------------------------------------------------------------------------------------------
ATT_SCHEMA = pa.schema(
    [
        ("attendance_id", pa.int64()),
        ("student_id", pa.int64()),
        ("class_id", pa.string()),
        ("session_date", pa.date32()),
        ("session_start", pa.timestamp("us")),
        ("status", pa.string()),
        ("arrived_at", pa.timestamp("us")),
        ("minutes_late", pa.int64()),
    ]
)


def attendance(classes: int, pupils: int, start: str, school_days: int, *, seed: int, first: int = 1) -> pa.Table:
    """Morning registration of every pupil on every school day (weekends skipped)."""
    rng = random.Random(seed)
    rows, aid, day, done = [], first, _day(start), 0
    while done < school_days:
        if day.weekday() < 5:
            for c in range(classes):
                cls = f"Y{7 + c // 3}{'ABC'[c % 3]}"
                begin = datetime(day.year, day.month, day.day, 8, 45)
                for p in range(pupils):
                    r = rng.random()
                    status = "present" if r < 0.88 else "late" if r < 0.95 else "absent"
                    late = rng.randint(3, 40) if status == "late" else 0
                    arrived = None if status == "absent" else begin + timedelta(minutes=late, seconds=0)
                    rows.append(
                        {
                            "attendance_id": aid,
                            "student_id": 20_000 + c * 100 + p,
                            "class_id": cls,
                            "session_date": day,
                            "session_start": begin,
                            "status": status,
                            "arrived_at": arrived,
                            "minutes_late": None if status == "absent" else late,
                        }
                    )
                    aid += 1
            done += 1
        day += timedelta(days=1)
    return _table(rows, ATT_SCHEMA)


# -- bike-share trips ---------------------------------------------------------------------------------------------
TRIP_SCHEMA = pa.schema(
    [
        ("trip_id", pa.int64()),
        ("start_station", pa.int64()),
        ("end_station", pa.int64()),
        ("started_at", pa.timestamp("us")),
        ("ended_at", pa.timestamp("us")),
        ("is_member", pa.bool_()),
        ("uploaded_at", pa.timestamp("us")),
    ]
)
STATION_SCHEMA = pa.schema(
    [("station_id", pa.int64()), ("station_name", pa.string()), ("docks", pa.int64()), ("neighbourhood", pa.string())]
)


def stations(n: int, *, seed: int) -> pa.Table:
    rng = random.Random(seed)
    hoods = ["Canal", "University", "Old Port", "Station Quarter", "Parkside", "Market"]
    rows = [
        {
            "station_id": 400 + i,
            "station_name": f"{rng.choice(hoods)} {i}",
            "docks": rng.choice([12, 16, 20, 24]),
            "neighbourhood": hoods[i % len(hoods)],
        }
        for i in range(n)
    ]
    return _table(rows, STATION_SCHEMA)


def trips(station_ids: list[int], start: str, days: int, per_day: int, *, seed: int, first: int = 1) -> pa.Table:
    """Trips are uploaded by the dock in batches, a few minutes to an hour after they end."""
    rng = random.Random(seed)
    rows, tid = [], first
    for d in range(days):
        day = _day(start) + timedelta(days=d)
        for _ in range(per_day + rng.randint(-per_day // 5, per_day // 5)):
            began = _moment(day, rng, 6, 22)
            ended = began + timedelta(minutes=rng.randint(3, 55), seconds=rng.randint(0, 59))
            rows.append(
                {
                    "trip_id": tid,
                    "start_station": rng.choice(station_ids),
                    "end_station": rng.choice(station_ids),
                    "started_at": began,
                    "ended_at": ended,
                    "is_member": rng.random() < 0.64,
                    "uploaded_at": ended + timedelta(minutes=rng.randint(2, 60)),
                }
            )
            tid += 1
    rows.sort(key=lambda r: (r["started_at"], r["trip_id"]))
    return _table(rows, TRIP_SCHEMA)


# -- museum visits (PascalCase) ------------------------------------------------------------------------------------
VISIT_SCHEMA = pa.schema(
    [
        ("VisitId", pa.int64()),
        ("GalleryCode", pa.string()),
        ("VisitDate", pa.date32()),
        ("EnteredAt", pa.timestamp("us")),
        ("Channel", pa.string()),
        ("TicketPrice", pa.float64()),
        ("PartySize", pa.int64()),
    ]
)
GALLERIES = ["EGY", "ROM", "IMP", "MOD", "NAT", "ASI", "MED"]


def visits(start: str, days: int, per_day: int, *, seed: int, first: int = 1, channel: str | None = None) -> pa.Table:
    rng = random.Random(seed)
    rows, vid = [], first
    for d in range(days):
        day = _day(start) + timedelta(days=d)
        for _ in range(per_day + rng.randint(-per_day // 5, per_day // 5)):
            party = rng.choices([1, 2, 3, 4, 5], [4, 6, 2, 2, 1])[0]
            rows.append(
                {
                    "VisitId": vid,
                    "GalleryCode": rng.choice(GALLERIES),
                    "VisitDate": day,
                    "EnteredAt": _moment(day, rng, 10, 17),
                    "Channel": channel or rng.choice(["Kiosk", "Web", "Desk"]),
                    "TicketPrice": rng.choice([0.0, 8.5, 12.0, 16.0]),
                    "PartySize": party,
                }
            )
            vid += 1
    return _table(rows, VISIT_SCHEMA)


# -- freight invoices (UPPER_CASE) ------------------------------------------------------------------------------------
INVOICE_SCHEMA = pa.schema(
    [
        ("INV_NO", pa.string()),
        ("CARRIER_CD", pa.string()),
        ("ORIG_CTRY", pa.string()),
        ("DEST_CTRY", pa.string()),
        ("INV_DT", pa.date32()),
        ("INV_AMT", pa.float64()),
        ("CCY", pa.string()),
        ("WEIGHT_KG", pa.float64()),
    ]
)
CARRIER_SCHEMA = pa.schema([("CARRIER_CD", pa.string()), ("CARRIER_NM", pa.string()), ("MODE", pa.string())])
COUNTRIES = [
    ("DE", "DEU", "276"),
    ("FR", "FRA", "250"),
    ("NL", "NLD", "528"),
    ("PL", "POL", "616"),
    ("ES", "ESP", "724"),
    ("IT", "ITA", "380"),
    ("CZ", "CZE", "203"),
    ("SE", "SWE", "752"),
]


def carriers() -> pa.Table:
    rows = [
        ("DHLF", "DHL Freight", "road"),
        ("KNAG", "Kuehne+Nagel", "sea"),
        ("DSVR", "DSV Road", "road"),
        ("GEFC", "Geodis Rail", "rail"),
        ("SCHK", "Schenker Air", "air"),
        ("RHSL", "Rhenus Logistics", "road"),
    ]
    return _table([{"CARRIER_CD": c, "CARRIER_NM": n, "MODE": m} for c, n, m in rows], CARRIER_SCHEMA)


def invoices(
    start: str, days: int, per_day: int, *, seed: int, first: int = 1, currencies: tuple[str, ...] = ("EUR",)
) -> pa.Table:
    rng = random.Random(seed)
    cds = carriers()["CARRIER_CD"].to_pylist()
    iso2 = [c[0] for c in COUNTRIES]
    rows, n = [], first
    for d in range(days):
        day = _day(start) + timedelta(days=d)
        for _ in range(per_day + rng.randint(-per_day // 5, per_day // 5)):
            weight = round(rng.uniform(80, 24000), 1)
            rows.append(
                {
                    "INV_NO": f"FI{n:06d}",
                    "CARRIER_CD": rng.choice(cds),
                    "ORIG_CTRY": rng.choice(iso2),
                    "DEST_CTRY": rng.choice(iso2),
                    "INV_DT": day,
                    "INV_AMT": round(120 + weight * rng.uniform(0.08, 0.3), 2),
                    "CCY": rng.choice(currencies),
                    "WEIGHT_KG": weight,
                }
            )
            n += 1
    return _table(rows, INVOICE_SCHEMA)


def country_codes() -> pa.Table:
    schema = pa.schema([("ISO2", pa.string()), ("ISO3", pa.string()), ("ISO_NUM", pa.string())])
    return _table([{"ISO2": a, "ISO3": b, "ISO_NUM": c} for a, b, c in COUNTRIES], schema)
