"""The vocabulary: synonyms and numbers in words read as the concept words the readers know."""

from agentic_assets.models.builtin.nl_sql.vocabulary import canonical
from agentic_assets.models.builtin.text import tokenize


def words(text: str) -> list[str]:
    return [t.text for t in canonical(tokenize(text))]


def test_synonyms_read_as_their_concept_and_keep_what_was_written():
    toks = canonical(tokenize("Keep the newest copy; leave out void rows whose price exceeds 10"))
    assert [t.text for t in toks] == ["keep", "the", "latest", "copy", ";", "exclude", "out", "void", "rows",
                                      "whose", "price", "above", "10"]  # fmt: skip
    assert toks[2].raw == "newest"


def test_numbers_in_words_but_not_one_row_per_key():
    assert words("the three highest") == ["the", "3", "highest"]
    assert words("rounded to one decimal place") == ["rounded", "to", "1", "decimal", "place"]
    assert words("one row per order_id") == ["one", "row", "per", "order_id"]


def test_a_synonym_plans_as_the_word_it_stands_for(plan, rows):
    latest = plan("Keep one row per order_id, the latest by placed_at. Output order_id and price.",
                  columns=["order_id", "price"])  # fmt: skip
    newest = plan("Keep one row per order_id, the newest by placed_at. Output order_id and price.",
                  columns=["order_id", "price"])  # fmt: skip
    assert latest.sql == newest.sql and ("o1", 12) in rows(newest)


def test_a_count_in_words_keeps_that_many(plan, rows):
    p = plan("The two largest orders by price, ties broken by order_id. Output order_id and price.",
             columns=["order_id", "price"])  # fmt: skip
    assert sorted(rows(p)) == [("o1", 12), ("o3", 700)]


def test_a_number_word_about_tied_copies_is_not_a_count(plan, rows):
    p = plan("Keep one row per order_id, the latest by placed_at; when two copies share placed_at the "
             "higher price wins. Output order_id and price.", columns=["order_id", "price"])  # fmt: skip
    assert len(rows(p)) == 5
