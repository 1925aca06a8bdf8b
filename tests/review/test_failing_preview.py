"""The failing side of a proposal's page is replayed once and kept until the code, checks or data change."""

from __future__ import annotations

import pyarrow.parquet as pq

from agentic_assets.repair.gate import record_approval
from agentic_assets.repair.store import RepairStore
from agentic_assets.review_app.failing_preview import PreviewCache, failing_preview


def test_the_replay_is_kept_and_replayed_again_when_the_data_or_checks_change(tier2) -> None:
    settings, repair = tier2
    first = failing_preview(settings, repair)
    assert not first.cached
    # The current code names the renamed column: it fails, and the page says how.
    shown = " ".join([first.failing.error or "", *first.failing.failed_checks])
    assert "merchant_subcategory" in shown
    assert first.failing.replayed_at is not None

    again = failing_preview(settings, repair)
    assert again.cached and again.failing == first.failing

    # New data for the source (same rows, written again): the kept replay no longer describes it.
    raw = settings.data_dir / "raw" / "transactions.parquet"
    table = pq.read_table(raw)
    pq.write_table(table.slice(0, table.num_rows - 1), raw)
    after_data = failing_preview(settings, repair)
    assert not after_data.cached
    assert failing_preview(settings, repair).cached

    # New checks for the asset: replayed again.
    spec = next(settings.specs_dir.rglob("daily_totals.yaml"))
    spec.write_text(spec.read_text().replace("row_count > 0", "row_count > 1"))
    assert not failing_preview(settings, repair).cached

    # Another proposal is never given this one's replay.
    other = repair.model_copy(update={"repair_id": "rp-other"})
    assert not failing_preview(settings, other).cached


def test_once_approved_the_kept_replay_is_shown_and_nothing_is_replayed(tier2) -> None:
    settings, repair = tier2
    kept = failing_preview(settings, repair).failing
    record_approval(settings, repair.repair_id, "alice@bank.example")
    approved = RepairStore.for_settings(settings).get(repair.repair_id)
    assert approved is not None and approved.approved_by
    # Even though the data changes while the approved change is applied, the page shows what was decided on.
    raw = settings.data_dir / "raw" / "transactions.parquet"
    pq.write_table(pq.read_table(raw), raw)
    shown = failing_preview(settings, approved)
    assert shown.cached and shown.failing == kept
    assert PreviewCache.for_settings(settings).latest("rp-never-seen") is None
