"""What a failed check shows in the Dagster UI: the count of failing rows (not the sample's size), the review link."""

from __future__ import annotations

from agentic_assets.assets.factory import _check_metadata, failing_rows_count
from asset_checks.results import CheckResult


def result(definition: str, value: object, sample: int, outcome: str = "fail") -> CheckResult:
    rows = [{"id": i} for i in range(sample)]
    return CheckResult(name=definition, table="t", definition=definition, outcome=outcome, value=value,
                       failing_rows_sample=rows, failing_rows_count=sample)  # fmt: skip


def test_failing_rows_count_is_the_metric_not_the_sample() -> None:
    assert failing_rows_count(result("missing_count(customer_id) = 0", 1234, sample=100)) == 1234
    assert failing_rows_count(result("duplicate_count(id) = 0", 7, sample=7)) == 7
    assert failing_rows_count(result("invalid_count(amount) = 0", 55.0, sample=20)) == 55
    assert failing_rows_count(result("row_count > 100", 3, sample=0)) is None  # rows of the table, not failing
    assert failing_rows_count(result("missing_percent(x) < 1", 2.5, sample=10)) is None
    meta = _check_metadata(result("missing_count(customer_id) = 0", 1234, sample=100), None, "http://r/assets/a")
    assert meta["failing_rows_count"] == 1234 and meta["failing_rows_sample_size"] == 100
    assert meta["review"].url == "http://r/assets/a"
    passed = _check_metadata(result("missing_count(x) = 0", 0, sample=0, outcome="pass"), None, None)
    assert "failing_rows_count" not in passed and "review" not in passed
