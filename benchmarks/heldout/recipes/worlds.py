"""The held-out split's worlds: small seeded tables of domains the tuned set does not use.

Each world is a class whose methods return rows (lists of dicts) in a fixed order for a seed, so a
case can take a table, change it the way an upstream system would, and keep the rest. Distributions
differ from the tuned generator on purpose: Zipf-like carriers and titles, weekly seasonality,
integer cents, codes with check letters.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

Row = dict[str, Any]


def zipf_choice(rng: random.Random, items: list[Any], s: float = 1.2) -> Any:
    """A Zipf-weighted pick: a few items dominate, as carriers, titles and stops do."""
    weights = [1.0 / (rank + 1) ** s for rank in range(len(items))]
    return rng.choices(items, weights=weights, k=1)[0]


def moments(rng: random.Random, n: int, start: dt.datetime, hours: float) -> list[dt.datetime]:
    """n moments in [start, start + hours), busier on weekdays, to the second, sorted."""
    out = []
    while len(out) < n:
        moment = start + dt.timedelta(seconds=rng.randrange(int(hours * 3600)))
        if moment.weekday() < 5 or rng.random() < 0.5:
            out.append(moment)
    return sorted(out)


class Aviation:
    CARRIERS = ["LH", "AF", "KL", "BA", "IB", "SK", "AY"]
    AIRPORTS = [
        ("FRA", "Frankfurt", "DE", "DEU"), ("CDG", "Paris", "FR", "FRA"), ("AMS", "Amsterdam", "NL", "NLD"),
        ("LHR", "London", "GB", "GBR"), ("MAD", "Madrid", "ES", "ESP"), ("CPH", "Copenhagen", "DK", "DNK"),
        ("HEL", "Helsinki", "FI", "FIN"), ("VIE", "Vienna", "AT", "AUT"),
    ]  # fmt: skip

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def airports(self) -> list[Row]:
        return [{"iata": a, "city": c, "country_iso2": i2, "country_iso3": i3} for a, c, i2, i3 in self.AIRPORTS]

    def flights(self, n: int, start: dt.datetime, hours: float, first_id: int = 40_000) -> list[Row]:
        rng, codes = self.rng, [a[0] for a in self.AIRPORTS]
        rows = []
        for i, moment in enumerate(moments(rng, n, start, hours)):
            origin = zipf_choice(rng, codes)
            dest = rng.choice([c for c in codes if c != origin])
            seats = rng.choice([150, 180, 189, 220])
            status = rng.choices(["landed", "cancelled", "diverted"], weights=[90, 7, 3])[0]
            rows.append(
                {
                    "flight_id": first_id + i,
                    "carrier": zipf_choice(rng, self.CARRIERS),
                    "origin": origin,
                    "dest": dest,
                    "sched_dep": moment,
                    "dep_delay_min": max(-10, int(rng.expovariate(1 / 14)) - 5),
                    "status": status,
                    "seats": seats,
                    "pax": 0 if status == "cancelled" else rng.randint(seats // 2, seats),
                }
            )
        return rows


class Healthcare:
    CLINICS = [("C01", "north", 40), ("C02", "north", 22), ("C03", "coast", 65), ("C04", "valley", 18),
               ("C05", "coast", 30)]  # fmt: skip
    DIAGNOSES = ["J06.9", "I10", "E11.9", "M54.5", "K21.9", "F41.1", "R51", "N39.0"]

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def clinics(self) -> list[Row]:
        return [{"clinic_code": c, "region": r, "beds": b} for c, r, b in self.CLINICS]

    def visits(self, n: int, start: dt.datetime, hours: float, first_id: int = 1) -> list[Row]:
        rng = self.rng
        return [
            {
                "visit_id": f"V{first_id + i:07d}",
                "patient_id": rng.randrange(20_000, 29_999),
                "clinic_code": zipf_choice(rng, [c[0] for c in self.CLINICS], 0.8),
                "visit_at": moment,
                "diagnosis": zipf_choice(rng, self.DIAGNOSES, 0.9),
                "sex": rng.choice(["F", "M"]),
                "cost_cents": rng.randrange(2_000, 60_000, 50),
            }
            for i, moment in enumerate(moments(rng, n, start, hours))
        ]


class Education:
    COURSES = [("MATH101", "science", 1), ("PHYS110", "science", 1), ("HIST210", "humanities", 2),
               ("ECON220", "social", 2), ("CHEM305", "science", 3), ("LING330", "humanities", 3)]  # fmt: skip

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def courses(self) -> list[Row]:
        return [{"course_code": c, "faculty": f, "level": lv} for c, f, lv in self.COURSES]

    def enrolments(self, n: int, term: str, first_id: int = 900_000) -> list[Row]:
        rng = self.rng
        return [
            {
                "enrolment_id": first_id + i,
                "student_id": rng.randrange(100_000, 100_400),
                "course_code": rng.choice([c[0] for c in self.COURSES]),
                "term": term,
                "credits": rng.choice([3, 4, 5, 6]),
                "score": rng.randint(35, 100),
            }
            for i in range(n)
        ]


class Hospitality:
    HOTELS = [(11, "Lisbon", 4), (12, "Porto", 3), (13, "Seville", 5), (14, "Valencia", 4), (15, "Bilbao", 3)]
    CHANNELS = ["direct", "ota", "agency", "corporate"]

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def hotels(self) -> list[Row]:
        return [{"hotel_id": h, "city": c, "stars": s} for h, c, s in self.HOTELS]

    def bookings(self, n: int, start: dt.datetime, hours: float, first_id: int = 70_000) -> list[Row]:
        rng = self.rng
        rows = []
        for i, moment in enumerate(moments(rng, n, start, hours)):
            rows.append(
                {
                    "booking_ref": f"BK{first_id + i}",
                    "hotel_id": rng.choice(self.HOTELS)[0],
                    "room_no": rng.randint(101, 140),
                    "booked_at": moment,
                    "check_in": (moment + dt.timedelta(days=rng.randint(1, 60))).date(),
                    "nights": rng.choice([1, 1, 2, 2, 3, 4, 7]),
                    "rate_eur": round(rng.uniform(60, 340), 2),
                    "channel": zipf_choice(rng, self.CHANNELS),
                }
            )
        return rows


class Transit:
    LINES = ["L1", "L2", "L3", "T4", "T5"]

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def stops(self, n: int = 24) -> list[Row]:
        return [{"stop_id": 3000 + i, "zone": 1 + i % 3, "line": self.LINES[i % len(self.LINES)]} for i in range(n)]

    def taps(self, n: int, start: dt.datetime, hours: float, first_id: int = 5_000_000) -> list[Row]:
        rng = self.rng
        return [
            {
                "tap_id": first_id + i,
                "card_id": rng.randrange(800_000, 800_600),
                "stop_id": 3000 + zipf_choice(rng, list(range(24)), 0.7),
                "tapped_at": moment,
                "fare_cents": rng.choice([180, 240, 320, 410]),
            }
            for i, moment in enumerate(moments(rng, n, start, hours))
        ]


class Streaming:
    GENRES = ["drama", "comedy", "documentary", "kids", "thriller"]

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def titles(self, n: int = 30) -> list[Row]:
        rng = self.rng
        return [
            {"title_id": 10_000 + i, "genre": self.GENRES[i % 5], "runtime_s": rng.randrange(1200, 7200, 60)}
            for i in range(n)
        ]

    def plays(self, n: int, start: dt.datetime, hours: float, users: int = 300, first_id: int = 1) -> list[Row]:
        rng = self.rng
        return [
            {
                "play_id": first_id + i,
                "user_id": rng.randrange(50_000, 50_000 + users),
                "title_id": 10_000 + zipf_choice(rng, list(range(30)), 1.0),
                "started_at": moment,
                "watched_s": rng.randrange(30, 5400),
                "country": zipf_choice(rng, ["DE", "FR", "NL", "ES", "IT"], 0.9),
            }
            for i, moment in enumerate(moments(rng, n, start, hours))
        ]


class Agriculture:
    CROPS = ["wheat", "barley", "rapeseed", "maize", "oats"]

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def fields(self, n: int = 20) -> list[Row]:
        rng = self.rng
        return [
            {"field_id": f"F-{i:03d}", "farm": f"farm_{1 + i % 4}", "hectares": round(rng.uniform(3, 48), 1)}
            for i in range(n)
        ]

    def harvests(self, n: int, start: dt.date, days: int, fields: int = 20, first_id: int = 1) -> list[Row]:
        rng = self.rng
        return [
            {
                "lot_id": f"LOT{first_id + i:05d}",
                "field_id": f"F-{rng.randrange(fields):03d}",
                "crop": rng.choice(self.CROPS),
                "harvested_on": start + dt.timedelta(days=rng.randrange(days)),
                "weight_kg": round(rng.uniform(800, 24_000), 1),
                "moisture_pct": round(rng.uniform(9, 19), 1),
            }
            for i in range(n)
        ]


class RealEstate:
    CITIES = ["Leipzig", "Dresden", "Graz", "Linz", "Basel", "Bern"]

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def listings(self, n: int, start: dt.date, days: int, first_id: int = 600) -> list[Row]:
        rng = self.rng
        rows = []
        for i in range(n):
            area = rng.randrange(28, 180)
            rows.append(
                {
                    "listing_id": first_id + i,
                    "agent_id": rng.randrange(1, 25),
                    "city": rng.choice(self.CITIES),
                    "listed_on": start + dt.timedelta(days=rng.randrange(days)),
                    "price_eur": area * rng.randrange(2_400, 6_800, 100),
                    "floor_area_m2": area,
                    "rooms": max(1, area // 28),
                }
            )
        return rows


class Pharma:
    SITES = [(1, "Basel"), (2, "Cork"), (3, "Leverkusen"), (4, "Sandwich")]
    PRODUCTS = ["amoxicillin", "ibuprofen", "metformin", "omeprazole"]

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def sites(self) -> list[Row]:
        return [{"site_id": s, "site_name": n} for s, n in self.SITES]

    def batches(self, n: int, start: dt.datetime, hours: float, first_id: int = 2_000) -> list[Row]:
        rng = self.rng
        return [
            {
                "batch_id": first_id + i,
                "site_id": rng.choice(self.SITES)[0],
                "product": rng.choice(self.PRODUCTS),
                "started_at": moment,
                "yield_pct": round(rng.uniform(86, 99.5), 2),
                "temp_c": round(rng.uniform(18, 24), 1),
            }
            for i, moment in enumerate(moments(rng, n, start, hours))
        ]
