"""PII is found by its values (checksums where the format has one), not by a list of column names."""

from __future__ import annotations

import pyarrow as pa

from agentic_assets.repair.profiling import profile_column
from agentic_assets.repair.redaction import iban_ok, luhn_ok, redact_rows, redact_text


def test_cards_need_a_valid_luhn_checksum_and_ibans_valid_check_digits() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert "<card>" in redact_text("paid with 4111 1111 1111 1111 today")
    assert "4111 1111 1111 1112" in redact_text("ref 4111 1111 1111 1112")  # an order number, not a card
    assert iban_ok("NL91ABNA0417164300") and not iban_ok("NL92ABNA0417164300")
    assert redact_text("to NL91 ABNA 0417 1643 00 please") == "to <account> please"
    assert "NL92ABNA0417164300" in redact_text("NL92ABNA0417164300")


def test_phones_and_emails_but_not_dates_amounts_or_codes() -> None:
    assert redact_text("call +44 20 7946 0958 or 020-7946-0958") == "call <phone> or <phone>"
    assert redact_text("write to j.doe+bank@mail.example.org") == "write to <email>"
    kept = "on 2026-03-01 paid 1234.56 for order 20260301 in 12 parts by customer 0000012345"
    assert redact_text(kept) == kept


def test_names_are_masked_beside_an_identifier_whatever_the_column_is_called() -> None:
    rows = redact_rows([
        {"holder": "Anna de Vries", "ref": "C-00042", "segment": "Gold"},
        {"holder": "Pieter van der Berg", "ref": "C-00043", "segment": "Silver"},
    ])  # fmt: skip
    assert [r["holder"] for r in rows] == ["<name>", "<name>"]
    assert [r["segment"] for r in rows] == ["Gold", "Silver"]
    # Without anything identifying a person in the row, a two-word label stays.
    assert redact_rows([{"status": "In Transit", "note": "late"}]) == [{"status": "In Transit", "note": "late"}]


def test_a_column_of_names_is_masked_in_profiles() -> None:
    first = ["Anna", "Pieter", "Sara", "Tom", "Eva", "Luuk", "Noor", "Daan"]
    last = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer"]
    t = pa.table({"payee": [f"{f} {name}" for f in first for name in last]})
    p = profile_column(t, "payments", "payee")
    assert p.pii and all(v == "<pii>" for v, _ in p.top_values)
    merchants = pa.table({"m": [f"shop-{i}" for i in range(50)]})
    assert not profile_column(merchants, "payments", "m").pii
