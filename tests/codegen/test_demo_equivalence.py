"""The builtin model's SQL for the demo specs yields the same rows as the SQL written by hand before it.

The hand-written SQL is kept here as the expected answer (it was deleted from specs/ once this held).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from agentic_assets.codegen.context import CodegenDeps
from agentic_assets.codegen.samples import describe_tables
from agentic_assets.codegen.validation import validate_candidate
from agentic_assets.materialize.inputs import read_raw
from agentic_assets.models.builtin.contracts import SqlPlan
from agentic_assets.models.builtin.nl_sql import plan_sql
from agentic_assets.specs.loader import load_project

HAND_WRITTEN = {
    "channel_country_daily": """
        SELECT CAST(event_time AS DATE) AS day, channel, country, COUNT(*) AS txn_count, SUM(amount) AS total_amount
        FROM transactions WHERE status = 'settled' GROUP BY CAST(event_time AS DATE), channel, country""",
    "merchant_subcategory_daily_totals": """
        SELECT merchant_subcategory, CAST(event_time AS DATE) AS day, SUM(amount) AS total_amount, COUNT(*) AS txn_count
        FROM transactions GROUP BY merchant_subcategory, CAST(event_time AS DATE)""",
    "monthly_customer_totals": """
        SELECT customer_id, CAST(date_trunc('month', event_time) AS DATE) AS month, SUM(amount) AS total_amount,
               COUNT(*) AS txn_count
        FROM transactions WHERE status = 'settled'
        GROUP BY customer_id, CAST(date_trunc('month', event_time) AS DATE)""",
    "segment_monthly_summary": """
        SELECT s.segment, m.month, COUNT(DISTINCT m.customer_id) AS active_customers,
               SUM(m.total_amount) AS total_amount
        FROM monthly_customer_totals AS m JOIN customer_segments AS s ON s.customer_id = m.customer_id
        GROUP BY s.segment, m.month""",
}
CUSTOMER_SEGMENTS = """
    WITH spend AS (SELECT customer_id, SUM(amount) AS settled_spend, COUNT(*) AS txn_count
                   FROM transactions WHERE status = 'settled' GROUP BY customer_id)
    SELECT c.customer_id, c.country, COALESCE(s.settled_spend, 0) AS settled_spend,
           COALESCE(s.txn_count, 0) AS txn_count,
           CASE WHEN COALESCE(s.settled_spend, 0) > 5000 THEN 'high'
                WHEN COALESCE(s.settled_spend, 0) > 1000 THEN 'medium' ELSE 'low' END AS segment
    FROM customers AS c LEFT JOIN spend AS s ON s.customer_id = c.customer_id"""
HAND_WRITTEN["customer_segments"] = CUSTOMER_SEGMENTS


def _query(sql: str, tables: dict[str, pa.Table]) -> pa.Table:
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    result = con.sql(sql).arrow()
    return result.read_all() if hasattr(result, "read_all") else result


def _rows(table: pa.Table) -> tuple[list[str], Counter]:
    names = sorted(table.column_names)
    cols = [table.column(n).to_pylist() for n in names]
    norm = [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in zip(*cols, strict=True)]
    return names, Counter(norm)


@pytest.mark.parametrize("asset_name", sorted(HAND_WRITTEN))
def test_generated_sql_matches_the_hand_written_rows(settings, asset_name):
    project = load_project(settings)
    raw = {name: read_raw(settings, src).to_table() for name, src in project.raw_sources.items()}
    tables = dict(raw)
    tables["customer_segments"] = _query(CUSTOMER_SEGMENTS, raw)
    tables["monthly_customer_totals"] = _query(HAND_WRITTEN["monthly_customer_totals"], raw)
    asset = project.assets[asset_name]
    inputs = {s: tables[s] for s in asset.spec.sources}
    deps = CodegenDeps(
        spec=asset.spec,
        tables=describe_tables(asset, project, inputs),
        checks_text=asset.checks_text,
        examples=[],
    )
    plan = plan_sql(deps.request())
    assert isinstance(plan, SqlPlan), plan
    assert validate_candidate(plan.sql, deps).ok
    assert _rows(_query(plan.sql, inputs)) == _rows(_query(HAND_WRITTEN[asset_name], inputs))
