"""Apply an approved proposal and record the publish in Dagster, so the asset turns green in the Dagster UI.

The web page and the Dagster job `apply_proposal` both come here. The approval is checked again where the
change is applied (`promotion.require_approval`); a change that does not turn green is put back and nothing is
published, and Dagster is told nothing.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import dagster as dg
from pydantic import BaseModel

from agentic_assets.assets.factory import check_evaluations
from agentic_assets.materialize.wap import ProgressHook
from agentic_assets.repair.gate import apply_approved
from agentic_assets.review_app.config import proposal_url
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project
from asset_checks.sodacl import check_definitions

DagsterEvent = dg.AssetMaterialization | dg.AssetCheckEvaluation
CODE_LOCATION = "agentic_assets"


class Applied(BaseModel):
    repair_id: str
    asset: str
    status: str
    error: str | None = None
    table_version: int | None = None
    recorded_in_dagster: bool = False


def apply_and_record(
    settings: Settings,
    repair_id: str,
    emit: Callable[[DagsterEvent], None] | None,
    on_progress: ProgressHook | None = None,
    on_promoted: Callable[[], None] | None = None,
) -> Applied:
    """Promote an approved repair; when green, hand its materialization and check evaluations to `emit`.

    `on_progress` hears each stage of the re-materialization; `on_promoted`, that the promotion is complete
    (files, table, code history, audit) and only the Dagster events remain."""
    repair, outcome = apply_approved(settings, repair_id, on_progress=on_progress)
    applied = Applied(repair_id=repair.repair_id, asset=repair.asset, status=repair.status, error=repair.error)
    if repair.status != "promoted" or outcome is None or not outcome.published:
        return applied
    if on_promoted is not None:
        on_promoted()
    applied.table_version = outcome.version_after
    if emit is not None:
        for event in dagster_events(settings, repair.repair_id, repair.asset, repair.approved_by, outcome):
            emit(event)
        applied.recorded_in_dagster = True
    return applied


def dagster_events(settings: Settings, repair_id: str, asset_name: str, approver: str | None, outcome) -> list:  # noqa: ANN001
    asset = load_project(settings).assets[asset_name]  # as promoted: the new code version
    meta: dict[str, Any] = {
        "dagster/row_count": outcome.table_rows,
        "rows_written": outcome.rows_written,
        "table_version": outcome.version_after,
        "previous_version": outcome.version_before,
        "code_version": asset.code_version or "-",
        "proposal_id": repair_id,
        "approver": approver or "-",
        "proposal": dg.MetadataValue.url(proposal_url(repair_id)),
    }
    events: list[DagsterEvent] = [dg.AssetMaterialization(asset_key=asset_name, metadata=meta)]
    events += check_evaluations(asset, check_definitions(asset.checks_text, asset_name), outcome)
    return events


def report_to_instance(instance: dg.DagsterInstance) -> Callable[[DagsterEvent], None]:
    """Events recorded without a run: what the web page uses, since it applies the change itself."""
    return instance.report_runless_asset_event


def reload_code_location(dagster_url: str | None, timeout: float = 10.0) -> bool:
    """Ask the Dagster UI to reload the code location, so it shows the promoted SQL and code version."""
    if not dagster_url:
        return False
    query = {"query": f'mutation {{ reloadRepositoryLocation(repositoryLocationName: "{CODE_LOCATION}") '
                      "{ __typename } }"}  # fmt: skip
    request = urllib.request.Request(
        dagster_url.rstrip("/") + "/graphql",
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - a configured local URL
            return reply.status == 200
    except OSError:
        return False
