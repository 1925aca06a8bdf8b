"""One test per fix operator, on small made-up tables profiled with DuckDB and evidence written by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.operators.data_quality import data_findings
from agentic_assets.repair.planner.operators.dedupe import duplicate_row_findings
from agentic_assets.repair.planner.operators.join_keys import key_findings
from agentic_assets.repair.planner.operators.literal_codes import _abbreviates, literal_findings
from agentic_assets.repair.planner.operators.rename_map import rename_findings
from agentic_assets.repair.planner.operators.unit_change import unit_change_reason
from agentic_assets.repair.profiling import profile_column

CHECKS = """
checks for out:
  - missing_count(account_id) = 0
  - invalid_count(amount) = 0:
      valid min: 0
"""


def _ev(
    diffs: list[dict[str, Any]], sql: str, profiles: dict[str, dict[str, Any]] | None = None, **run: Any
) -> Evidence:
    failed_run = {"asset": "out", "tier": 2, "sources": [d["source"] for d in diffs], "sql": sql, "checks": CHECKS}
    failed_run.update(run)
    return Evidence({"failed_run": failed_run, "schema_diff": {"sources": diffs}}, profiles or {})


def _profile(table: pa.Table, name: str, col: str, now: datetime | None = None) -> dict[str, Any]:
    return profile_column(table, name, col, now=now).model_dump()


def test_rename_map_follows_the_column_that_kept_the_values() -> None:
    diff = {
        "source": "pay", "dropped": ["amount"], "added": ["amount_eur"], "used_by_transform": ["amount"],
        "rename_candidates": [{"dropped": "amount", "added": "amount_eur", "type_compatible": True,
                               "name_similarity": 0.8, "value_overlap": 0.99}],
    }  # fmt: skip
    (finding,) = rename_findings(_ev([diff], "SELECT SUM(amount) FROM pay"))
    assert finding.renames == {"amount_eur": "amount"} and finding.remediation == "code_change"
    diff["rename_candidates"][0]["value_overlap"] = 0.1  # a similar name with other values is not a rename
    (finding,) = rename_findings(_ev([diff], "SELECT SUM(amount) FROM pay"))
    assert finding.remediation == "escalate"


def test_join_keys_map_names_to_codes_or_escalate_a_changed_meaning() -> None:
    km = {"column": "plan_code", "partner": "plans", "matches_partner": 0.0}
    diff = {"source": "usage", "used_by_transform": ["plan_code"], "key_matches": [km]}
    (finding,) = key_findings(_ev([diff], "SELECT * FROM usage JOIN plans USING (plan_code)"))
    assert finding.remediation == "escalate"
    km.update(matches_other_column="plan_name", other_column_match=1.0, other_column_unique=True)
    (finding,) = key_findings(_ev([diff], "SELECT * FROM usage JOIN plans USING (plan_code)"))
    assert finding.remediation == "code_change" and "plan_name" in (finding.adapter or "")


def test_literal_codes_map_each_code_to_the_one_word_it_abbreviates() -> None:
    assert _abbreviates("CNL", "Cancelled") and _abbreviates("a", "Active") and not _abbreviates("X", "Active")
    statuses = pa.table({"status": ["Active", "Cancelled", "Pending"] * 10})
    profiles = {"orders": {"status": _profile(statuses, "orders", "status")}}
    diff = {"source": "orders", "used_by_transform": ["status"]}
    ev = _ev([diff], "SELECT * FROM orders WHERE status IN ('A', 'CNL')", profiles)
    (finding,) = literal_findings(ev)
    assert "WHEN 'Active' THEN 'A'" in finding.replaces["status"]
    assert "WHEN 'Cancelled' THEN 'CNL'" in finding.replaces["status"]
    # Two words start like the code: no one-to-one reading.
    ev = _ev([diff], "SELECT * FROM orders WHERE status = 'P'", {"orders": {"status": _profile(
        pa.table({"status": ["Pending", "Paid", "Active"] * 5}), "orders", "status")}})  # fmt: skip
    assert literal_findings(ev) == []


def test_dedupe_follows_whole_rows_repeated() -> None:
    diff = {"source": "scans", "used_by_transform": ["scan_id", "hub"], "duplicate_rows": 12}
    (finding,) = duplicate_row_findings(_ev([diff], "SELECT hub, COUNT(*) FROM scans GROUP BY hub"))
    assert finding.remediation == "dedupe" and finding.keys == ["hub", "scan_id"]


def test_data_quality_sends_null_keys_and_invalid_values_to_a_dead_letter() -> None:
    rows = pa.table({"account_id": [1, 2, None, 4] * 10, "amount": [5.0, 7.5, 1.0, -3.0] * 10})
    profiles = {"ledger": {c: _profile(rows, "ledger", c) for c in ("account_id", "amount")}}
    diff = {"source": "ledger", "used_by_transform": ["account_id", "amount"], "columns_now": {}}
    ev = _ev([diff], "SELECT account_id, amount FROM ledger", profiles)
    (nulls,) = data_findings(ev, ["missing_count(account_id) = 0"])
    assert (nulls.remediation, nulls.condition) == ("dead_letter", "account_id IS NULL")
    (invalid,) = data_findings(ev, ["invalid_count(amount) = 0"])
    assert (invalid.remediation, invalid.condition) == ("dead_letter", "amount < 0")


def test_unit_change_reads_the_written_shape_of_the_listed_codes() -> None:
    codes = pa.table({"ccy": ["EUR", "USD", "GBP", "CHF"] * 5})
    p = _profile(codes, "fx", "ccy")
    assert unit_change_reason(p, {"valid values": ["EUR", "USD"]}) is not None  # more codes of the same shape
    junk = pa.table({"ccy": ["EUR", "USD", "n/a", "??"] * 5})
    assert unit_change_reason(_profile(junk, "fx", "ccy"), {"valid values": ["EUR", "USD"]}) is None
