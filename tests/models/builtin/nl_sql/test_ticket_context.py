"""Words of a ticket that carry no rule: context about who asked and why, occasions dated by a grain
('for the quarterly review'), relation words with nothing to compare ('after the board meeting'), and
output names listed anywhere. The rule-bearing words around them are still placed or refused."""


def test_a_relation_word_with_no_operand_is_context(plan, rows):
    result = plan(
        "Finance asked for this after the last audit. Sum price per shop_id as total_price, paid orders only.",
        columns=["shop_id", "total_price"],
    )
    expected = rows("SELECT shop_id, SUM(price) AS total_price FROM orders WHERE state = 'paid' GROUP BY 1")
    assert sorted(rows(result), key=str) == sorted(expected, key=str)


def test_a_relation_word_with_an_operand_is_still_a_rule(refusal):
    # 'after' compares placed_at with something here, and no reader placed it: refused, naming it
    reason = refusal(
        "Sum price per shop_id as total_price. Only orders placed after the shop's opening placed_at.",
        columns=["shop_id", "total_price"],
    )
    assert "'after'" in reason


def test_a_grain_that_dates_an_occasion_is_context(plan, rows):
    result = plan(
        "Needed for the monthly partner review. Count the rows per shop_id as n_orders.",
        columns=["shop_id", "n_orders"],
    )
    expected = rows("SELECT shop_id, COUNT(*) AS n_orders FROM orders GROUP BY 1")
    assert sorted(rows(result), key=str) == sorted(expected, key=str)


def test_a_stated_grain_no_column_holds_is_still_refused(refusal):
    reason = refusal("Monthly totals per shop_id. Sum price as total_price.", columns=["shop_id", "total_price"])
    assert "month" in reason


def test_output_names_listed_anywhere_place_their_names(plan, rows):
    result = plan(
        "Rows whose state is not void, with order_id, state and price in the output.",
        columns=["order_id", "state", "price"],
    )
    assert rows(result) == rows("SELECT order_id, state, price FROM orders WHERE state <> 'void'")


def test_a_measure_described_without_a_name_takes_the_listed_name(plan, rows):
    result = plan(
        "Average price per shop_id, rounded to 1 decimal place, listed from the highest average to the lowest. "
        "Columns shop_id, avg_price.",
        columns=["shop_id", "avg_price"],
    )
    expected = "SELECT shop_id, ROUND(AVG(price), 1) AS avg_price FROM orders GROUP BY 1 ORDER BY avg_price DESC"
    assert rows(result) == rows(expected)


def test_a_listed_name_whose_aggregate_disagrees_is_not_bound(refusal):
    refusal("Average price per shop_id, rounded to 1 decimal place. Columns shop_id, total_price.",
            columns=["shop_id", "total_price"])  # fmt: skip


def test_a_measure_shown_in_thousands(plan, rows):
    result = plan(
        "Total price per shop_id expressed in thousands (the sum divided by 1000), rounded to 3 decimal places. "
        "Columns shop_id and price_k, sorted by shop_id.",
        columns=["shop_id", "price_k"],
    )
    expected = "SELECT shop_id, ROUND(SUM(price) / 1000, 3) AS price_k FROM orders GROUP BY 1 ORDER BY shop_id"
    assert rows(result) == rows(expected)


def test_two_different_scales_are_refused(refusal):
    refusal("Total price per shop_id in thousands (the sum divided by 100). Columns shop_id and price_k.",
            columns=["shop_id", "price_k"])  # fmt: skip


def test_a_clause_that_keeps_the_copies_is_no_rule(plan, rows):
    result = plan(
        "Count the rows per state as n_orders. Replays are not removed for this one.", columns=["state", "n_orders"]
    )
    expected = rows("SELECT state, COUNT(*) AS n_orders FROM orders GROUP BY 1")
    assert sorted(rows(result), key=str) == sorted(expected, key=str)


def test_a_contraction_is_a_negation(plan, rows):
    result = plan("Orders whose state isn't void. Output order_id and state.", columns=["order_id", "state"])
    assert rows(result) == rows("SELECT order_id, state FROM orders WHERE state <> 'void'")
