"""No test in this folder may reach a network model. Fixtures: a small schema unlike the demo's, with
the imperfections of a real feed, and helpers to plan a description and run it on real DuckDB."""

import duckdb
import pytest
from pydantic_ai import models

from agentic_assets.models.builtin.contracts import ColumnInfo, PlanRefusal, SqlPlan, SqlRequest, TableInfo
from agentic_assets.models.builtin.nl_sql import plan_sql

models.ALLOW_MODEL_REQUESTS = False

# A schema unlike the demo's: no demo name is built into the planner.
ORDERS = TableInfo(
    name="orders",
    columns=[
        ColumnInfo(name="order_id", type="VARCHAR"),
        ColumnInfo(name="shop_id", type="BIGINT"),
        ColumnInfo(name="price", type="DECIMAL(18,2)"),
        ColumnInfo(name="state", type="VARCHAR", samples=["open", "paid", "void"], distinct=3),
        ColumnInfo(name="placed_at", type="TIMESTAMP"),
    ],
)
SHOPS = TableInfo(
    name="shops",
    columns=[
        ColumnInfo(name="shop_id", type="BIGINT"),
        ColumnInfo(name="shop_name", type="VARCHAR"),
        ColumnInfo(name="city", type="VARCHAR", samples=["Oslo", "Rome"], distinct=2),
    ],
    unique_columns=["shop_id"],
)
# o1 is replayed (same id, later, price corrected); shop 9 is unknown; o5 has no shop; o4 is a refund.
ORDERS_SQL = """SELECT * FROM (VALUES
    ('o1', 1, 10.00, 'open', TIMESTAMP '2026-01-03 10:00'),
    ('o1', 1, 12.00, 'paid', TIMESTAMP '2026-01-03 10:05'),
    ('o2', 1, 5.00, 'void', TIMESTAMP '2026-01-04 11:00'),
    ('o3', 2, 700.00, 'paid', TIMESTAMP '2026-02-01 09:00'),
    ('o4', 9, -20.00, 'paid', TIMESTAMP '2026-02-07 09:00'),
    ('o5', NULL, 0.00, 'open', TIMESTAMP '2026-02-08 09:00')
) t(order_id, shop_id, price, state, placed_at)"""
SHOPS_SQL = (
    "SELECT * FROM (VALUES (1, 'North', 'Oslo'), (2, 'South', 'Rome'), (3, 'East', 'Oslo')) t(shop_id, shop_name, city)"
)


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    typed = "order_id, shop_id, CAST(price AS DECIMAL(18,2)) AS price, state, placed_at"
    con.execute(f"CREATE VIEW orders AS SELECT {typed} FROM ({ORDERS_SQL})")
    con.execute(f"CREATE VIEW shops AS {SHOPS_SQL}")
    return con


@pytest.fixture
def plan():
    """plan(description, tables=(ORDERS,), columns=[...]) -> SqlPlan (asserts it is not a refusal)."""

    def _plan(description: str, tables=(ORDERS,), columns=()) -> SqlPlan:
        result = plan_sql(SqlRequest(description=description, tables=list(tables), output_columns=list(columns)))
        assert isinstance(result, SqlPlan), result
        return result

    return _plan


@pytest.fixture
def refusal():
    def _refusal(description: str, tables=(ORDERS,), columns=()) -> str:
        result = plan_sql(SqlRequest(description=description, tables=list(tables), output_columns=list(columns)))
        assert isinstance(result, PlanRefusal), result.sql if isinstance(result, SqlPlan) else result
        return result.reason

    return _refusal


@pytest.fixture
def rows():
    """rows(plan) -> the plan's rows, and rows(sql) -> a hand-written query's rows, on the same data."""

    def _rows(plan_or_sql) -> list[tuple]:
        sql = plan_or_sql.sql if isinstance(plan_or_sql, SqlPlan) else plan_or_sql
        return _connect().execute(sql).fetchall()

    return _rows


@pytest.fixture
def tables():
    return {"orders": ORDERS, "shops": SHOPS}
