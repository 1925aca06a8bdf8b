"""Planner rules that read profiles and SQL: shifted distributions, traced checks, unions."""

from __future__ import annotations

import pyarrow as pa

from agentic_assets.repair.failure_signal import classify
from agentic_assets.repair.planner.operators.unit_change import unit_change_reason
from agentic_assets.repair.planner.signals import error_class, output_origins
from agentic_assets.repair.profiling import profile_column
from agentic_assets.repair.sql_rewrite import union_by_name


def test_a_bound_crossed_by_a_shifted_distribution_is_a_unit_change_not_bad_rows() -> None:
    flipped = pa.table({"amount": [float(-i) for i in range(1, 31)] + [float(i) for i in range(1, 71)]})
    p = profile_column(flipped, "ledger", "amount").model_dump()
    assert unit_change_reason(p, {"valid min": 0}) is not None
    sentinel = pa.table({"t": [-999.0] * 5 + [float(i % 30) for i in range(95)]})
    assert unit_change_reason(profile_column(sentinel, "s", "t").model_dump(), {"valid min": -40}) is None
    few = pa.table({"q": [-1.0, -2.0, -3.0] + [float(1 + i % 4) for i in range(97)]})
    assert unit_change_reason(profile_column(few, "lines", "q").model_dump(), {"valid min": 1}) is None


def test_checks_trace_through_case_branches_and_qualifiers() -> None:
    origins = output_origins(
        "SELECT s.id, SUM(CASE WHEN kind = 'a' THEN amount ELSE 0 END) AS a_total, u.plan "
        "FROM s LEFT JOIN u ON u.id = s.id GROUP BY 1, 3"
    )
    assert origins["a_total"].column == "amount" and origins["a_total"].aggregate == "sum"
    assert origins["id"].qualifier == "s" and origins["plan"].qualifier == "u"


def test_a_positional_union_over_stars_is_matched_by_name() -> None:
    err = (
        "BinderException: Binder Error: Set operations can only apply to expressions with the same number of "
        "result columns"
    )
    assert error_class(classify(err, "error"), err) == "set_operation"
    by_name = "SELECT * FROM a UNION ALL BY NAME SELECT * FROM b"
    assert union_by_name("SELECT * FROM a UNION ALL SELECT * FROM b") == by_name
    assert union_by_name("SELECT x FROM a UNION ALL SELECT x FROM b") is None
