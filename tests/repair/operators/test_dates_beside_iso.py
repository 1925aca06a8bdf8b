"""A timestamp fed in two forms: ISO for the older rows, another written form since."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.operators.type_change import type_change_findings
from agentic_assets.repair.profiling import profile_column


def _evidence(values: list[str]) -> Evidence:
    profile = profile_column(pa.table({"at": values}), "visits", "at").model_dump()
    change = {"column": "at", "before": "timestamp[us]", "now": "string", "used_by_transform": True,
              "castable_to_before": round(sum(v[:1].isdigit() for v in values) / len(values), 4)}  # fmt: skip
    diff = {"source": "visits", "columns_now": {"at": "string"}, "type_changed": [change], "used_by_transform": ["at"]}
    return Evidence({"schema_diff": {"sources": [diff]}}, {"visits": {"at": profile}})


def test_values_beside_iso_are_read_by_the_one_format_that_reads_them_all() -> None:
    start = datetime(2026, 3, 1, 8, 0)
    times = [start + timedelta(hours=7 * i) for i in range(30)]
    values = [t.strftime("%Y-%m-%d %H:%M:%S") for t in times[:20]] + [t.strftime("%b %d, %Y %H:%M") for t in times[20:]]
    (finding,), need = type_change_findings(_evidence(values))
    assert not need
    assert (finding.category, finding.remediation) == ("format_drift", "code_change")
    assert "%b %d, %Y %H:%M" in finding.replaces["at"]


def test_iso_values_alone_are_still_read_by_a_plain_cast() -> None:
    values = [f"2026-03-{d:02d} 10:00:00" for d in range(1, 29)]
    (finding,), _need = type_change_findings(_evidence(values))
    assert finding.remediation == "code_change" and "strptime" not in finding.replaces["at"].lower()
