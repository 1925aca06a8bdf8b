"""Polarity: whether a condition keeps or drops its rows, with negations that cancel out."""

import pytest

from agentic_assets.models.builtin.contracts import SqlRequest
from agentic_assets.models.builtin.nl_sql.clauses import Ticket
from agentic_assets.models.builtin.nl_sql.ticket_polarity import drops


def ticket(text: str, tables) -> Ticket:  # noqa: ANN001
    return Ticket(SqlRequest(description=text, tables=list(tables)))


def test_an_active_verb_governs_what_follows_it(tables):
    t = ticket("Keep open orders and drop void ones.", [tables["orders"]])
    open_at, void_at = t.words.index("open"), t.words.index("void")
    assert drops(t, open_at, open_at + 1, mark=False) is False
    assert drops(t, void_at, void_at + 1, mark=False) is True


def test_a_passive_verb_after_the_condition_drops_it(tables):
    t = ticket("Orders whose state is void are dropped.", [tables["orders"]])
    void_at = t.words.index("void")
    assert drops(t, void_at, void_at + 1, mark=False) is True


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("Anything that is not paid is dropped. Output order_id and state.", {"o1", "o3", "o4"}),
        ("Leave out void orders. Output order_id and state.", {"o1", "o3", "o4", "o5"}),
        ("Orders whose price is negative are dropped. Output order_id and state.", {"o1", "o2", "o3", "o5"}),
        ("Orders whose shop_id is missing are excluded. Output order_id and state.", {"o1", "o2", "o3", "o4"}),
        ("Exclude prices of zero or below. Output order_id and state.", {"o1", "o2", "o3"}),
    ],
)
def test_kept_rows(plan, rows, description, expected):
    p = plan(description, columns=["order_id", "state"])
    assert {r[0] for r in rows(p)} == expected


def test_a_drop_in_the_next_clause_does_not_flip_a_kept_value(plan, rows):
    p = plan("Keep rows whose state is paid, and orders without a shop_id are dropped. Output order_id and state.",
             columns=["order_id", "state"])  # fmt: skip
    assert {r[0] for r in rows(p)} == {"o1", "o3", "o4"}
