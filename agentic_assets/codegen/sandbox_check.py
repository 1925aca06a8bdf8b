"""Run a candidate in the sandbox on the sample inputs, with the asset's checks."""

from __future__ import annotations

import pyarrow as pa

from agentic_assets.codegen.contracts import SandboxSummary
from sandbox_runtime import SandboxVerdict, run_sql_on_tables


def summarize(verdict: SandboxVerdict) -> SandboxSummary:
    results = verdict.check_results
    passed = sum(r.passed for r in results.results) if results else 0
    total = len(results.results) if results else 0
    failed = [f"{r.name}: {r.outcome} (value {r.value})" for r in results.failed] if results else []
    if results and results.errors:
        failed += [f"scan error: {e}" for e in results.errors]
    return SandboxSummary(
        ok=verdict.ok,
        reason=verdict.reason,
        message=verdict.message,
        output_rows=verdict.output_rows,
        checks_passed=passed,
        checks_total=total,
        seconds=verdict.seconds,
        backend=verdict.backend,
        failed_checks=failed,
    )


def run_candidate(
    sql: str, tables: dict[str, pa.Table], *, checks: str, output_name: str, backend: str | None = None
) -> tuple[SandboxSummary, pa.Table | None]:
    verdict, output = run_sql_on_tables(sql, tables, checks=checks, output_name=output_name, backend=backend)
    return summarize(verdict), output


def feedback(summary: SandboxSummary) -> str:
    """The verdict in words, for the model's second chance."""
    lines = [f"The sandbox run failed ({summary.reason}): {summary.message}"]
    lines += [f"- {f}" for f in summary.failed_checks]
    lines.append("Fix the SQL so that it runs and every check passes, or answer CannotGenerate.")
    return "\n".join(lines)
