"""Joins: inner or left by the words, text defaults on left-joined columns, per-entity rows with zero
defaults, a possessive column renamed."""


def test_left_join_with_a_default(plan, rows, tables):
    p = plan("Every order with its shop's city. Left join shops on shop_id so no order is lost; city is "
             "'unknown' when the shop is not known. Output order_id and city.",
             tables=(tables["orders"], tables["shops"]), columns=["order_id", "city"])  # fmt: skip
    assert sorted(rows(p)) == sorted(
        [("o1", "Oslo"), ("o1", "Oslo"), ("o2", "Oslo"), ("o3", "Rome"), ("o4", "unknown"), ("o5", "unknown")]
    )


def test_per_entity_count_with_zero_default(plan, rows, tables):
    p = plan("Every shop with how many orders it has, in order_count; zero for shops without orders. Output "
             "shop_id and order_count.", tables=(tables["shops"], tables["orders"]),
             columns=["shop_id", "order_count"])  # fmt: skip
    assert sorted(rows(p)) == [(1, 3), (2, 1), (3, 0)]


def test_a_possessive_column_is_renamed(plan, rows, tables):
    p = plan("Orders per city. Inner join shops on shop_id, so orders of unknown shops are dropped. The "
             "shop's city goes into shop_city. Count the rows as order_count.",
             tables=(tables["orders"], tables["shops"]), columns=["shop_city", "order_count"])  # fmt: skip
    assert sorted(rows(p)) == [("Oslo", 3), ("Rome", 1)]
