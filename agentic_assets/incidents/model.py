"""An incident folder per shared/incidents/FORMAT.md, as the platform may see it: never the `expected` block.

`load_incident` drops `expected` before anything else reads the document; only `load_expected` (for a
scorer) returns it, and nothing in the repair path calls it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from agentic_assets.clock import naive_utc

SOURCE_SUFFIXES = (".csv", ".parquet")


class HistoryEntry(BaseModel):
    sql: str
    deployed: datetime | None = None


class IncidentAsset(BaseModel):
    name: str
    description: str
    sql: str
    checks: str
    history: list[HistoryEntry] = Field(default_factory=list)
    deployed: datetime | None = None


class Faults(BaseModel):
    read_failures: dict[str, int] = Field(default_factory=dict)
    memory_limit_mb: int | None = None
    timeout_s: float | None = None


class Incident(BaseModel):
    id: str
    title: str
    now: datetime | None = None
    asset: IncidentAsset
    faults: Faults = Field(default_factory=Faults)
    folder: Path

    @property
    def now_naive_utc(self) -> datetime | None:
        if self.now is None:
            return None
        return naive_utc(self.now)

    def source_files(self, phase: str) -> dict[str, Path]:
        """Table name -> file for before/, after/ or landed/ (each falls back to the phase before it per table)."""
        files = {p.stem: p for p in sorted((self.folder / "before").iterdir()) if p.suffix in SOURCE_SUFFIXES}
        phases = {"before": [], "after": ["after"], "landed": ["after", "landed"]}[phase]
        for name in phases:
            if (self.folder / name).is_dir():
                for p in sorted((self.folder / name).iterdir()):
                    if p.suffix in SOURCE_SUFFIXES:
                        files[p.stem] = p
        return files

    @property
    def has_landed(self) -> bool:
        """Late data: landed/ holds the sources once the late rows are in (read only after the repair's answer)."""
        folder = self.folder / "landed"
        return folder.is_dir() and any(p.suffix in SOURCE_SUFFIXES for p in folder.iterdir())


class Expected(BaseModel):
    category: str | list[str]
    remediation: str | list[str]
    root_cause: str = ""


def _document(folder: Path) -> dict:
    return yaml.safe_load((folder / "incident.yaml").read_text(encoding="utf-8")) or {}


def load_incident(folder: Path) -> Incident:
    doc = _document(Path(folder))
    doc.pop("expected", None)
    return Incident.model_validate({**doc, "folder": Path(folder).resolve(), "faults": doc.get("faults") or {}})


def load_expected(folder: Path) -> Expected:
    """The right answer: for scoring only."""
    return Expected.model_validate(_document(Path(folder))["expected"])


def incident_folders(*roots: Path) -> list[Path]:
    """Each root is an incident folder or a folder of them."""
    out: list[Path] = []
    for root in roots:
        root = Path(root)
        if (root / "incident.yaml").is_file():
            out.append(root)
        else:
            out.extend(sorted(p.parent for p in root.glob("*/incident.yaml")))
    return out
