"""Window patterns: latest row per key with tie rules, top-N per group with ROW_NUMBER or RANK."""


def test_latest_per_key_with_a_tie_rule(plan, rows):
    p = plan("Orders are replayed. Keep one row per order_id, the latest by placed_at; when copies share "
             "placed_at the higher price wins. Output order_id, price and state.",
             columns=["order_id", "price", "state"])  # fmt: skip
    assert ("o1", 12, "paid") in rows(p) and len(rows(p)) == 5


def test_earliest_per_key(plan, rows):
    p = plan("First order per shop_id by placed_at, ties to the lowest order_id. Output shop_id and order_id.",
             columns=["shop_id", "order_id"])  # fmt: skip
    assert sorted(rows(p), key=str) == sorted([(1, "o1"), (2, "o3"), (9, "o4"), (None, "o5")], key=str)


def test_top_n_per_group_row_number(plan, rows):
    p = plan("The 1 largest order per state by price with ROW_NUMBER, ties by order_id. "
             "Output state, order_id and price.", columns=["state", "order_id", "price"])  # fmt: skip
    assert sorted(rows(p)) == sorted([("open", "o1", 10), ("paid", "o3", 700), ("void", "o2", 5)])


def test_rank_keeps_ties(plan, rows):
    p = plan(
        "Per state keep the orders whose price ranks in the top 1 with RANK. "
        "Output state, order_id, price and price_rank.",
        columns=["state", "order_id", "price", "price_rank"],
    )
    assert "RANK()" in p.sql and all(r[3] == 1 for r in rows(p))


def test_global_top_n_is_ordered(plan, rows):
    p = plan("The 2 shops with the highest total price. Sum price per shop_id as total_price; ties go to the "
             "lower shop_id. Order by total_price descending.", columns=["shop_id", "total_price"])  # fmt: skip
    assert rows(p) == [(2, 700), (1, 27)]


def test_rank_with_ties_kept_names_no_tie_break(plan, rows):
    p = plan("Within each state, the top 1 orders by price, ranked with RANK so that tied orders are all kept; "
             "the rank goes in price_rank. Output state, order_id, price and price_rank.",
             columns=["state", "order_id", "price", "price_rank"])  # fmt: skip
    assert "RANK()" in p.sql and sorted(r[1] for r in rows(p)) == ["o1", "o2", "o3"]


def test_a_superlative_before_an_aggregate_ranks_by_it(plan, rows):
    p = plan("The shop_id with the largest summed price, as total_price, using ROW_NUMBER; ties go to the "
             "lower shop_id. Output shop_id and total_price.", columns=["shop_id", "total_price"])  # fmt: skip
    assert "SUM(price)" in p.sql and rows(p) == [(2, 700)]


def test_replays_of_the_same_key(plan, rows):
    p = plan("Replays of the same order_id collapse to one row: keep the latest copy by placed_at. Output "
             "order_id and state.", columns=["order_id", "state"])  # fmt: skip
    assert sorted(rows(p), key=str)[0] == ("o1", "paid") and len(rows(p)) == 5


def test_keeping_the_one_with_a_larger_value_breaks_ties(plan, rows):
    p = plan("Keep one row per order_id, the latest by placed_at; when two copies share placed_at, keep the "
             "one with the larger price. Output order_id and price.", columns=["order_id", "price"])  # fmt: skip
    assert "price DESC" in p.sql
