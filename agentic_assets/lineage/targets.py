"""Where proposals go: a DataHub GMS over REST, or a file of proposals that `datahub ingest` loads later."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter
from datahub.ingestion.sink.file import write_metadata_file
from datahub.metadata.schema_classes import ASPECT_NAME_MAP

from agentic_assets.settings import Settings

GMS_URL_ENV = "DATAHUB_GMS_URL"
GMS_TOKEN_ENV = "DATAHUB_GMS_TOKEN"
LINEAGE_FILE = Path("lineage") / "datahub_mcps.json"

# Bounded: a DataHub that is down costs one refused connection; one that hangs, at most a few seconds.
CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 10.0
RETRIES = 1

_TIMESERIES = {name for name, cls in ASPECT_NAME_MAP.items() if getattr(cls, "ASPECT_TYPE", "") == "timeseries"}


class Target(Protocol):
    def send(self, mcps: Sequence[MetadataChangeProposalWrapper]) -> None:
        """Deliver every proposal or raise; partial delivery is fine (proposals are upserts)."""

    def describe(self) -> str: ...


def lineage_file(settings: Settings) -> Path:
    return settings.data_dir / LINEAGE_FILE


class FileTarget:
    """A JSON list of proposals, kept as the latest value per aspect (and every distinct timeseries event).

    Merging instead of appending keeps the file a faithful picture however often a run is recorded or re-sent.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return str(self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @staticmethod
    def _key(obj: dict) -> str:
        aspect = obj.get("aspectName", "")
        key = f"{obj.get('entityUrn')}|{aspect}"
        if aspect in _TIMESERIES:
            key += "|" + json.dumps(obj.get("aspect"), sort_keys=True)
        return key

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text() or "[]")
        except json.JSONDecodeError:
            return []
        return data if isinstance(data, list) else []

    def send(self, mcps: Sequence[MetadataChangeProposalWrapper]) -> None:
        with self._locked():
            merged = {self._key(o): o for o in self.read()}
            for mcp in mcps:
                obj = mcp.to_obj(simplified_structure=True)
                merged[self._key(obj)] = obj
            tmp = self.path.with_name(self.path.name + ".tmp")
            write_metadata_file(tmp, list(merged.values()))
            os.replace(tmp, self.path)  # readers never see half a file


class RestTarget:
    """DataHub GMS through the SDK's REST emitter (Rest.li ingest endpoints), short timeouts, one retry."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.token = token

    def describe(self) -> str:
        return self.url

    def send(self, mcps: Sequence[MetadataChangeProposalWrapper]) -> None:
        emitter = DatahubRestEmitter(
            gms_server=self.url,
            token=self.token,
            connect_timeout_sec=CONNECT_TIMEOUT_S,
            read_timeout_sec=READ_TIMEOUT_S,
            retry_max_times=RETRIES,
            # Rest.li works on every GMS version; OpenAPI would be picked per server and vary between them.
            openapi_ingestion=False,
        )
        try:
            emitter.test_connection()  # GET /config: fails fast, and refuses a frontend URL given by mistake
            emitter.emit_mcps(list(mcps))
        finally:
            emitter.close()


def resolve_target(settings: Settings, to: str | None = None) -> Target:
    """`to` (a URL or a file path) if given; else DATAHUB_GMS_URL (+ DATAHUB_GMS_TOKEN); else the lineage file."""
    if to:
        if to.startswith(("http://", "https://")):
            return RestTarget(to, os.environ.get(GMS_TOKEN_ENV) or None)
        return FileTarget(Path(to))
    url = os.environ.get(GMS_URL_ENV)
    if url:
        return RestTarget(url, os.environ.get(GMS_TOKEN_ENV) or None)
    return FileTarget(lineage_file(settings))
