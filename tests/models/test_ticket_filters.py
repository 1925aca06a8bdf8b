"""Filters stated in a ticket: ranges, sets and their negation, weekdays, date windows, nulls, membership."""

import pytest

from agentic_assets.models.builtin.contracts import SqlRequest
from agentic_assets.models.builtin.nl_sql.clauses import Ticket
from agentic_assets.models.builtin.nl_sql.ticket_filters import comparison_filters, value_filters
from agentic_assets.models.builtin.schema_match import ColumnRef


def _ticket(text, tables):
    return Ticket(SqlRequest(description=text, tables=[tables["orders"]]))


def test_values_and_their_negation(tables):
    t = _ticket("Keep rows whose state is neither open nor void.", tables)
    assert value_filters(t, lambda r: r.name, set()) == ["state NOT IN ('open', 'void')"]
    t = _ticket("Only paid orders; open and void rows are left out.", tables)
    conds = value_filters(t, lambda r: r.name, set())
    assert sorted(conds) == ["state = 'paid'", "state NOT IN ('open', 'void')"]


def test_ranges(tables):
    t = _ticket("Orders whose price is between 5 and 20, both ends included.", tables)
    price = ColumnRef("orders", tables["orders"].column("price"))
    assert comparison_filters(t, lambda r: r.name, price, set()) == ["price BETWEEN 5 AND 20"]
    t = _ticket("A price greater than zero and not above 500.", tables)
    assert comparison_filters(t, lambda r: r.name, price, set()) == ["price > 0 AND price <= 500"]


@pytest.mark.parametrize(
    ("words", "hand"),
    [
        ("whose placed_at falls on a Saturday or a Sunday", "dayofweek(placed_at) IN (0, 6)"),
        ("from Monday to Friday", "dayofweek(placed_at) BETWEEN 1 AND 5"),
        ("with placed_at from 2026-01-04 up to but not including 2026-02-07",
         "placed_at >= TIMESTAMP '2026-01-04' AND placed_at < TIMESTAMP '2026-02-07'"),
        ("with a positive price", "price > 0"),
        ("with a shop_id", "shop_id IS NOT NULL"),
    ],
)  # fmt: skip
def test_filters_in_words(plan, rows, words, hand):
    p = plan(f"Orders {words}. Output order_id and price.", columns=["order_id", "price"])
    assert sorted(rows(p)) == sorted(rows(f"SELECT order_id, price FROM orders WHERE {hand}"))


def test_membership_in_another_source(plan, rows, tables):
    p = plan(
        "Accepted orders: those whose shop_id exists in shops. Output order_id.",
        tables=(tables["orders"], tables["shops"]),
        columns=["order_id"],
    )
    assert sorted(rows(p)) == [("o1",), ("o1",), ("o2",), ("o3",)]


def test_a_rule_it_cannot_read_is_refused(refusal):
    reason = refusal("Orders placed before the shop's opening. Output order_id.", columns=["order_id"])
    assert "before" in reason
