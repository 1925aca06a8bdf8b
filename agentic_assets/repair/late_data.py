"""Waiting for late data: a repair that retries once the data lands, and is `promoted` only when green.

`start_waiting` parks an approved wait-for-data retry (status `waiting_for_data`, with a deadline).
`poll_waiting` — run by the `late_data_wait` sensor — checks each parked repair: the data has landed when
the freshness measure finds no source short any more (every late period there with the rows its history
says it holds) and the unchanged asset's checks pass in the sandbox on the sources as they are now (every
check, the time-dependent ones included); then it re-materializes through write-audit-publish, and the
repair is `promoted` when that run is published. A repair whose data has not landed by its deadline is
escalated to a person.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from agentic_assets.materialize.wap import materialize
from agentic_assets.repair.audit_trail import record
from agentic_assets.repair.compose import RepairedAsset
from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.freshness import PERIOD, FreshnessReport, freshness
from agentic_assets.repair.project_load import load_for_repair
from agentic_assets.repair.store import RepairStore
from agentic_assets.repair.validation import validate
from agentic_assets.repair.view import AssetView
from agentic_assets.settings import Settings

# How long a late delivery is waited for before a person hears of it: one period of the short feed (an hourly
# feed an hour, a daily one a day), since a feed a whole period late has missed its own next delivery, which
# is no longer lateness but an outage. Without a measured grain (a source absent altogether), a day: the
# slowest schedule most feeds run on.
DEFAULT_WAIT = timedelta(hours=24)


class WaitOutcome(BaseModel):
    repair_id: str
    asset: str
    status: str
    note: str


def _now(now: datetime | None) -> datetime:
    current = now or datetime.now(UTC)
    return current if current.tzinfo else current.replace(tzinfo=UTC)


def _freshness(settings: Settings, asset: str, now: datetime | None) -> FreshnessReport:
    return freshness(AssetView(settings, load_for_repair(settings), asset, now=now))


def feed_wait(report: FreshnessReport) -> timedelta:
    """One period of the coarsest short feed, or DEFAULT_WAIT when no short feed has a measured grain."""
    grains = {
        c.now.grain for c in report.columns for s in report.shortfalls if (c.source, c.column) == (s.source, s.column)
    }
    return max((PERIOD[g] for g in grains), default=DEFAULT_WAIT)


def start_waiting(
    settings: Settings, repair: RepairRecord, *, now: datetime | None = None, wait: timedelta | None = None
) -> RepairRecord:
    if wait is None:
        try:
            wait = feed_wait(_freshness(settings, repair.asset, now))
        except Exception:  # noqa: BLE001 - a source that cannot be read yet has no grain to measure
            wait = DEFAULT_WAIT
    repair.status = "waiting_for_data"
    repair.wait_until = _now(now) + wait
    repair.decided_note = f"waiting for the late data until {repair.wait_until.isoformat(timespec='seconds')}"
    RepairStore.for_settings(settings).save(repair)
    record(settings, "repair.waiting", actor="platform", asset=repair.asset,
           payload={"repair_id": repair.repair_id, "wait_until": repair.wait_until.isoformat()})  # fmt: skip
    return repair


def data_landed(settings: Settings, asset: str, *, now: datetime | None = None) -> bool:
    """Whether no source is short any more and the unchanged asset passes every one of its checks on the
    current sources (in the sandbox)."""
    project = load_for_repair(settings)
    view = AssetView(settings, project, asset, now=now)
    try:
        view.source_tables()
    except Exception:  # noqa: BLE001 - a source still absent: not landed
        return False
    if freshness(view).shortfalls:
        return False  # a late period is still missing rows, even where the checks cannot tell
    unchanged = RepairedAsset(sql=view.sql or "", checks=view.checks_text, limits=view.run_limits())
    verdict, _ = validate(view, unchanged, now=now)
    return verdict.ok


def poll_waiting(settings: Settings, *, now: datetime | None = None) -> list[WaitOutcome]:
    """One pass over the repairs waiting for data: re-materialize the landed ones, escalate the overdue ones."""
    store = RepairStore.for_settings(settings)
    out: list[WaitOutcome] = []
    for repair in store.list(status="waiting_for_data"):
        current = _now(now)
        clock_now = now.replace(tzinfo=None) if now is not None and now.tzinfo else now
        if data_landed(settings, repair.asset, now=clock_now):
            project = load_for_repair(settings)
            outcome = materialize(project.assets[repair.asset], project, settings, now=clock_now)
            if outcome.published:
                repair.status = "promoted"
                repair.decided_note = "the late data landed; the asset re-ran green"
                repair.seconds_to_green = round((current - repair.opened_at).total_seconds(), 3)
                store.save(repair)
                record(settings, "repair.promotion", actor="platform", asset=repair.asset,
                       payload={"repair_id": repair.repair_id, "status": "promoted",
                                "table_version": outcome.version_after})  # fmt: skip
                out.append(WaitOutcome(repair_id=repair.repair_id, asset=repair.asset, status="promoted",
                                       note=repair.decided_note))  # fmt: skip
                continue
        if repair.wait_until is not None and current >= repair.wait_until:
            repair.status = "escalated"
            repair.decided_note = "the late data did not land before the deadline; a person must decide"
            store.save(repair)
            record(settings, "repair.escalated", actor="platform", asset=repair.asset,
                   payload={"repair_id": repair.repair_id, "reason": "late data did not land"})  # fmt: skip
            out.append(WaitOutcome(repair_id=repair.repair_id, asset=repair.asset, status="escalated",
                                   note=repair.decided_note))  # fmt: skip
            continue
        out.append(WaitOutcome(repair_id=repair.repair_id, asset=repair.asset, status="waiting_for_data",
                               note="the data has not landed yet"))  # fmt: skip
    return out
