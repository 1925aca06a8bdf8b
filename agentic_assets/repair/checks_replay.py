"""The failed checks with failing-row samples: the current transform re-run on the current data, read-only.

The failed run's staged table is gone (write-audit-publish discards it), so the evidence is recomputed in
a locked, in-memory DuckDB: nothing is staged, nothing is published.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agentic_assets.engines.duckdb_engine import run_sql
from agentic_assets.repair.redaction import redact_rows, redact_text
from agentic_assets.repair.view import AssetView
from asset_checks.runner import run_checks_on_arrow

SAMPLE_ROWS = 5


class CheckFinding(BaseModel):
    name: str
    column: str | None = None
    outcome: str
    value: Any = None
    failing_rows_count: int | None = None
    failing_rows_sample: list[dict[str, Any]] = Field(default_factory=list)


class ChecksReplay(BaseModel):
    transform_error: str | None = None
    output_rows: int | None = None
    checks: list[CheckFinding] = Field(default_factory=list)
    scan_errors: list[str] = Field(default_factory=list)

    @property
    def failed(self) -> list[CheckFinding]:
        return [c for c in self.checks if c.outcome not in ("pass", "warn")]


def replay_checks(view: AssetView, sql: str | None = None) -> ChecksReplay:
    sql = sql or view.sql
    if sql is None:
        return ChecksReplay(transform_error="the asset has no transform")
    try:
        output = run_sql(sql, view.source_tables(), memory_limit_mb=view.run_limits().memory_limit_mb)
    except Exception as err:  # noqa: BLE001 - the error is the evidence
        return ChecksReplay(transform_error=redact_text(f"{type(err).__name__}: {err}")[:1000])
    suite = run_checks_on_arrow(output, view.name, view.checks_text, now=view.now)
    flagged = view.pii_columns()
    return ChecksReplay(
        output_rows=output.num_rows,
        checks=[
            CheckFinding(
                name=r.name,
                column=r.column,
                outcome=r.outcome,
                value=r.value,
                failing_rows_count=r.failing_rows_count,
                failing_rows_sample=redact_rows(r.failing_rows_sample[:SAMPLE_ROWS], flagged),
            )
            for r in suite.results
        ],
        scan_errors=[redact_text(e)[:300] for e in suite.errors],
    )
