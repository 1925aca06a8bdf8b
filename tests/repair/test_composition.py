"""Repairs compose: after a repaired rename, a second fault on the same column is traced to its new name."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from agentic_assets.materialize.wap import materialize
from agentic_assets.repair.gate import approve
from agentic_assets.repair.service import start_repair
from agentic_assets.specs.loader import load_project

from .project import land, write_project
from .test_repair_e2e import DAILY_CHECKS, DAILY_SQL, feed


def _run(settings):  # noqa: ANN001, ANN202
    project = load_project(settings)
    try:
        return materialize(project.assets["daily_totals"], project, settings)
    except Exception:  # noqa: BLE001 - a failed run is in the run log, which the repair reads
        return None


@pytest.mark.slow
def test_a_second_fault_on_a_renamed_column_reads_the_new_name(tmp_path: Path) -> None:
    before = feed()
    settings = write_project(tmp_path, source=before, sql=DAILY_SQL, checks=DAILY_CHECKS)
    assert _run(settings).published
    renamed = before.rename_columns(["merchant_subcategory_v2" if c == "merchant_subcategory" else c
                                     for c in before.column_names])  # fmt: skip
    land(settings, renamed)
    assert _run(settings) is None
    first = approve(settings, start_repair(settings, "daily_totals").repair_id, "alice")
    assert first.status == "promoted", first.diagnosis

    # The feed now also sends rows without a subcategory, in the column the first repair reads.
    column = renamed.column("merchant_subcategory_v2")
    holes = pa.array([i % 25 == 0 for i in range(renamed.num_rows)])
    nulled = renamed.set_column(
        renamed.schema.get_field_index("merchant_subcategory_v2"),
        "merchant_subcategory_v2",
        pc.if_else(holes, pa.scalar(None, pa.string()), column),
    )
    land(settings, nulled)
    failed = _run(settings)
    assert failed is not None and not failed.published
    second = start_repair(settings, "daily_totals")
    assert second.repair_id != first.repair_id
    assert not second.diagnosis.escalate, second.diagnosis
    dead = [p for p in second.plan.proposals if p.kind == "dead_letter"]
    assert dead and "merchant_subcategory_v2" in dead[0].condition
    assert second.verdict.ok
