"""Measures read from the words around an output name, with rounding."""


def test_names_defined_before_and_after(plan, rows):
    p = plan(
        "Per state, sum price into total_price and count the rows into order_count. "
        "avg_price (the average price, rounded to 1 decimal) completes it.",
        columns=["state", "total_price", "order_count", "avg_price"],
    )
    hand = "SELECT state, SUM(price), COUNT(*), ROUND(AVG(price), 1) FROM orders GROUP BY 1"
    assert sorted(rows(p)) == sorted(rows(hand))


def test_two_names_share_one_phrase(plan, rows):
    p = plan("Per state, the smallest and the largest price as min_price and max_price.",
             columns=["state", "min_price", "max_price"])  # fmt: skip
    assert sorted(rows(p)) == sorted(rows("SELECT state, MIN(price), MAX(price) FROM orders GROUP BY 1"))


def test_distinct_count_and_whole_units(plan, rows):
    p = plan("Shops per state. Count distinct shop_id as shops_seen; total_price is the sum of price "
             "rounded to whole units.", columns=["state", "shops_seen", "total_price"])  # fmt: skip
    hand = "SELECT state, COUNT(DISTINCT shop_id), ROUND(SUM(price), 0) FROM orders GROUP BY 1"
    assert sorted(rows(p)) == sorted(rows(hand))
