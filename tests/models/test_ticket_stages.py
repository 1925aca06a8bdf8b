"""The order of a composition's stages: a filter before or after keeping one row per key, as the words
state it; copies of one record and a filter on another column with no order stated are refused."""

import pytest

BASE = "Orders without replays. Output order_id, state and price."
LATEST = (
    "SELECT order_id, state, price FROM orders "
    "QUALIFY ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY placed_at DESC) = 1"
)


@pytest.mark.parametrize(
    "rule",
    [
        "Keep the latest copy of each order_id by placed_at, then keep paid orders only.",
        "Keep the latest copy of each order_id by placed_at; after deduplicating, keep paid orders only.",
    ],
)
def test_filter_after_the_deduplication(plan, rows, rule):
    p = plan(f"{BASE} {rule}", columns=["order_id", "state", "price"])
    # o1's latest copy is paid; the filter runs on the deduplicated rows
    assert sorted(rows(p)) == sorted(rows(f"SELECT * FROM ({LATEST}) WHERE state = 'paid'"))


def test_filter_before_the_deduplication(plan, rows):
    p = plan(f"{BASE} Only open orders count; of those, keep the latest copy of each order_id by placed_at.",
             columns=["order_id", "state", "price"])  # fmt: skip
    hand = (
        "SELECT order_id, state, price FROM orders WHERE state = 'open' "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY placed_at DESC) = 1"
    )
    # before: o1's open copy is kept; after, o1 would be dropped (its latest copy is paid)
    assert sorted(rows(p)) == sorted(rows(hand))
    assert ("o1", "open", 10) in [(a, b, int(c)) for a, b, c in rows(p)]


def test_copies_and_a_filter_with_no_order_are_refused(refusal):
    reason = refusal(f"{BASE} Keep the latest copy of each order_id by placed_at; open orders only.",
                     columns=["order_id", "state", "price"])  # fmt: skip
    assert "before or after" in reason


def test_a_filter_on_the_key_itself_has_one_reading(plan):
    p = plan("Orders without replays. Keep the latest copy of each shop_id by placed_at; rows without a shop_id "
             "are dropped. Output shop_id, order_id and price.", columns=["shop_id", "order_id", "price"])  # fmt: skip
    assert "shop_id IS NOT NULL" in p.sql
