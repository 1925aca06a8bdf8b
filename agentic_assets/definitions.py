"""The one entry point of the code location: `dagster dev` and every test load `defs` from here."""

from __future__ import annotations

import dagster as dg

from agentic_assets.assets.factory import RAW_GROUP, build_assets, raw_source_specs
from agentic_assets.engines.choice import engine_for
from agentic_assets.executors import executor_from_env
from agentic_assets.lineage.sensor import build_lineage_flush_sensor
from agentic_assets.repair.sensors import repair_sensors
from agentic_assets.review_app.apply_job import apply_proposal_job
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project

MATERIALIZE_ALL = "materialize_all"


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    project = load_project(settings)
    assets = build_assets(project, settings)
    resources = {}
    if any(engine_for(a.spec, settings) == "spark" for a in project.assets.values()):
        from agentic_assets.engines.spark_session import spark_resource  # imports pyspark: only when used

        resources["pyspark"] = spark_resource(settings)  # lazy: the JVM starts when a Spark asset runs
    return dg.Definitions(
        assets=[*raw_source_specs(project, settings), *assets],
        jobs=[
            dg.define_asset_job(
                MATERIALIZE_ALL,
                selection=dg.AssetSelection.all() - dg.AssetSelection.groups(RAW_GROUP),
                description="Materialize every asset through write-audit-publish.",
            ),
            apply_proposal_job(settings),
        ],
        # A failed run or blocking check starts a repair run; queued lineage is re-sent when DataHub is back.
        sensors=[*repair_sensors(settings), build_lineage_flush_sensor(settings)],
        # AGENTIC_ASSETS_EXECUTOR=k8s when deployed: one Kubernetes Job per step (deploy/).
        executor=executor_from_env(),
        resources=resources,
    )


defs = build_definitions()
