"""DataHub URNs for the lineage contracts, through the SDK's own builders."""

from __future__ import annotations

from datahub.emitter.mce_builder import (
    datahub_guid,
    make_assertion_urn,
    make_data_flow_urn,
    make_data_job_urn_with_flow,
    make_dataplatform_instance_urn,
    make_dataset_urn_with_platform_instance,
    make_group_urn,
    make_schema_field_urn,
)

from agentic_assets.lineage.model import ENV, DatasetRef
from agentic_assets.lineage.naming import ASSERTION_PLATFORM, ORCHESTRATOR


def dataset_urn(ref: DatasetRef) -> str:
    return make_dataset_urn_with_platform_instance(ref.platform, ref.name, ref.platform_instance, ENV)


def platform_instance_urn(ref: DatasetRef) -> str | None:
    return make_dataplatform_instance_urn(ref.platform, ref.platform_instance) if ref.platform_instance else None


def field_urn(ref: DatasetRef, column: str) -> str:
    return make_schema_field_urn(dataset_urn(ref), column)


def flow_urn(code_location: str) -> str:
    return make_data_flow_urn(ORCHESTRATOR, code_location, ENV)


def job_urn(code_location: str, asset: str) -> str:
    return make_data_job_urn_with_flow(flow_urn(code_location), asset)


def assertion_urn(code_location: str, asset: str, check: str) -> str:
    # Stable across runs: the same check of the same asset is the same assertion.
    guid = datahub_guid({"platform": ASSERTION_PLATFORM, "flow": code_location, "asset": asset, "check": check})
    return make_assertion_urn(guid)


def owner_urn(owner: str) -> str:
    return make_group_urn(owner)
