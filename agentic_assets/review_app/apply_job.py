"""The Dagster job `apply_proposal`: launched from the UI with a proposal id, it applies an approved proposal,
re-materializes the asset through write-audit-publish and records the publish and its checks in the run."""

from __future__ import annotations

import dagster as dg

from agentic_assets.settings import Settings

APPLY_JOB = "apply_proposal"


def apply_proposal_job(settings: Settings) -> dg.JobDefinition:
    @dg.op(name="apply_approved_proposal", config_schema={"proposal_id": str})
    def apply_op(context):  # noqa: ANN001, ANN202 - Dagster reads the bare `context`
        from agentic_assets.repair.gate import GateError
        from agentic_assets.repair.promotion import ApprovalMissing
        from agentic_assets.review_app.applying import apply_and_record
        from agentic_assets.review_app.config import proposal_url

        repair_id = context.op_config["proposal_id"]
        try:
            applied = apply_and_record(settings, repair_id, context.log_event)
        except (GateError, ApprovalMissing) as err:
            raise dg.Failure(
                description=f"{err}; review it at {proposal_url(repair_id)}",
                metadata={"proposal": dg.MetadataValue.url(proposal_url(repair_id))},
                allow_retries=False,
            ) from None
        if applied.status != "promoted":
            raise dg.Failure(
                description=f"proposal {repair_id} of {applied.asset} was not applied: {applied.error}; "
                "the published table is unchanged",
                allow_retries=False,
            )
        context.log.info(f"proposal {repair_id} applied: {applied.asset} published at version {applied.table_version}")
        return applied.table_version

    @dg.job(
        name=APPLY_JOB,
        description="Apply an approved repair proposal (config: proposal_id) and re-materialize its asset.",
        tags={"agentic/kind": "apply_proposal"},
        executor_def=dg.in_process_executor,  # one op: no second process to start
    )
    def _job() -> None:
        apply_op()

    return _job
