"""Which store holds an asset's sink."""

from __future__ import annotations

from agentic_assets.settings import Settings
from agentic_assets.specs.model import SinkSpec
from agentic_assets.tables.base import TableStore
from agentic_assets.tables.delta_store import delta_store
from agentic_assets.tables.iceberg_store import iceberg_store


def store_for(settings: Settings, sink: SinkSpec) -> TableStore:
    if sink.format == "iceberg":
        return iceberg_store(settings, sink.table)
    return delta_store(settings, sink.table)
