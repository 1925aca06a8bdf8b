"""Coded values named in English: a country for its ISO code, a currency for its code, an acronym in
capitals for a short lower-case value; only codes the column holds are matched."""

from agentic_assets.models.builtin.contracts import ColumnInfo, TableInfo
from agentic_assets.models.builtin.schema_match import Catalog
from agentic_assets.models.builtin.text import tokenize

SALES = TableInfo(
    name="sales",
    columns=[
        ColumnInfo(name="country", type="VARCHAR", samples=["ES", "DE"], distinct=2),
        ColumnInfo(name="currency", type="VARCHAR", samples=["EUR", "GBP"], distinct=2),
        ColumnInfo(name="channel", type="VARCHAR", samples=["atm", "online"], distinct=2),
    ],
)


def _matches(text: str) -> set[tuple[str, str]]:
    return {(m.ref.name, m.value) for m in Catalog([SALES]).value_matches(tokenize(text))}


def test_names_of_coded_values():
    assert _matches("ATM withdrawals made in Spain, charged in euros") == {
        ("channel", "atm"),
        ("country", "ES"),
        ("currency", "EUR"),
    }


def test_a_name_whose_code_the_column_lacks_is_no_value():
    assert _matches("payments made in France, in dollars") == set()


def test_a_short_value_in_lower_case_words_is_not_matched_by_chance():
    assert ("country", "ES") not in _matches("es ist nicht")


def test_contractions_split_into_not():
    assert [t.text for t in tokenize("isn't 'x' can't")] == ["is", "not", "'x'", "can", "not"]
