"""A deterministic retail-bank data set: customers, merchants and their card transactions.

The same seed and size always give the same rows, so tests and benchmarks compare like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SUBCATEGORIES = {
    "groceries": ["supermarket", "bakery", "butcher"],
    "travel": ["airline", "hotel", "rail", "car_rental"],
    "dining": ["restaurant", "cafe", "fast_food"],
    "retail": ["clothing", "electronics", "books", "home_goods"],
    "services": ["utilities", "telecom", "insurance"],
}
COUNTRIES = ["GB", "FR", "DE", "ES", "IT", "NL", "BE", "IE"]
CURRENCY_OF = {"GB": "GBP"}
CHANNELS = ["card_present", "online", "contactless", "atm"]
STATUSES = ["settled", "pending", "reversed"]
SEGMENT_HINTS = ["mass", "affluent", "private"]
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jon", "Kira", "Luca"]
LAST = ["Smith", "Martin", "Muller", "Garcia", "Rossi", "de Vries", "Peeters", "Murphy", "Dubois"]
START = datetime(2026, 1, 1)


@dataclass(frozen=True)
class DatasetSize:
    transactions: int = 200_000
    customers: int | None = None
    merchants: int | None = None

    @property
    def n_customers(self) -> int:
        return self.customers or max(50, self.transactions // 40)

    @property
    def n_merchants(self) -> int:
        return self.merchants or max(20, min(5_000, self.transactions // 200))


def customers_table(size: DatasetSize, rng: np.random.Generator) -> pa.Table:
    n = size.n_customers
    ids = np.arange(1, n + 1, dtype=np.int64)
    first = rng.choice(FIRST, n)
    last = rng.choice(LAST, n)
    names = [f"{f} {s}" for f, s in zip(first, last, strict=True)]
    emails = [
        f"{f.lower()}.{s.lower().replace(' ', '')}{i}@example.com" for f, s, i in zip(first, last, ids, strict=True)
    ]
    phones = [f"+44 7{int(x):09d}" for x in rng.integers(0, 10**9, n)]
    signup = [START - timedelta(days=int(d)) for d in rng.integers(30, 3650, n)]
    return pa.table(
        {
            "customer_id": pa.array(ids),
            "full_name": pa.array(names),
            "email": pa.array(emails),
            "phone": pa.array(phones),
            "country": pa.array(rng.choice(COUNTRIES, n, p=[0.3, 0.15, 0.15, 0.1, 0.1, 0.08, 0.07, 0.05])),
            "signup_date": pa.array([d.date() for d in signup], pa.date32()),
            "segment_hint": pa.array(rng.choice(SEGMENT_HINTS, n, p=[0.8, 0.17, 0.03])),
        }
    )


def merchants_table(size: DatasetSize, rng: np.random.Generator) -> pa.Table:
    n = size.n_merchants
    categories = rng.choice(list(SUBCATEGORIES), n)
    subcats = [rng.choice(SUBCATEGORIES[c]) for c in categories]
    return pa.table(
        {
            "merchant_id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
            "merchant_name": pa.array([f"{s.replace('_', ' ').title()} #{i}" for i, s in enumerate(subcats, 1)]),
            "merchant_category": pa.array(categories),
            "merchant_subcategory": pa.array(subcats),
            "country": pa.array(rng.choice(COUNTRIES, n)),
        }
    )


def transactions_table(
    size: DatasetSize, merchants: pa.Table, customers: pa.Table, rng: np.random.Generator
) -> pa.Table:
    n = size.transactions
    merchant_idx = rng.integers(0, merchants.num_rows, n)
    customer_idx = rng.zipf(1.3, n) % customers.num_rows  # a few customers spend a lot
    merchant_ids = merchants.column("merchant_id").to_numpy()[merchant_idx]
    subcats = np.asarray(merchants.column("merchant_subcategory").to_pylist(), dtype=object)[merchant_idx]
    countries = np.asarray(merchants.column("country").to_pylist(), dtype=object)[merchant_idx]
    cents = np.round(rng.lognormal(mean=3.4, sigma=1.1, size=n) * 100).astype(np.int64) + 50
    seconds = np.sort(rng.integers(0, 180 * 86_400, n))
    event_time = np.datetime64(START, "us") + seconds.astype("timedelta64[s]").astype("timedelta64[us]")
    amount = pa.array([Decimal(int(c)).scaleb(-2) for c in cents], pa.decimal128(18, 2))
    return pa.table(
        {
            "transaction_id": pa.array([f"T{i:010d}" for i in range(1, n + 1)]),
            "customer_id": pa.array(customers.column("customer_id").to_numpy()[customer_idx]),
            "merchant_id": pa.array(merchant_ids),
            "merchant_subcategory": pa.array(subcats.tolist(), pa.string()),
            "amount": amount,
            "currency": pa.array([CURRENCY_OF.get(c, "EUR") for c in countries]),
            "event_time": pa.array(event_time, pa.timestamp("us")),
            "channel": pa.array(rng.choice(CHANNELS, n, p=[0.35, 0.35, 0.25, 0.05])),
            "country": pa.array(countries.tolist(), pa.string()),
            "status": pa.array(rng.choice(STATUSES, n, p=[0.9, 0.07, 0.03])),
        }
    )


def generate(raw_dir: Path, size: DatasetSize = DatasetSize(), seed: int = 7) -> dict[str, int]:
    """Write customers, merchants and transactions as Parquet under `raw_dir`; return row counts."""
    rng = np.random.default_rng(seed)
    raw_dir.mkdir(parents=True, exist_ok=True)
    customers = customers_table(size, rng)
    merchants = merchants_table(size, rng)
    transactions = transactions_table(size, merchants, customers, rng)
    counts = {}
    for name, table in (("customers", customers), ("merchants", merchants), ("transactions", transactions)):
        tmp = raw_dir / f".{name}.parquet.tmp"
        pq.write_table(table, tmp)
        tmp.replace(raw_dir / f"{name}.parquet")  # atomic: a reader never sees half a file
        counts[name] = table.num_rows
    return counts
