"""Retry operators for a failure the data will heal: a source that has not landed, a read that failed once.

Both read typed evidence: the failure's exception family and the schema diff's view of each source now
(absent, unreadable, or readable with the schema of the last good run). Neither looks at message wording.
"""

from __future__ import annotations

from agentic_assets.repair.failure_signal import FailureSignal
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.schema_diff import SchemaDiff

# The first wait of the retry's exponential backoff: an object store's throttling or failover window is
# measured in tens of seconds, so a first retry after a minute sees the store recovered in the common case.
FIRST_BACKOFF_S = 60.0


def late_source(schema: SchemaDiff) -> Finding | None:
    """A source that is not there at all has not landed yet: wait for it, then re-materialize."""
    absent = [u for u in schema.unreadable if not u.present]
    if not absent:
        return None
    names = ", ".join(u.source for u in absent)
    return Finding(
        category="late_data",
        remediation="retry",
        cause=f"{names} has not arrived: the source is absent now and was there at the last good run",
        evidence=["failed_run", "schema_diff"],
        confidence=0.85,
        wait_for_data=True,
    )


def transient_read(signal: FailureSignal, schema: SchemaDiff, error: str) -> Finding | None:
    """An I/O failure while every source now reads cleanly with its last good schema: the same run will pass."""
    if signal.family != "io" or schema.unreadable:
        return None
    if any(d.changed for d in schema.sources):
        return None
    return Finding(
        category="transient",
        remediation="retry",
        cause=f"reading a source failed for a moment ({signal.exception_types[0] if signal.exception_types else 'I/O'}"
        f": {error[:160]}); every source reads cleanly now with the schema of the last good run",
        evidence=["failed_run", "schema_diff"],
        confidence=0.9,
        backoff_s=FIRST_BACKOFF_S,
    )
