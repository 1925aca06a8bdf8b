"""Dead-letter splits: the rejected side with the first broken rule as its reason, the valid side."""


def test_dead_letter_rejected_side(plan, rows, tables):
    p = plan("Reject orders with error_reason 'no_shop' when shop_id is missing and 'unknown_shop' when "
             "shop_id is not found in shops, in that order. Output order_id and error_reason.",
             tables=(tables["orders"], tables["shops"]), columns=["order_id", "error_reason"])  # fmt: skip
    assert sorted(rows(p)) == [("o4", "unknown_shop"), ("o5", "no_shop")]


def test_dead_letter_valid_side(plan, rows):
    p = plan("Only clean rows pass. Orders whose shop_id is missing or whose price is negative are dropped; "
             "those are dead-lettered elsewhere. Output order_id and price.",
             columns=["order_id", "price"])  # fmt: skip
    assert sorted(rows(p)) == [("o1", 10), ("o1", 12), ("o2", 5), ("o3", 700)]
