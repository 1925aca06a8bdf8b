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
