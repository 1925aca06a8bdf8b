"""Joins with defaults, per-entity rows with zero defaults and bands, pivots, dead-letter splits, refusals."""

import pytest


def test_left_join_with_a_default(plan, rows, tables):
    p = plan("Every order with its shop's city. Left join shops on shop_id so no order is lost; city is "
             "'unknown' when the shop is not known. Output order_id and city.",
             tables=(tables["orders"], tables["shops"]), columns=["order_id", "city"])  # fmt: skip
    assert sorted(rows(p)) == sorted(
        [("o1", "Oslo"), ("o1", "Oslo"), ("o2", "Oslo"), ("o3", "Rome"), ("o4", "unknown"), ("o5", "unknown")]
    )


def test_one_row_per_entity_with_zero_defaults_and_bands(plan, rows, tables):
    p = plan("One row per shop in shops with shop_id, spend (the sum of price of its paid orders) and a tier; "
             "shops without paid orders get 0. The tier goes into tier: 'big' when spend is above 100, "
             "otherwise 'small'.", tables=(tables["shops"], tables["orders"]),
             columns=["shop_id", "spend", "tier"])  # fmt: skip
    assert sorted(rows(p)) == [(1, 12, "small"), (2, 700, "big"), (3, 0, "small")]


def test_pivot_with_zero_or_null(plan, rows):
    p = plan("State counts per shop_id, one column per state: open_count, paid_count and void_count; NULL "
             "when a shop has none.", columns=["shop_id", "open_count", "paid_count", "void_count"])  # fmt: skip
    assert (2, None, 1, None) in rows(p)


def test_dead_letter_rejected_side(plan, rows, tables):
    p = plan("Reject orders with error_reason 'no_shop' when shop_id is missing and 'unknown_shop' when "
             "shop_id is not found in shops, in that order. Output order_id and error_reason.",
             tables=(tables["orders"], tables["shops"]), columns=["order_id", "error_reason"])  # fmt: skip
    assert sorted(rows(p)) == [("o4", "unknown_shop"), ("o5", "no_shop")]


@pytest.mark.parametrize(
    "description",
    [
        "Running total of price per shop_id ordered by placed_at as running_price.",
        "The median price per state as median_price.",
        "Orders whose price is suspicious for their shop. Output order_id.",
    ],
)
def test_refuses_rather_than_guesses(refusal, description):
    assert refusal(description, columns=["order_id"]).startswith("I cannot write this; configure a model")
