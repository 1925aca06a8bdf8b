"""Pivots: one column per value of a small named set, 0 or NULL where a group has none."""


def test_pivot_with_zero_or_null(plan, rows):
    p = plan("State counts per shop_id, one column per state: open_count, paid_count and void_count; NULL "
             "when a shop has none.", columns=["shop_id", "open_count", "paid_count", "void_count"])  # fmt: skip
    assert (2, None, 1, None) in rows(p)


def test_pivot_sums_with_zero(plan, rows):
    p = plan("Price per shop_id split by state: open_price and paid_price sum the price in each state; 0 "
             "when a shop has none.", columns=["shop_id", "open_price", "paid_price"])  # fmt: skip
    assert sorted(rows(p), key=str) == sorted([(1, 10, 12), (2, 0, 700), (9, 0, -20), (None, 0, 0)], key=str)


def test_a_pivot_default_stated_against_the_other_is_read(plan):
    result = plan(
        "Per shop_id, the sum of price for each state in open_price, paid_price and void_price; put 0 rather "
        "than null where a shop has none.",
        columns=["shop_id", "open_price", "paid_price", "void_price"],
    )
    assert "COALESCE(" in result.sql


def test_a_pivot_cell_of_no_known_value_is_refused(refusal):
    reason = refusal(
        "Per shop_id, the sum of price for each state in open_price, paid_price and lost_price.",
        columns=["shop_id", "open_price", "paid_price", "lost_price"],
    )
    assert "lost_price" in reason
