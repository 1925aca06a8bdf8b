"""A word is understood only where the parse placed it: an output name covers its own span (where it is
defined, or listed after 'Output'), and every other occurrence must be placed by a reader (a grouping,
a filter, a grain, a tie rule, an ordering) or the request is refused naming it."""

import pytest


@pytest.mark.parametrize(
    ("description", "columns", "word"),
    [
        # a key restated in a sentence no reader parses
        (
            "Total price per shop_id as total_price. Paid orders only. "
            "The shop_id is shifted by one for legacy reasons.",
            ["shop_id", "total_price"],
            "shop_id",
        ),
        (
            "Count the rows per shop_id as n_orders. Rows whose shop_id looks odd are fixed by hand.",
            ["shop_id", "n_orders"],
            "shop_id",
        ),
        # listed output columns named again in a rule nobody reads
        (
            "Latest order per order_id by placed_at. Output order_id, price and state. "
            "The state is recomputed from the price first.",
            ["order_id", "price", "state"],
            "state",
        ),
        # the time column of a grain, named again where no grain or window is stated
        (
            "Monthly total per shop_id. The month is the first day of the month of placed_at. Sum price as "
            "total_price. The placed_at is moved to the local clock of the shop first.",
            ["month", "shop_id", "total_price"],
            "placed_at",
        ),
    ],
)
def test_an_occurrence_no_reader_placed_is_refused(refusal, description, columns, word):
    reason = refusal(description, columns=columns)
    assert f"'{word}'" in reason


def test_the_output_list_places_its_names(plan, rows):
    result = plan(
        "Paid orders with a price of at least 10, for the finance extract. Output order_id, price and state.",
        columns=["order_id", "price", "state"],
    )
    assert rows(result) == rows("SELECT order_id, price, state FROM orders WHERE state = 'paid' AND price >= 10")


def test_a_grouping_places_its_keys(plan, rows):
    result = plan(
        "Paid totals by shop. Sum price as total_price per shop_id and state, paid orders only.",
        columns=["shop_id", "state", "total_price"],
    )
    expected = "SELECT shop_id, state, SUM(price) FROM orders WHERE state = 'paid' GROUP BY 1, 2"
    assert sorted(rows(result)) == sorted(rows(expected))


def test_a_qualified_column_is_placed_where_it_is_joined(plan, rows, tables):
    result = plan(
        "Orders with the shop's city. Join shops on shop_id; orders of an unknown shop are dropped. "
        "Output order_id and city.",
        tables=(tables["orders"], tables["shops"]),
        columns=["order_id", "city"],
    )
    expected = "SELECT o.order_id, s.city FROM orders o JOIN shops s ON s.shop_id = o.shop_id"
    assert sorted(rows(result)) == sorted(rows(expected))
