"""Check a codegen split's expected SQL on the sample data, without running any model.

For every request that is not a refusal: the expected SQL runs on the same sample data the benchmark
uses, returns at least one row, returns exactly the declared columns, and no declared column is NULL
on every row (a column that is always NULL cannot tell a right answer from a wrong one). An ordered
request must say ORDER BY. Refusals must not carry expected SQL.

    python benchmarks/codegen/check_expected.py --split tuned_c
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_data import write_bench_data  # noqa: E402
from run import DEFAULT_TRANSACTIONS, SPLITS, _arrow, load_requests  # noqa: E402


def check_split(split: str, data_dir: Path) -> list[str]:
    """Problems found in the split's requests (empty when every request passes)."""
    con = duckdb.connect()
    for name in ("transactions", "customers", "merchants"):
        con.register(name, pq.read_table(data_dir / "raw" / f"{name}.parquet"))
    problems: list[str] = []
    for req in load_requests(split):
        rid = req["id"]
        if req.get("expect") == "refusal":
            if "expected_sql" in req:
                problems.append(f"{rid}: a refusal carries expected_sql")
            print(f"{rid:<40} refusal")
            continue
        try:
            table = _arrow(con, req["expected_sql"])
        except duckdb.Error as exc:
            problems.append(f"{rid}: expected SQL fails: {exc}")
            continue
        declared = sorted(req.get("columns", []))
        if sorted(table.column_names) != declared:
            problems.append(f"{rid}: columns {sorted(table.column_names)} vs declared {declared}")
        if table.num_rows == 0:
            problems.append(f"{rid}: expected SQL returns no rows")
        for name in table.column_names:
            if table.num_rows and table.column(name).null_count == table.num_rows:
                problems.append(f"{rid}: column {name} is NULL on every row")
        if req.get("ordered") and "order by" not in " ".join(req["expected_sql"].lower().split()):
            problems.append(f"{rid}: ordered, but the expected SQL has no ORDER BY")
        print(f"{rid:<40} {req['family']:<15} {table.num_rows:>6} rows")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", required=True, choices=SPLITS)
    parser.add_argument("--transactions", type=int, default=DEFAULT_TRANSACTIONS)
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="codegen-check-"))
    write_bench_data(data_dir / "raw", args.transactions)
    problems = check_split(args.split, data_dir)
    for p in problems:
        print("PROBLEM", p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
