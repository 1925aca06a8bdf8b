"""The agent's tools: read-only diagnostics over an `AssetView`, and `propose_*` tools that only build proposals.

Every observation passes a last redaction sweep before the model sees it. The `propose_*` tools are
deferred (`requires_approval=True`): calling one ends the agent run with the proposal awaiting
validation and approval; only an approved call runs its body, which files the proposal and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic_ai import Agent, RunContext

from agentic_assets.repair.candidates import Candidate, evaluate
from agentic_assets.repair.catalog import ValueProbe, catalog
from agentic_assets.repair.checks_replay import replay_checks
from agentic_assets.repair.code_diff import code_history
from agentic_assets.repair.contracts import Proposal
from agentic_assets.repair.failure_signal import classify
from agentic_assets.repair.freshness import freshness
from agentic_assets.repair.observations import FailedRunInfo, FailedRunReport, GoodRunInfo
from agentic_assets.repair.profiling import profile_column
from agentic_assets.repair.redaction import redact_rows, redact_text
from agentic_assets.repair.schema_diff import schema_diff
from agentic_assets.repair.view import AssetView

READ_ONLY_TOOLS = (
    "failed_run",
    "schema_diff",
    "failed_checks",
    "column_profiles",
    "code_history",
    "table_history",
    "freshness",
    "sample_rows",
    "lineage",
    "catalog",
    "evaluate_candidates",
)
PROPOSE_TOOLS = (
    "propose_code_change",
    "propose_schema_evolution",
    "propose_dead_letter",
    "propose_dedupe",
    "propose_retry",
    "propose_rollback",
    "propose_resource_increase",
)


@dataclass
class RepairDeps:
    view: AssetView
    alert: str
    filed: list[Proposal] = field(default_factory=list)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _rows_now(view: AssetView) -> dict[str, int]:
    out: dict[str, int] = {}
    for source in view.sources:
        try:
            out[source] = view.source_table(source).num_rows
        except Exception:  # noqa: BLE001 - an unreadable source is the schema diff's to report
            continue
    return out


def failed_run(view: AssetView) -> dict[str, Any]:
    failed = view.failed_run()
    good = view.last_good()
    limits = view.run_limits()
    report = FailedRunReport(
        asset=view.name,
        tier=view.tier,
        sources=view.sources,
        source_rows_now=_rows_now(view),
        failed_run=None
        if failed is None
        else FailedRunInfo(
            run_id=failed.run_id,
            started_at=failed.started_at.isoformat(),
            status=failed.status,
            error=(failed.error or "")[:1500] or None,
            failed_checks=failed.failed_checks,
            code_version=failed.code_version,
            seconds=round(failed.seconds, 3),
            signal=classify(
                failed.error, failed.status, failed.error_types, seconds=failed.seconds, timeout_s=limits.timeout_s
            ),
        ),
        last_good_run=None
        if good is None
        else GoodRunInfo(
            run_id=good.run_id,
            started_at=good.started_at.isoformat(),
            code_version=good.code_version,
            rows=good.rows,
            seconds=round(good.seconds, 3),
            input_rows=good.input_rows,
            input_schemas=good.input_schemas,
        ),
        recent_statuses=[r.status for r in view.runs(6)],
        run_limits=limits,
        current_code_version=view.code_version,
        sql=view.sql,
        checks=view.checks_text,
    )
    return _clean(report.model_dump(mode="json", exclude_none=True))


def column_profiles(view: AssetView, columns: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for source, names in columns.items():
        if source not in view.sources:
            out[source] = {"error": f"unknown source; the asset reads {view.sources}"}
            continue
        table = view.source_table(source)
        flagged = view.pii_columns(source)
        out[source] = {}
        for name in names:
            if name not in table.column_names:
                out[source][name] = {"error": "no such column now"}
                continue
            out[source][name] = profile_column(table, source, name, now=view.now, flagged=flagged).model_dump()
    return _clean(out)


def table_history(view: AssetView) -> dict[str, Any]:
    return _clean(
        {
            "table": view.sink,
            "versions": [v.model_dump(mode="json") for v in view.table_history()[-10:]],
            "runs": [
                {"run_id": r.run_id, "status": r.status, "rows": r.rows, "code_version": r.code_version}
                for r in view.runs(10)
            ],
        }
    )


def sample_rows(view: AssetView, source: str, n: int = 5) -> dict[str, Any]:
    if source not in view.sources:
        return {"error": f"unknown source; the asset reads {view.sources}"}
    rows = view.source_table(source).slice(0, max(1, min(n, 20))).to_pylist()
    rows = [{k: (v if isinstance(v, int | float | str | bool) or v is None else str(v)) for k, v in r.items()}
            for r in rows]  # fmt: skip
    return _clean({"source": source, "rows": redact_rows(rows, view.pii_columns(source))})


def lineage(view: AssetView) -> dict[str, Any]:
    return {
        "upstream": [{"name": s, "raw": view.is_raw(s)} for s in view.sources],
        "downstream": view.downstream(),
        "sink": view.sink,
    }


def register_tools(agent: Agent[RepairDeps, Any]) -> None:
    """Attach every tool to `agent`."""

    @agent.tool(name="failed_run")
    def _failed_run(ctx: RunContext[RepairDeps]) -> dict[str, Any]:
        """The failed run: its error, failed checks, code version, the last good run, run limits, the SQL and checks."""
        return failed_run(ctx.deps.view)

    @agent.tool(name="schema_diff")
    def _schema_diff(ctx: RunContext[RepairDeps]) -> dict[str, Any]:
        """Each source's columns now against the last good run: dropped, added, retyped, with rename evidence."""
        return _clean(schema_diff(ctx.deps.view).model_dump(mode="json", exclude_none=True))

    @agent.tool(name="failed_checks")
    def _failed_checks(ctx: RunContext[RepairDeps]) -> dict[str, Any]:
        """Re-run the current transform on the current data (read-only) and report every check with failing rows."""
        return _clean(replay_checks(ctx.deps.view).model_dump(mode="json"))

    @agent.tool(name="column_profiles")
    def _column_profiles(ctx: RunContext[RepairDeps], columns: dict[str, list[str]]) -> dict[str, Any]:
        """Profiles of source columns ({source: [column, ...]}): nulls, distinct, min/max, top values, formats."""
        return column_profiles(ctx.deps.view, columns)

    @agent.tool(name="code_history")
    def _code_history(ctx: RunContext[RepairDeps]) -> dict[str, Any]:
        """The transform's versions (deployed when, approved by whom) and what changed since the last good run."""
        return _clean(code_history(ctx.deps.view).model_dump(mode="json"))

    @agent.tool(name="table_history")
    def _table_history(ctx: RunContext[RepairDeps]) -> dict[str, Any]:
        """The published table's versions and the asset's recent runs."""
        return table_history(ctx.deps.view)

    @agent.tool(name="freshness")
    def _freshness(ctx: RunContext[RepairDeps]) -> dict[str, Any]:
        """How far each source's time columns reach now against the last good run, the clock and the other
        sources: partly landed periods, periods not landed, feeds that stopped. Changes nothing."""
        return _clean(freshness(ctx.deps.view).model_dump(mode="json", exclude_none=True))

    @agent.tool(name="sample_rows")
    def _sample_rows(ctx: RunContext[RepairDeps], source: str, n: int = 5) -> dict[str, Any]:
        """A few rows of a source, with personal data masked."""
        return sample_rows(ctx.deps.view, source, n)

    @agent.tool(name="lineage")
    def _lineage(ctx: RunContext[RepairDeps]) -> dict[str, Any]:
        """Upstream sources and downstream assets of this asset."""
        return lineage(ctx.deps.view)

    @agent.tool(name="catalog")
    def _catalog(ctx: RunContext[RepairDeps], probes: list[ValueProbe] | None = None) -> dict[str, Any]:
        """Tables readable beyond the asset's sources (raw sources, other assets' tables) with their columns, and
        value-overlap probes: which catalog columns hold a source column's values (now or at the last good run,
        or an explicit list), with what share, and the mappings between two probes' columns. Changes nothing."""
        return _clean(catalog(ctx.deps.view, probes).model_dump(mode="json"))

    @agent.tool(name="evaluate_candidates")
    def _evaluate_candidates(ctx: RunContext[RepairDeps], candidates: list[Candidate]) -> dict[str, Any]:
        """Run candidate repairs (each a list of propose_* calls) in the sandbox against the checks and the last
        good output; reports each one and the smallest that passes, or that passing ones disagree. Changes nothing."""
        return _clean(evaluate(ctx.deps.view, candidates).model_dump(mode="json"))

    def _file(ctx: RunContext[RepairDeps], name: str, args: dict[str, Any]) -> dict[str, Any]:
        proposal = build_proposal(name, args, ctx.deps.view)
        ctx.deps.filed.append(proposal)
        return {"status": "filed", "kind": proposal.kind, "summary": proposal.summary}

    @agent.tool(name="propose_code_change", requires_approval=True)
    def _code_change(
        ctx: RunContext[RepairDeps],
        sql: str,
        summary: str,
        source_renames: dict[str, dict[str, str]] | None = None,
        add_sources: list[str] | None = None,
    ) -> dict[str, Any]:
        """Propose a new transform (DuckDB SQL) that reads the sources as they are now; `add_sources` names catalog
        tables the new transform reads beyond the asset's sources (they become sources of the asset)."""
        args = {"sql": sql, "summary": summary, "source_renames": source_renames, "add_sources": add_sources}
        return _file(ctx, "propose_code_change", args)

    @agent.tool(name="propose_schema_evolution", requires_approval=True)
    def _schema_evolution(
        ctx: RunContext[RepairDeps], sql: str, summary: str, checks: str | None = None
    ) -> dict[str, Any]:
        """Propose an output schema change (a column added or widened) with the transform and checks it needs."""
        return _file(ctx, "propose_schema_evolution", {"sql": sql, "summary": summary, "checks": checks})

    @agent.tool(name="propose_dead_letter", requires_approval=True)
    def _dead_letter(
        ctx: RunContext[RepairDeps], source: str, condition: str, reason: str, summary: str
    ) -> dict[str, Any]:
        """Propose routing the rows of `source` matching `condition` to <asset>_dead_letter with `reason`."""
        args = {"source": source, "condition": condition, "reason": reason, "summary": summary}
        return _file(ctx, "propose_dead_letter", args)

    @agent.tool(name="propose_dedupe", requires_approval=True)
    def _dedupe(ctx: RunContext[RepairDeps], source: str, keys: list[str], summary: str) -> dict[str, Any]:
        """Propose removing duplicate rows of `source` by `keys` before the transform."""
        return _file(ctx, "propose_dedupe", {"source": source, "keys": keys, "summary": summary})

    @agent.tool(name="propose_retry", requires_approval=True)
    def _retry(
        ctx: RunContext[RepairDeps],
        summary: str,
        backoff_s: float = 60.0,
        wait_for_data: bool = False,
        wait_for_checks: list[str] | None = None,
    ) -> dict[str, Any]:
        """Propose re-running the asset unchanged, after a backoff or once late data has arrived (and with it the
        checks in `wait_for_checks` pass)."""
        args = {"summary": summary, "backoff_s": backoff_s, "wait_for_data": wait_for_data,
                "wait_for_checks": wait_for_checks}  # fmt: skip
        return _file(ctx, "propose_retry", args)

    @agent.tool(name="propose_rollback", requires_approval=True)
    def _rollback(ctx: RunContext[RepairDeps], version: str, summary: str) -> dict[str, Any]:
        """Propose returning the transform to an earlier code version (by version id from code_history)."""
        return _file(ctx, "propose_rollback", {"version": version, "summary": summary})

    @agent.tool(name="propose_resource_increase", requires_approval=True)
    def _resource_increase(
        ctx: RunContext[RepairDeps], summary: str, memory_limit_mb: int | None = None, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Propose raising the run's memory limit (MB) and/or wall-clock limit (seconds)."""
        args = {"summary": summary, "memory_limit_mb": memory_limit_mb, "timeout_s": timeout_s}
        return _file(ctx, "propose_resource_increase", args)


def build_proposal(tool: str, args: dict[str, Any], view: AssetView) -> Proposal:
    """The proposal a `propose_*` call describes (used to validate it before the call is approved)."""
    kind = tool.removeprefix("propose_")
    args = {k: v for k, v in args.items() if v is not None}
    if kind == "rollback":
        version = str(args.get("version", ""))
        sql = next((v.sql for v in view.code_versions() if v.version == version), None)
        return Proposal(kind="rollback", rollback_to=version, sql=sql, summary=args.get("summary", ""))
    return Proposal(kind=kind, **args)  # type: ignore[arg-type]
