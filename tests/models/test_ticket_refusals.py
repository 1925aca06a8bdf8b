"""Refusals: a request the planner cannot map is refused with what it did not understand."""

import pytest


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
