"""How long recording the input watermarks takes on a wide input: `python benchmarks/watermarks_speed.py [rows]`.

It builds a transactions-like table (ids, counts, amounts, text codes, and time columns in each written form:
timestamp, date, ISO text, year-month text, epoch seconds) and times `input_watermarks` on it, best of three.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pyarrow as pa

from agentic_assets.materialize.watermarks import input_watermarks


def table(rows: int) -> pa.Table:
    rng = np.random.default_rng(7)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    seconds = np.sort(rng.integers(0, 180 * 86400, rows))
    ts = start + seconds.astype("timedelta64[s]")
    days = ts.astype("datetime64[D]")
    return pa.table(
        {
            "transaction_id": pa.array(np.arange(rows, dtype=np.int64)),
            "customer_id": pa.array(rng.integers(1, 50_000, rows)),
            "items": pa.array(rng.integers(1, 12, rows).astype(np.int32)),
            "amount": pa.array(rng.gamma(2.0, 40.0, rows)),
            "merchant": pa.array(rng.choice(["grocer", "fuel", "travel", "online", "pharmacy"], rows)),
            "currency": pa.array(rng.choice(["EUR", "USD", "GBP"], rows)),
            "booked_at": pa.array(ts.astype("datetime64[us]")),
            "value_date": pa.array(days),
            "posted_text": pa.array(np.datetime_as_string(ts, unit="s")),
            "period": pa.array(np.datetime_as_string(ts.astype("datetime64[M]"), unit="M")),
            "epoch_s": pa.array(seconds + int(start.astype(np.int64))),
        }
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    data = table(rows)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        marks = input_watermarks({"transactions": data})
        best = min(best, time.perf_counter() - t0)
    found = sorted((m.column, m.grain, m.partitioned) for m in marks["transactions"])
    print(f"rows={rows} columns={data.num_columns} best_of_3={best:.3f}s time_columns={found}")


if __name__ == "__main__":
    main()
