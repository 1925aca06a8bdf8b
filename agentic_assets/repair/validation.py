"""Sandbox validation: the repaired asset runs in the sandbox on the current source data with its checks."""

from __future__ import annotations

import time
from datetime import datetime

import duckdb

from agentic_assets.repair.compose import RepairedAsset
from agentic_assets.repair.contracts import CheckOutcome, Verdict
from agentic_assets.repair.redaction import redact_rows, redact_text
from agentic_assets.repair.view import AssetView
from sandbox_runtime import SandboxLimits, default_pool, run_sql_on_tables
from sandbox_runtime.backends.base import duckdb_memory_mb

SAMPLE_ROWS = 5
# Checks a late partition fails until it lands: a retry that waits for data is judged without them.
TIME_DEPENDENT = ("freshness", "row_count")


def sandbox_limits(repaired: RepairedAsset) -> SandboxLimits:
    base = SandboxLimits()
    memory_mb = base.memory_mb
    if repaired.limits.memory_limit_mb:
        # The sandbox gives DuckDB about half its address space (less the interpreter): size it so that
        # DuckDB's own limit is the one the repair proposes.
        # The address-space limit also covers Arrow buffers and the interpreter: leave room beside DuckDB.
        memory_mb = max(1536, 4 * (repaired.limits.memory_limit_mb + 64))
        while duckdb_memory_mb(SandboxLimits(memory_mb=memory_mb)) < repaired.limits.memory_limit_mb:
            memory_mb += 16
    timeout = max(repaired.limits.timeout_s or base.timeout_s, 1.0)
    return SandboxLimits(memory_mb=memory_mb, timeout_s=timeout)


def _dead_letter_rows(view: AssetView, repaired: RepairedAsset) -> int | None:
    if not repaired.dead_letters:
        return None
    con = duckdb.connect()
    try:
        total = 0
        for dl in repaired.dead_letters:
            con.register(dl.source, view.source_table(dl.source))
            total += con.execute(
                f"SELECT count(*) FROM {dl.source} WHERE COALESCE(({dl.condition}), FALSE)"
            ).fetchone()[0]
        return total
    finally:
        con.close()


def validate(
    view: AssetView, repaired: RepairedAsset, *, now: datetime | None = None, waiting_for: list[str] | None = None
) -> tuple[Verdict, object]:
    """Run the repaired asset in a sandbox; returns the verdict and the output rows (an Arrow table or None)."""
    started = time.perf_counter()
    absent = [s for s in view.sources if not view.source_present(s)]
    if absent and repaired.waits_for_data and repaired.retry_only:
        # Nothing can run before the delivery lands; the unchanged asset is judged when it does (late_data.py).
        return Verdict(
            ok=True, reason="waits_for_data", waits_for_data=True,
            message=f"the transform is unchanged; {', '.join(absent)} has not landed yet",
        ), None  # fmt: skip
    try:
        tables = view.source_tables()
        # A repair that adds catalog tables as sources reads them as they are now, like any other source.
        tables |= {s: view.catalog_table(s) for s in repaired.added_sources if s not in tables}
        limits = sandbox_limits(repaired)
        pool = default_pool()
        verdict, output = run_sql_on_tables(
            repaired.sql,
            tables,
            checks=repaired.checks,
            output_name=view.name,
            now=now or view.now,
            limits=limits,
            pool=pool,
        )
    except Exception as err:  # noqa: BLE001 - a sandbox that cannot start is a failed validation
        return Verdict(ok=False, reason="error", message=redact_text(f"{type(err).__name__}: {err}")), None
    checks = []
    if verdict.check_results is not None:
        checks = [CheckOutcome(name=r.name, outcome=r.outcome, value=r.value) for r in verdict.check_results.results]
    result = Verdict(
        ok=verdict.ok,
        reason=verdict.reason,
        message=redact_text(verdict.message or verdict.stderr_tail or "")[:800],
        checks=checks,
        output_rows=verdict.output_rows,
        seconds=round(time.perf_counter() - started, 3),
        backend=verdict.backend,
    )
    if output is not None:
        rows = output.slice(0, SAMPLE_ROWS).to_pylist()
        rows = [{k: v if isinstance(v, int | float | str | bool) or v is None else str(v) for k, v in r.items()}
                for r in rows]  # fmt: skip
        result.sample = redact_rows(rows, view.pii_columns())
    try:
        result.dead_letter_rows = _dead_letter_rows(view, repaired)
    except duckdb.Error as err:
        # A dead-letter condition that does not bind on its source (a bound of another type) repairs nothing.
        result.ok, result.reason = False, "error"
        result.message = redact_text(f"dead-letter condition: {type(err).__name__}: {err}")[:800]
    if not result.ok and repaired.waits_for_data and verdict.reason == "checks_failed":
        failing = [c for c in checks if c.outcome not in ("pass", "warn")]
        known = {n.replace(" ", "") for n in [*(waiting_for or []), *repaired.waiting_for]}
        if failing and all(c.name.strip().startswith(TIME_DEPENDENT) or c.name.replace(" ", "") in known
                           for c in failing):  # fmt: skip
            result.ok, result.waits_for_data, result.reason = True, True, "waits_for_data"
            result.message = "the transform is unchanged; the checks that fail are the ones the late data will fix"
    return result, output
