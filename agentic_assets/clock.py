"""Times as the platform stores and compares them: naive UTC wall time."""

from __future__ import annotations

from datetime import UTC, datetime


def naive_utc(value: datetime) -> datetime:
    """A value with an offset as the UTC wall time it names; naive values (already UTC) as they are."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
