"""Readings of ticket prose, one kind each: the rule is read from the words however they are put, and
what cannot hold together is refused. Every planned query is run on the fixture's DuckDB tables and
compared with a hand-written one."""

import pytest

from tests.models.conftest import ORDERS, SHOPS

BOTH = (ORDERS, SHOPS)
SHOPS_FIRST = (SHOPS, ORDERS)


def _same(rows, result, sql: str) -> None:
    assert sorted(rows(result), key=str) == sorted(rows(sql), key=str)


@pytest.mark.parametrize(
    ("description", "columns", "tables", "expected"),
    [
        # 'never' negates the value beside it
        (
            "Orders that never got paid. Output order_id and state.",
            ["order_id", "state"],
            (ORDERS,),
            "SELECT order_id, state FROM orders WHERE state <> 'paid'",
        ),
        # a size with no column before it sizes the one measure; numbers in words of several tokens
        (
            "Paid orders for more than one hundred (strictly above 100). Output order_id and price.",
            ["order_id", "price"],
            (ORDERS,),
            "SELECT order_id, price FROM orders WHERE state = 'paid' AND price > 100",
        ),
        # a date written in words
        (
            "Orders placed before 1 February 2026. Output order_id and placed_at.",
            ["order_id", "placed_at"],
            (ORDERS,),
            "SELECT order_id, placed_at FROM orders WHERE placed_at < TIMESTAMP '2026-02-01'",
        ),
        # the key said to repeat is the reason for keeping one row per it; a tie stated with 'the same'
        (
            "order_id is not unique in the feed. Keep the latest row per order_id by placed_at; if two rows have "
            "the same placed_at take the higher price. Output order_id, price and state.",
            ["order_id", "price", "state"],
            (ORDERS,),
            "SELECT order_id, price, state FROM orders QUALIFY ROW_NUMBER() OVER (PARTITION BY order_id "
            "ORDER BY placed_at DESC, price DESC) = 1",
        ),
        # a grain among the grouping keys
        (
            "Sum price per calendar month and shop_id as total_price; the month is the first day of the month of "
            "placed_at, in a column month.",
            ["month", "shop_id", "total_price"],
            (ORDERS,),
            "SELECT CAST(date_trunc('month', placed_at) AS DATE) AS month, shop_id, SUM(price) AS total_price "
            "FROM orders GROUP BY 1, 2",
        ),
        # a period's number within another
        (
            "Count the rows per hour of the day, 0 to 23 from placed_at, as n_orders. Columns hour_of_day and "
            "n_orders.",
            ["hour_of_day", "n_orders"],
            (ORDERS,),
            "SELECT hour(placed_at) AS hour_of_day, COUNT(*) AS n_orders FROM orders GROUP BY 1",
        ),
        # pivot cells named by a bare value, counted as the words say; the number of cells restated
        (
            "For each shop_id count the open, paid and void orders, as three columns named open, paid and void.",
            ["shop_id", "open", "paid", "void"],
            (ORDERS,),
            "SELECT shop_id, COUNT(*) FILTER (WHERE state = 'open') AS open, COUNT(*) FILTER (WHERE state = 'paid') "
            "AS paid, COUNT(*) FILTER (WHERE state = 'void') AS void FROM orders GROUP BY 1",
        ),
        # a text default on a joined column in other words, on a left join said as 'every order row'
        (
            "Every order row with its shop's shop_name. When the shop_id is not in shops, shop_name should read "
            "'unknown shop'. Output order_id and shop_name.",
            ["order_id", "shop_name"],
            BOTH,
            "SELECT o.order_id, COALESCE(s.shop_name, 'unknown shop') AS shop_name FROM orders o "
            "LEFT JOIN shops s ON s.shop_id = o.shop_id",
        ),
        # an output name that spells a source's column ('shop_city' is the city of shops)
        (
            "Join orders to shops on shop_id. Output order_id and shop_city.",
            ["order_id", "shop_city"],
            BOTH,
            "SELECT o.order_id, s.city AS shop_city FROM orders o JOIN shops s ON s.shop_id = o.shop_id",
        ),
        # rows lacking a value that stay in with a NULL are no rule
        (
            "Join orders to shops on shop_id. Orders with no price stay in, under a NULL price. Output order_id "
            "and shop_name.",
            ["order_id", "shop_name"],
            BOTH,
            "SELECT o.order_id, s.shop_name FROM orders o JOIN shops s ON s.shop_id = o.shop_id",
        ),
        # the latest time of the facts per entity, NULL for the entities with none
        (
            "All shops, each with the time of their most recent paid order as last_paid_at, NULL for any shop that "
            "never had a paid order. shop_id, last_paid_at.",
            ["shop_id", "last_paid_at"],
            SHOPS_FIRST,
            "SELECT s.shop_id, MAX(o.placed_at) FILTER (WHERE o.state = 'paid') AS last_paid_at FROM shops s "
            "LEFT JOIN orders o ON o.shop_id = s.shop_id GROUP BY 1",
        ),
        # a plain top-N keeps the stated order, ties included
        (
            "The 2 biggest orders by price. Order by price descending, then order_id ascending. Columns order_id "
            "and price.",
            ["order_id", "price"],
            (ORDERS,),
            "SELECT order_id, price FROM orders ORDER BY price DESC, order_id LIMIT 2",
        ),
    ],
)
def test_a_reading(plan, rows, description, columns, tables, expected):
    _same(rows, plan(description, tables=tables, columns=columns), expected)


def test_contradictory_conditions_are_refused(refusal):
    reason = refusal(
        "For each shop in shops the total paid price as paid_price; shops that have a paid order and not paid orders.",
        tables=SHOPS_FIRST,
        columns=["shop_id", "paid_price"],
    )
    assert reason


def test_a_name_that_says_another_aggregate_is_refused(refusal):
    reason = refusal("Sum price per shop_id as avg_price.", columns=["shop_id", "avg_price"])
    assert "avg_price" in reason


def test_a_deduplication_keys_stop_at_the_next_stage(plan):
    result = plan(
        "First keep the latest row per order_id by placed_at. Then for each shop_id count the rows as n_orders.",
        columns=["shop_id", "n_orders"],
    )
    assert "PARTITION BY order_id ORDER BY" in result.sql


def test_a_dead_letter_with_sizes_and_a_load_time(plan, rows):
    result = plan(
        "Reject every order whose price is zero or negative. reason is 'zero_price' for exactly 0 and "
        "'negative_price' for anything below 0. Output order_id, reason and rejected_at, the load timestamp.",
        columns=["order_id", "reason", "rejected_at"],
    )
    got = [r[:2] for r in rows(result)]
    assert sorted(got) == [("o4", "negative_price"), ("o5", "zero_price")]


def test_a_median_with_its_even_count_rule_is_written(plan, rows):
    result = plan(
        "Median price per shop_id; with an even number of rows take the average of the two middle values. "
        "Round to 2 decimals and call it median_price.",
        columns=["shop_id", "median_price"],
    )
    _same(rows, result, "SELECT shop_id, ROUND(quantile_cont(price, 0.5), 2) AS median_price FROM orders GROUP BY 1")


def test_a_median_without_its_even_count_rule_is_refused(refusal):
    reason = refusal(
        "The median price per shop_id as median_price. Paid orders only.", columns=["shop_id", "median_price"]
    )
    assert "median" in reason


def test_cells_defined_by_their_conditions(plan, rows):
    result = plan(
        "Per shop_id, two counts side by side: sales (price above zero) and refunds (price below zero).",
        columns=["shop_id", "sales", "refunds"],
    )
    expected = (
        "SELECT shop_id, COUNT(*) FILTER (WHERE price > 0) AS sales, COUNT(*) FILTER (WHERE price < 0) AS refunds "
        "FROM orders GROUP BY 1"
    )
    _same(rows, result, expected)


def test_a_dead_letter_rule_looked_up_by_its_key(plan, rows):
    result = plan(
        "Route orders that can't be tied to a shop into a dead-letter table. A row is rejected with reason "
        "'no_shop' when shop_id is null, and with reason 'unknown_shop' when its id is not in the shops table. "
        "Output only the rejected rows: order_id and reason.",
        tables=BOTH,
        columns=["order_id", "reason"],
    )
    assert sorted(rows(result)) == [("o4", "unknown_shop"), ("o5", "no_shop")]


def test_an_inner_join_restated_in_a_parenthesis(plan, rows):
    result = plan(
        "Sum price per shop_id and join to shops for the name (ids not in shops can't be named). Output shop_id, "
        "shop_name and total_price.",
        tables=BOTH,
        columns=["shop_id", "shop_name", "total_price"],
    )
    expected = (
        "SELECT o.shop_id, s.shop_name, SUM(o.price) AS total_price FROM orders o JOIN shops s "
        "ON s.shop_id = o.shop_id GROUP BY 1, 2"
    )
    _same(rows, result, expected)


def test_an_other_cell_says_where_rows_with_no_value_go(plan, rows, refusal):
    result = plan(
        "Order counts pivoted, one row per shop_id. Columns open and paid hold the number of orders in those two "
        "states, and other counts everything else, orders with no state included.",
        columns=["shop_id", "open", "paid", "other"],
    )
    expected = (
        "SELECT shop_id, COUNT(*) FILTER (WHERE state = 'open') AS open, COUNT(*) FILTER (WHERE state = 'paid') "
        "AS paid, COUNT(*) FILTER (WHERE state IS NULL OR state NOT IN ('open', 'paid')) AS other FROM orders "
        "GROUP BY 1"
    )
    _same(rows, result, expected)
    reason = refusal(
        "Order counts pivoted, one row per shop_id. Columns open and paid hold the number of orders in those two "
        "states, and other counts everything else.",
        columns=["shop_id", "open", "paid", "other"],
    )
    assert "other" in reason


def test_signs_under_a_verb_before_their_parenthesis(plan, rows):
    result = plan(
        "Take paid orders and leave out refunds (negative prices) as well as the zero-value test orders. Output "
        "order_id and price.",
        columns=["order_id", "price"],
    )
    _same(rows, result, "SELECT order_id, price FROM orders WHERE state = 'paid' AND price > 0")


def test_the_largest_of_negative_values_is_refused_unless_said_of_the_column(plan, refusal):
    reason = refusal(
        "The 2 largest refunds (negative prices), most negative first. Return order_id and price.",
        columns=["order_id", "price"],
    )
    assert "negative" in reason
    result = plan(
        "Keep only rows whose price is negative, then keep the 2 smallest prices with ROW_NUMBER, ties broken by "
        "order_id. Output order_id and price.",
        columns=["order_id", "price"],
    )
    assert "ORDER BY price ASC" in result.sql


def test_a_fiscal_quarter_number_needs_only_the_starting_month(plan, rows, refusal):
    result = plan(
        "Totals by fiscal quarter. Our fiscal year starts in April, so April to June is fiscal quarter 1. Put the "
        "fiscal quarter number of placed_at in fiscal_quarter and sum price as total_price.",
        columns=["fiscal_quarter", "total_price"],
    )
    expected = (
        "SELECT ((month(placed_at) + 8) % 12) // 3 + 1 AS fiscal_quarter, SUM(price) AS total_price FROM orders "
        "GROUP BY 1"
    )
    _same(rows, result, expected)
    reason = refusal(
        "Totals by fiscal quarter. Put the fiscal quarter number of placed_at in fiscal_quarter and sum price as "
        "total_price.",
        columns=["fiscal_quarter", "total_price"],
    )
    assert "fiscal" in reason
