"""Turn loaded specs into Dagster assets with one blocking asset check per SodaCL check."""

import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import dagster as dg

from agentic_assets.audit import audit_log_for
from agentic_assets.codegen.versioning import parse_header
from agentic_assets.review_app.config import asset_review_url
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset, Project
from asset_checks.results import CheckResult
from asset_checks.sodacl import SodaCheckDef, check_definitions

if TYPE_CHECKING:  # the write-audit-publish path (table stores, soda) is imported by runs, not by loading the code
    from agentic_assets.materialize.wap import MaterializationOutcome, ProgressHook

RAW_GROUP = "raw"

# Set by the CLI so headless runs can draw progress; Dagster's own logs carry the same events.
progress_hook: "ProgressHook | None" = None


def raw_source_specs(project: Project, settings: Settings) -> list[dg.AssetSpec]:
    """Raw files are external assets: Dagster shows them in lineage but does not materialize them."""
    return [
        dg.AssetSpec(
            key=name,
            description=src.description or None,
            group_name=RAW_GROUP,
            kinds={src.format},
            metadata={
                "path": str(settings.data_dir / src.path),
                "dagster/column_schema": dg.TableSchema(
                    columns=[dg.TableColumn(c.name, c.type, tags={"pii": ""} if c.pii else {}) for c in src.columns]
                ),
            },
        )
        for name, src in project.raw_sources.items()
    ]


def failing_rows_count(result: CheckResult) -> int | None:
    """How many rows fail a check, when the check measures exactly that (SodaCL's `*_count` row metrics and
    failed-rows checks); None otherwise. The failing-row sample is capped, so its length is not the count."""
    metric = result.definition.split("(", 1)[0].strip().lower()
    counts_rows = (metric.endswith("_count") and metric != "row_count") or metric.startswith("failed rows")
    if counts_rows and isinstance(result.value, int | float) and float(result.value).is_integer():
        return int(result.value)
    return None


def _check_metadata(result: CheckResult | None, error: str | None, review_url: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if result is not None:
        meta["outcome"] = result.outcome
        if result.value is not None:
            meta["value"] = result.value if isinstance(result.value, int | float) else str(result.value)
        count = failing_rows_count(result)
        if count is not None and not result.passed:
            meta["failing_rows_count"] = count
        if result.failing_rows_sample:
            meta["failing_rows_sample_size"] = len(result.failing_rows_sample)
            meta["failing_rows_sample"] = dg.MetadataValue.json(result.failing_rows_sample)
    if error:
        meta["scan_error"] = dg.MetadataValue.text(error)
    if review_url:
        meta["review"] = dg.MetadataValue.url(review_url)
    return meta


class CheckOutcomeRow(NamedTuple):
    """One Dagster check's outcome for one materialization, before it becomes a result or an evaluation."""

    check_name: str
    passed: bool
    metadata: dict[str, Any]


def check_outcomes(
    asset: LoadedAsset, defs: list[SodaCheckDef], outcome: "MaterializationOutcome"
) -> list[CheckOutcomeRow]:
    suite = outcome.checks
    by_name = {r.name: r for r in suite.results} if suite else {}
    scan_error = "; ".join(suite.errors) if suite and suite.errors else outcome.error
    rows = []
    for d in defs:
        found = by_name.get(d.soda_name)
        passed = found is not None and found.passed and not (suite and suite.errors)
        # A failed check links to the asset's review page, where the repair agent's proposal will wait.
        url = None if passed else asset_review_url(asset.name)
        error = None if found else scan_error or "the check did not run"
        rows.append(CheckOutcomeRow(d.dagster_name, passed, _check_metadata(found, error, url)))
    return rows


def check_results(
    asset: LoadedAsset, defs: list[SodaCheckDef], outcome: "MaterializationOutcome"
) -> list[dg.AssetCheckResult]:
    return [
        dg.AssetCheckResult(
            asset_key=dg.AssetKey(asset.name),
            check_name=row.check_name,
            passed=row.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=row.metadata,
        )
        for row in check_outcomes(asset, defs, outcome)
    ]


def check_evaluations(
    asset: LoadedAsset, defs: list[SodaCheckDef], outcome: "MaterializationOutcome"
) -> list[dg.AssetCheckEvaluation]:
    """The same outcomes as evaluations, for a publish recorded outside the asset's own step (a promotion)."""
    return [
        dg.AssetCheckEvaluation(
            asset_key=dg.AssetKey(asset.name),
            check_name=row.check_name,
            passed=row.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=row.metadata,
        )
        for row in check_outcomes(asset, defs, outcome)
    ]


def provenance_metadata(asset: LoadedAsset) -> dict[str, Any]:
    """Where the code came from, from the frozen header: what a reviewer looks for on the asset's page."""
    meta = parse_header(asset.sql)
    if meta is None:
        who = "hand-written (no generated code)" if asset.sql else "no code yet"
        return {"model": who, "prompt_sha256": "-", "approver": who, "frozen_at": "-"}
    return {
        "model": meta.model,
        "prompt_sha256": meta.prompt_sha256,
        "approver": meta.approver or "-",
        "frozen_at": meta.frozen_at,
    }


def _code_for(asset: LoadedAsset, project: Project, settings: Settings) -> LoadedAsset:
    """The asset with code matching its spec; missing or stale code is written by the codegen agent first.

    Tier 1 code is frozen at once; tiers 2 and 3 need an approver (AGENTIC_APPROVER), otherwise the run
    fails and says how to approve.
    """
    from agentic_assets.codegen import AwaitingApproval, GenerationError, ensure_code

    try:
        return ensure_code(asset, project, settings, approver=os.environ.get("AGENTIC_APPROVER") or None)
    except (AwaitingApproval, GenerationError) as err:
        raise dg.Failure(description=str(err), allow_retries=False) from None


def build_asset(asset: LoadedAsset, project: Project, settings: Settings) -> dg.AssetsDefinition:
    spec = asset.spec
    defs = check_definitions(asset.checks_text, spec.name)
    key = dg.AssetKey(spec.name)
    check_specs = [
        dg.AssetCheckSpec(name=d.dagster_name, asset=key, blocking=True, description=f"SodaCL: {d.line}") for d in defs
    ]
    asset_spec = dg.AssetSpec(
        key=key,
        deps=[dg.AssetKey(s) for s in spec.sources],
        description=spec.description.strip(),
        group_name=spec.group or "default",
        code_version=asset.code_version,
        owners=[f"team:{spec.owner}"] if spec.owner else [],
        kinds={spec.sink.format, "duckdb"},
        tags={"tier": str(spec.tier)},
        metadata={
            "tier": spec.tier,
            "owner": spec.owner or "-",
            "code_version": asset.code_version or "-",
            **provenance_metadata(asset),
            "table": spec.sink.table,
            "write_mode": spec.sink.mode,
            "spec": str(asset.path),
            "sql": dg.MetadataValue.md(f"```sql\n{asset.sql or '-- no transform yet'}\n```"),
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(n, t) for n, t in asset.output_schema.items()]
            ),
        },
    )

    @dg.multi_asset(name=spec.name, specs=[asset_spec], check_specs=check_specs, can_subset=False)
    def _materialize(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        def report(name: str, stage: str) -> None:
            context.log.info(f"{name}: {stage}")
            if progress_hook:
                progress_hook(name, stage)  # type: ignore[arg-type]

        from agentic_assets.materialize.wap import materialize  # a run's import, not the code location's

        current = _code_for(asset, project, settings)
        try:
            outcome = materialize(
                current, project, settings, run_id=context.run_id.split("-")[0] + "_" + spec.name, on_progress=report
            )
        except Exception as err:
            # The transform (or a read, or a store) failed before any check ran: a failed run, not failed checks.
            raise dg.Failure(
                description=f"{spec.name} failed before its checks (review: {asset_review_url(spec.name)}): "
                f"{type(err).__name__}: {err}; the published table is unchanged",
                metadata={
                    "error": dg.MetadataValue.text(f"{type(err).__name__}: {err}"),
                    "review": dg.MetadataValue.url(asset_review_url(spec.name)),
                },
                allow_retries=False,
            ) from err
        results = check_results(current, defs, outcome)
        # The audit chain's head, anchored outside its database: `audit verify --head` checks against it.
        audit_seq, audit_head = audit_log_for(settings).tip()
        anchor = {"audit_head": audit_head, "audit_records": audit_seq}
        if outcome.published:
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "dagster/row_count": outcome.table_rows,
                    "rows_written": outcome.rows_written,
                    "table_version": outcome.version_after,
                    "previous_version": outcome.version_before,
                    "seconds": round(outcome.seconds, 3),
                    **anchor,
                },
                check_results=results,
            )
            return
        yield from results
        failed = [r.check_name for r in results if not r.passed]
        raise dg.Failure(
            description=f"{spec.name}: blocking checks failed ({', '.join(failed)}); "
            f"the published table is unchanged at version {outcome.version_before}",
            metadata={
                "failed_checks": json.dumps(failed),
                "run_id": outcome.run_id,
                "review": dg.MetadataValue.url(asset_review_url(spec.name)),
                **anchor,
            },
            allow_retries=False,
        )

    return _materialize


def build_assets(project: Project, settings: Settings) -> list[dg.AssetsDefinition]:
    return [build_asset(project.assets[name], project, settings) for name in project.topological_order()]
