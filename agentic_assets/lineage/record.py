"""The hook a materialization calls when it has finished: record its lineage, never fail, never wait."""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING

from agentic_assets.lineage.delivery import background
from agentic_assets.lineage.queue import LineageQueue
from agentic_assets.lineage.snapshot import materialization_event
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset, Project

if TYPE_CHECKING:
    from agentic_assets.materialize.wap import MaterializationOutcome

log = logging.getLogger(__name__)

# `off` skips recording (throwaway runs: sandboxes, benchmarks, other packages' tests); `queue` records without
# delivering in the background (deliver with `agentic-assets lineage flush` or the flush sensor).
LINEAGE_ENV = "AGENTIC_LINEAGE"


def record_materialization(
    outcome: MaterializationOutcome,
    asset: LoadedAsset,
    project: Project,
    settings: Settings,
    *,
    sql: str | None = None,
    deliver: bool = True,
) -> None:
    """Queue the run's lineage (job, SQL, provenance, datasets, run result, check results) for DataHub.

    Only writes one SQLite row (no DataHub import, no network); delivery runs on a background thread unless
    `deliver` is False. `sql` is the SQL the run actually executed when it overrode the frozen file (a repair
    being promoted), so the DataJob shows the code that produced the table. Any error is logged, never raised.
    `AGENTIC_LINEAGE=off` turns recording off; `AGENTIC_LINEAGE=queue` records without background delivery.
    """
    mode = os.environ.get(LINEAGE_ENV, "").strip().lower()
    if mode == "off":
        return
    deliver = deliver and mode != "queue"
    started = time.perf_counter()
    try:
        event = materialization_event(outcome, asset, project, settings, sql=sql)
        LineageQueue.for_settings(settings).put(event)
    except Exception:
        log.exception("could not record lineage for %s run %s", getattr(asset, "name", "?"), outcome.run_id)
        return
    try:
        if deliver:
            background.kick(settings)
    except Exception:
        log.exception("could not start lineage delivery; the event stays queued")
    log.debug("lineage recorded for %s in %.1f ms", asset.name, (time.perf_counter() - started) * 1000)
