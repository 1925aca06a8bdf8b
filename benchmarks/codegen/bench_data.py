"""Sample data for the codegen benchmark: the retail-bank tables with the imperfections of a real feed.

Same schema as the demo sources (specs/sources.yaml), deterministic for a size and seed, with:
- replays: some transactions arrive twice under the same transaction_id, either later (a few minutes
  on, a pending row re-sent as settled) or with the same event_time and a corrected amount;
- missing keys: transactions without customer_id, customers without country, merchants without category;
- unknown ids: customer_id and merchant_id values that no customer or merchant row carries;
- zero and negative amounts (test authorisations and refunds).
The selections are by position (every k-th row), so the same size and seed always give the same rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from agentic_assets.sample_data.retail_bank import DatasetSize, generate

TRANSACTIONS_SQL = """
WITH base AS (SELECT *, row_number() OVER (ORDER BY transaction_id) AS rn FROM clean_transactions),
edited AS (
    SELECT
        transaction_id,
        CASE WHEN rn % 97 = 5 THEN NULL WHEN rn % 89 = 7 THEN 900000 + rn % 13 ELSE customer_id END AS customer_id,
        CASE WHEN rn % 101 = 3 THEN 990000 + rn % 7 ELSE merchant_id END AS merchant_id,
        merchant_subcategory,
        CAST(CASE WHEN rn % 53 = 11 THEN 0 WHEN rn % 31 = 4 THEN -amount ELSE amount END AS DECIMAL(18, 2))
            AS amount,
        currency, event_time, channel, country, status, rn
    FROM base
),
replays AS (
    SELECT
        transaction_id, customer_id, merchant_id, merchant_subcategory,
        CAST(CASE WHEN rn % 2 = 0 THEN amount + 1 ELSE amount END AS DECIMAL(18, 2)) AS amount,
        currency,
        CASE WHEN rn % 2 = 0 THEN event_time ELSE event_time + INTERVAL 7 MINUTE END AS event_time,
        channel, country,
        CASE WHEN status = 'pending' THEN 'settled' ELSE status END AS status,
        rn
    FROM edited
    WHERE rn % 29 = 2
)
SELECT * EXCLUDE (rn)
FROM (SELECT * FROM edited UNION ALL SELECT * FROM replays)
ORDER BY event_time, transaction_id, amount
"""

CUSTOMERS_SQL = """
SELECT customer_id, full_name, email, phone,
       CASE WHEN customer_id % 23 = 0 THEN NULL ELSE country END AS country,
       signup_date, segment_hint
FROM clean_customers ORDER BY customer_id
"""

MERCHANTS_SQL = """
SELECT merchant_id, merchant_name,
       CASE WHEN merchant_id % 17 = 0 THEN NULL ELSE merchant_category END AS merchant_category,
       merchant_subcategory, country
FROM clean_merchants ORDER BY merchant_id
"""


def write_bench_data(raw_dir: Path, transactions: int = 4_000, seed: int = 11) -> dict[str, int]:
    """Write transactions, customers and merchants with feed imperfections under `raw_dir`."""
    generate(raw_dir, DatasetSize(transactions, merchants=60), seed=seed)
    con = duckdb.connect()
    try:
        for name in ("transactions", "customers", "merchants"):
            con.register(f"clean_{name}", pq.read_table(raw_dir / f"{name}.parquet"))
        counts = {}
        for name, sql in (
            ("transactions", TRANSACTIONS_SQL),
            ("customers", CUSTOMERS_SQL),
            ("merchants", MERCHANTS_SQL),
        ):
            result = con.sql(sql).arrow()
            table: pa.Table = result.read_all() if hasattr(result, "read_all") else result
            tmp = raw_dir / f".{name}.parquet.tmp"
            pq.write_table(table, tmp)
            tmp.replace(raw_dir / f"{name}.parquet")
            counts[name] = table.num_rows
        return counts
    finally:
        con.close()
