"""DataHub names for this project's datasets and jobs, matching what DataHub's own ingestion would emit.

- Iceberg: platform `iceberg`, name `namespace.table`, platform instance = the Iceberg catalog name.
- Delta: platform `delta-lake`, name = the table's path. DataHub's delta-lake source names a local table by its
  absolute path with the leading `/` stripped (`browse_path = path.strip("/")`), so this does the same.
- Raw files: platform `file`, name = the file's absolute path, stripped the same way (DataHub's s3/local source).
"""

from __future__ import annotations

import os
from pathlib import Path

from agentic_assets.lineage.model import DatasetRef
from agentic_assets.settings import Settings
from agentic_assets.specs.model import RawSource, SinkSpec

# The `[tool.dagster] code_location_name`; one DataFlow per code location.
CODE_LOCATION = "agentic_assets"
ORCHESTRATOR = "dagster"
ASSERTION_PLATFORM = "soda"


def path_name(path: Path) -> str:
    """A local path as DataHub's file-based sources name it: absolute, no leading or trailing slash."""
    return os.path.abspath(path).strip("/")


def raw_source_ref(source: RawSource, settings: Settings) -> DatasetRef:
    return DatasetRef(platform="file", name=path_name(settings.data_dir / source.path))


def sink_ref(sink: SinkSpec, settings: Settings) -> DatasetRef:
    if sink.format == "iceberg":
        return DatasetRef(platform="iceberg", name=sink.table, platform_instance=settings.iceberg_catalog_name)
    return DatasetRef(platform="delta-lake", name=path_name(settings.delta_dir / sink.table))


def sink_location(sink: SinkSpec, settings: Settings) -> str:
    if sink.format == "iceberg":
        return f"{settings.iceberg_catalog_name}.{sink.table}"
    return os.path.abspath(settings.delta_dir / sink.table)
