"""The built-in planner on schemas it has never seen: no demo names are built in."""

import duckdb
import pytest

from agentic_assets.models.builtin.contracts import ColumnInfo, PlanRefusal, SqlPlan, SqlRequest, TableInfo
from agentic_assets.models.builtin.nl_sql import plan_sql

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
        ColumnInfo(name="shop_city", type="VARCHAR"),
    ],
    unique_columns=["shop_id"],
)
DATA = {
    "orders": "SELECT * FROM (VALUES ('o1', 1, 10.50::DECIMAL(18,2), 'paid', TIMESTAMP '2026-01-03 10:00'),"
    " ('o2', 1, 5.00::DECIMAL(18,2), 'void', TIMESTAMP '2026-01-04 11:00'),"
    " ('o3', 2, 700.00::DECIMAL(18,2), 'paid', TIMESTAMP '2026-02-01 09:00'))"
    " t(order_id, shop_id, price, state, placed_at)",
    "shops": "SELECT * FROM (VALUES (1, 'North', 'Oslo'), (2, 'South', 'Rome')) t(shop_id, shop_name, shop_city)",
}


def _run(plan: SqlPlan) -> list[tuple]:
    con = duckdb.connect()
    for name, sql in DATA.items():
        con.execute(f"CREATE VIEW {name} AS {sql}")
    return con.execute(plan.sql).fetchall()


def _plan(description, tables=(ORDERS,), **kw) -> SqlPlan:
    plan = plan_sql(SqlRequest(description=description, tables=list(tables), **kw))
    assert isinstance(plan, SqlPlan), plan
    return plan


def test_monthly_aggregation_with_a_value_filter():
    plan = _plan("Monthly total price and number of orders per shop, only paid orders.")
    assert plan.columns == ["month", "shop_id", "total_price", "order_count"]
    assert "state = 'paid'" in plan.sql
    assert sorted(_run(plan)) == sorted([(__import__("datetime").date(2026, 1, 1), 1, 10.5, 1),
                                         (__import__("datetime").date(2026, 2, 1), 2, 700, 1)])  # fmt: skip


def test_join_with_threshold():
    plan = _plan("Orders of 100 or more with their shop's name and city.", tables=(ORDERS, SHOPS))
    assert "price >= 100" in plan.sql and "JOIN shops" in plan.sql
    assert [r[0] for r in _run(plan)] == ["o3"]


def test_dedupe_latest():
    plan = _plan("The latest order per shop.")
    assert sorted(r[0] for r in _run(plan)) == ["o2", "o3"]


def test_names_follow_the_checks():
    plan = _plan("Daily count of orders per shop.", check_columns=["shop_id", "day", "orders_placed"])
    assert "orders_placed" in plan.columns


@pytest.mark.parametrize(
    "description",
    [
        "Median price per shop.",
        "Orders where the customer was happy.",
        "Something about weather in the shop's region.",
    ],
)
def test_refuses_what_it_cannot_map(description):
    plan = plan_sql(SqlRequest(description=description, tables=[ORDERS]))
    assert isinstance(plan, PlanRefusal)
    assert plan.reason.startswith("I cannot write this; configure a model")
