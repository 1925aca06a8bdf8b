"""Lineage events as DataHub metadata change proposals (upserts of whole aspects: sending twice is harmless).

Per dataset: properties, schema, platform instance, sub-type; per asset output: upstream lineage with column
edges and ownership. The code location is a DataFlow, each asset a DataJob (orchestrator `dagster`) with its SQL
as `dataTransformLogic` and its provenance as custom properties. Each run is a DataProcessInstance of the job;
each SodaCL check an external assertion on the output dataset, with one run event per evaluation.
"""

from __future__ import annotations

from collections.abc import Iterator

from datahub.api.entities.dataprocess.dataprocess_instance import DataProcessInstance, InstanceRunResult
from datahub.emitter.mce_builder import make_data_platform_urn, make_ts_millis
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AssertionInfoClass,
    AssertionResultClass,
    AssertionResultTypeClass,
    AssertionRunEventClass,
    AssertionRunStatusClass,
    AssertionSourceClass,
    AssertionSourceTypeClass,
    AssertionTypeClass,
    CustomAssertionInfoClass,
    DataFlowInfoClass,
    DataJobInfoClass,
    DataJobInputOutputClass,
    DataPlatformInstanceClass,
    DatasetLineageTypeClass,
    DatasetPropertiesClass,
    DataTransformClass,
    DataTransformLogicClass,
    FineGrainedLineageClass,
    FineGrainedLineageDownstreamTypeClass,
    FineGrainedLineageUpstreamTypeClass,
    OwnerClass,
    OwnershipClass,
    OwnershipTypeClass,
    QueryLanguageClass,
    QueryStatementClass,
    StatusClass,
    SubTypesClass,
    UpstreamClass,
    UpstreamLineageClass,
)
from datahub.metadata.urns import DataJobUrn, DatasetUrn

from agentic_assets.lineage.column_lineage import column_edges
from agentic_assets.lineage.model import AssetLineage, CheckOutcomeFacts, DatasetFacts, LineageEvent, RunFacts
from agentic_assets.lineage.naming import ASSERTION_PLATFORM, ORCHESTRATOR
from agentic_assets.lineage.provenance import job_properties
from agentic_assets.lineage.schema_fields import schema_metadata
from agentic_assets.lineage.urns import (
    assertion_urn,
    dataset_urn,
    field_urn,
    flow_urn,
    job_urn,
    owner_urn,
    platform_instance_urn,
)

MCP = MetadataChangeProposalWrapper

_RESULT = {
    "published": InstanceRunResult.SUCCESS,
    "checks_failed": InstanceRunResult.FAILURE,
    "error": InstanceRunResult.FAILURE,
}
_ASSERTION_RESULT = {
    "pass": AssertionResultTypeClass.SUCCESS,
    "warn": AssertionResultTypeClass.SUCCESS,
    "fail": AssertionResultTypeClass.FAILURE,
    "error": AssertionResultTypeClass.ERROR,
}


def event_mcps(event: LineageEvent) -> list[MCP]:
    """Every proposal for one queued event, in an order a reader can follow (flow, datasets, jobs, runs)."""
    mcps: list[MCP] = list(flow_mcps(event.code_location))
    for source in event.raw_sources:
        mcps.extend(dataset_mcps(source))
    for asset in event.assets:
        mcps.extend(asset_mcps(event.code_location, asset))
        if event.run is not None:
            mcps.extend(run_mcps(event.code_location, asset, event.run))
    return mcps


def flow_mcps(code_location: str) -> Iterator[MCP]:
    urn = flow_urn(code_location)
    yield MCP(
        entityUrn=urn,
        aspect=DataFlowInfoClass(
            name=code_location,
            description="Dagster code location whose data assets are written and repaired by agents.",
            customProperties={"code_location": code_location},
        ),
    )
    yield MCP(entityUrn=urn, aspect=StatusClass(removed=False))


def dataset_mcps(dataset: DatasetFacts) -> Iterator[MCP]:
    urn = dataset_urn(dataset.ref)
    props = {"location": dataset.location, "kind": dataset.kind}
    if dataset.file_format:
        props["format"] = dataset.file_format
    pii = [c.name for c in dataset.columns if c.pii]
    if pii:
        props["pii_columns"] = ", ".join(pii)
    yield MCP(
        entityUrn=urn,
        aspect=DatasetPropertiesClass(
            name=dataset.key,
            qualifiedName=dataset.location,
            description=dataset.description or None,
            customProperties=props,
        ),
    )
    if dataset.columns:
        yield MCP(entityUrn=urn, aspect=schema_metadata(dataset))
    instance = platform_instance_urn(dataset.ref)
    yield MCP(
        entityUrn=urn,
        aspect=DataPlatformInstanceClass(platform=make_data_platform_urn(dataset.ref.platform), instance=instance),
    )
    yield MCP(entityUrn=urn, aspect=SubTypesClass(typeNames=["File" if dataset.kind == "raw" else "Table"]))
    yield MCP(entityUrn=urn, aspect=StatusClass(removed=False))


def fine_grained_lineage(asset: AssetLineage) -> list[FineGrainedLineageClass]:
    if not asset.sql:
        return []
    by_key = {d.key: d for d in asset.inputs}
    schemas = {d.key: {c.name: c.type for c in d.columns} for d in asset.inputs}
    result = []
    for edge in column_edges(asset.sql, schemas):
        upstreams = [field_urn(by_key[t].ref, c) for t, c in edge.upstreams if t in by_key]
        if not upstreams:
            continue
        result.append(
            FineGrainedLineageClass(
                upstreamType=FineGrainedLineageUpstreamTypeClass.FIELD_SET,
                upstreams=upstreams,
                downstreamType=FineGrainedLineageDownstreamTypeClass.FIELD,
                downstreams=[field_urn(asset.output.ref, edge.downstream)],
                # The same wording DataHub's SQL parsing aggregator uses.
                transformOperation=f"{'COPY' if edge.direct_copy else 'SQL'}: {edge.logic}",
            )
        )
    return result


def asset_mcps(code_location: str, asset: AssetLineage) -> Iterator[MCP]:
    out_urn = dataset_urn(asset.output.ref)
    in_urns = [dataset_urn(d.ref) for d in asset.inputs]
    fine = fine_grained_lineage(asset)
    job = job_urn(code_location, asset.name)

    yield from dataset_mcps(asset.output)
    yield MCP(
        entityUrn=out_urn,
        aspect=UpstreamLineageClass(
            upstreams=[UpstreamClass(dataset=u, type=DatasetLineageTypeClass.TRANSFORMED) for u in in_urns],
            fineGrainedLineages=fine or None,
        ),
    )
    ownership = (
        OwnershipClass(owners=[OwnerClass(owner=owner_urn(asset.owner), type=OwnershipTypeClass.TECHNICAL_OWNER)])
        if asset.owner
        else None
    )
    if ownership:
        yield MCP(entityUrn=out_urn, aspect=ownership)

    yield MCP(
        entityUrn=job,
        aspect=DataJobInfoClass(
            name=asset.name,
            type="SQL",
            description=asset.description,
            flowUrn=flow_urn(code_location),
            customProperties=job_properties(
                code_version=asset.code_version,
                spec_hash=asset.spec_hash,
                provenance=asset.provenance,
                tier=str(asset.tier),
                owner=asset.owner,
                write_mode=asset.write_mode,
                sql_file=asset.sql_file,
                sink=asset.output.location,
            ),
        ),
    )
    yield MCP(
        entityUrn=job,
        aspect=DataJobInputOutputClass(
            inputDatasets=in_urns,
            outputDatasets=[out_urn],
            inputDatasetFields=sorted({u for f in fine for u in f.upstreams or []}) or None,
            outputDatasetFields=sorted({d for f in fine for d in f.downstreams or []}) or None,
            fineGrainedLineages=fine or None,
        ),
    )
    if asset.sql:
        yield MCP(
            entityUrn=job,
            aspect=DataTransformLogicClass(transforms=[DataTransformClass(queryStatement=_sql_statement(asset.sql))]),
        )
    if ownership:
        yield MCP(entityUrn=job, aspect=ownership)
    yield MCP(entityUrn=job, aspect=StatusClass(removed=False))

    for check in asset.checks:
        urn = assertion_urn(code_location, asset.name, check.soda_name)
        yield MCP(
            entityUrn=urn,
            aspect=AssertionInfoClass(
                type=AssertionTypeClass.CUSTOM,
                customAssertion=CustomAssertionInfoClass(
                    type="SodaCL", entity=out_urn, logic=check.line, nativeType="soda-core"
                ),
                source=AssertionSourceClass(type=AssertionSourceTypeClass.EXTERNAL),
                description=check.soda_name,
                customProperties={"asset": asset.name, "dagster_check": check.dagster_name, "blocking": "true"},
            ),
        )
        yield MCP(entityUrn=urn, aspect=DataPlatformInstanceClass(platform=make_data_platform_urn(ASSERTION_PLATFORM)))


def _sql_statement(sql: str) -> QueryStatementClass:
    return QueryStatementClass(value=sql, language=QueryLanguageClass.SQL)


def _assertion_result(check: CheckOutcomeFacts) -> AssertionResultClass:
    native = {"outcome": check.outcome}
    if check.value is not None:
        native["value"] = str(check.value)
    if check.failing_rows_count is not None:
        native["failing_rows_count"] = str(check.failing_rows_count)
    number = check.value if isinstance(check.value, int | float) and not isinstance(check.value, bool) else None
    return AssertionResultClass(
        type=_ASSERTION_RESULT[check.outcome],
        actualAggValue=float(number) if number is not None else None,
        nativeResults=native,
    )


def run_mcps(code_location: str, asset: AssetLineage, run: RunFacts) -> Iterator[MCP]:
    job = job_urn(code_location, asset.name)
    out_urn = dataset_urn(asset.output.ref)
    started, ended = make_ts_millis(run.started_at), make_ts_millis(run.ended_at)
    props = {
        "run_id": run.run_id,
        "status": run.status,
        "rows_written": str(run.rows_written),
        "table_rows": str(run.table_rows),
        "code_version": asset.code_version or "",
    }
    if run.version_before is not None:
        props["table_version_before"] = str(run.version_before)
    if run.version_after is not None:
        props["table_version_after"] = str(run.version_after)
    if run.error:
        props["error"] = run.error[:2000]
    if run.scan_errors:
        props["scan_errors"] = "; ".join(run.scan_errors)[:2000]
    # The DPI id is the run id plus the asset: one Dagster run may materialize several assets.
    dpi = DataProcessInstance(
        id=f"{run.run_id}.{asset.name}",
        orchestrator=ORCHESTRATOR,
        template_urn=DataJobUrn.from_string(job),
        properties=props,
        inlets=[DatasetUrn.from_string(dataset_urn(d.ref)) for d in asset.inputs],
        outlets=[DatasetUrn.from_string(out_urn)] if run.status == "published" else [],
    )
    yield from dpi.generate_mcp(created_ts_millis=started, materialize_iolets=False)
    yield from dpi.start_event_mcp(started)
    yield from dpi.end_event_mcp(
        ended, result=_RESULT[run.status], result_type=run.status, start_timestamp_millis=started
    )

    known = {c.soda_name for c in asset.checks}
    for check in run.checks:
        urn = assertion_urn(code_location, asset.name, check.name)
        if check.name not in known:  # a check the static reading missed still gets an assertion to attach to
            yield MCP(
                entityUrn=urn,
                aspect=AssertionInfoClass(
                    type=AssertionTypeClass.CUSTOM,
                    customAssertion=CustomAssertionInfoClass(
                        type="SodaCL", entity=out_urn, logic=check.definition or check.name, nativeType="soda-core"
                    ),
                    source=AssertionSourceClass(type=AssertionSourceTypeClass.EXTERNAL),
                    description=check.name,
                ),
            )
        yield MCP(
            entityUrn=urn,
            aspect=AssertionRunEventClass(
                timestampMillis=ended,
                runId=run.run_id,
                asserteeUrn=out_urn,
                assertionUrn=urn,
                status=AssertionRunStatusClass.COMPLETE,
                result=_assertion_result(check),
                runtimeContext={"stage": "staged table, before publish (write-audit-publish)", "status": run.status},
            ),
        )
