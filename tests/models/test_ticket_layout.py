"""Layout: ordering as the words state it, rounding, a plain top-N as ORDER BY and LIMIT."""


def test_order_from_highest_to_lowest_with_rounding_in_words(plan, rows):
    p = plan("Average price per state, rounded to one decimal place, as avg_price, sorted by avg_price from "
             "highest to lowest.", columns=["state", "avg_price"])  # fmt: skip
    assert rows(p) == [("paid", 230.7), ("void", 5.0), ("open", 5.0)] or rows(p) == [
        ("paid", 230.7), ("open", 5.0), ("void", 5.0)
    ]  # fmt: skip
    assert "ORDER BY avg_price DESC" in p.sql


def test_plain_top_n_is_order_and_limit(plan, rows):
    p = plan("The 2 smallest prices, ties broken by order_id. Output order_id and price, ordered by price "
             "ascending.", columns=["order_id", "price"])  # fmt: skip
    assert rows(p) == [("o4", -20), ("o5", 0)] and "LIMIT 2" in p.sql
