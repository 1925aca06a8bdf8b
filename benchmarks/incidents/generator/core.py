"""What one generated incident is: its sources, its incident.yaml document and its reference repair.

The reference repair (SQL, a retry, a larger limit, the data once it lands, or an escalation) stays
in the generator: it is never written into the incident folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

UTC = dt.UTC


@dataclass
class Source:
    """One source table: its file stem is its table name."""

    stem: str
    rows: list[dict[str, Any]]
    fmt: Literal["csv", "parquet"] = "csv"
    columns: list[str] | None = None
    types: dict[str, pa.DataType] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.stem}.{self.fmt}"

    def column_names(self) -> list[str]:
        if self.columns is not None:
            return self.columns
        if not self.rows:
            raise ValueError(f"{self.stem}: an empty source needs explicit columns")
        return list(self.rows[0])


@dataclass
class Reference:
    """The right repair, as the generator runs it over after/ to write expected/output.csv.

    kind: "sql" (a new transform: code change, schema evolution, dead letter, dedupe, rollback),
    "retry" (the same run without the faults), "limit" (the same SQL under twice the memory
    limit, or without the time limit that stopped it), "arrival" (the same SQL once the late rows
    have landed: they are written to landed/ and its rows to expected/output.csv) or "escalate" (no
    safe automatic repair: no expected output).
    """

    kind: Literal["sql", "retry", "limit", "arrival", "escalate"]
    sql: str | None = None
    arrived: list[Source] = field(default_factory=list)
    # The asset's checks after the repair, where the repair evolves them (a schema check that follows a
    # column a source legitimately gained); None keeps the incident's checks.
    checks: str | None = None


@dataclass
class Incident:
    id: str
    now: str
    name: str
    description: str
    sql: str
    checks: str
    category: str | list[str]
    remediation: str | list[str]
    root_cause: str
    before: list[Source]
    after: list[Source] | None
    reference: Reference
    history: list[tuple[str, str]] = field(default_factory=list)  # (sql, deployed), oldest first
    deployed: str | None = None
    faults: dict[str, Any] | None = None
    domain: str = ""
    shape: str = ""
    # Plausible but wrong repairs: each must error, fail a check, or give rows other than expected.
    wrong_repairs: list[tuple[str, str]] = field(default_factory=list)
    title: str = ""  # filled in from the symptom the after/ run really shows

    def before_sql(self) -> str:
        return self.history[-1][0] if self.history else self.sql

    def document(self) -> dict[str, Any]:
        asset: dict[str, Any] = {
            "name": self.name,
            "description": FoldedText(self.description.strip() + "\n"),
            "sql": LiteralText(self.sql.strip() + "\n"),
            "checks": LiteralText(self.checks.strip() + "\n"),
        }
        if self.history:
            asset["history"] = [{"sql": LiteralText(s.strip() + "\n"), "deployed": d} for s, d in self.history]
        if self.deployed:
            asset["deployed"] = self.deployed
        doc: dict[str, Any] = {"id": self.id, "title": self.title, "now": self.now, "asset": asset}
        if self.faults:
            doc["faults"] = self.faults
        doc["expected"] = {
            "category": self.category,
            "remediation": self.remediation,
            "root_cause": FoldedText(" ".join(self.root_cause.split()) + "\n"),
        }
        return doc


def ts(text: str) -> dt.datetime:
    """'2026-03-02T02:14:00Z' -> naive UTC datetime."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# incident.yaml with readable blocks


class LiteralText(str):
    pass


class FoldedText(str):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(LiteralText, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style="|"))
_Dumper.add_representer(FoldedText, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style=">"))


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


# ---------------------------------------------------------------------------------------------
# Writing


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_source(src: Source, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / src.filename
    columns = src.column_names()
    if src.fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            for row in src.rows:
                writer.writerow([_csv_value(row[c]) for c in columns])
        return path
    arrays = []
    for c in columns:
        values = [row[c] for row in src.rows]
        arrays.append(pa.array(values, type=src.types.get(c)) if c in src.types else pa.array(values))
    pq.write_table(pa.Table.from_arrays(arrays, names=columns), path, compression="zstd")
    return path


def write_sources(inc: Incident, folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    for src in inc.before:
        write_source(src, folder / "before")
    for src in inc.after or []:
        write_source(src, folder / "after")
    if inc.reference.kind == "arrival":
        # The sources once the late rows have landed: the outcome of a wait-and-retry is scored on them.
        for src in inc.reference.arrived:
            write_source(src, folder / "landed")
    # Sources keep their format across before/ and after/.
    fmts = {s.stem: s.fmt for s in inc.before}
    for src in inc.after or []:
        if src.stem in fmts and fmts[src.stem] != src.fmt:
            raise ValueError(f"{inc.id}: source {src.stem} changes format between before/ and after/")


def write_yaml(inc: Incident, folder: Path) -> None:
    text = dump_yaml(inc.document())
    loaded = yaml.safe_load(text)
    if loaded["id"] != folder.name or not isinstance(loaded.get("now"), str):
        raise ValueError(f"{inc.id}: incident.yaml does not round-trip")
    (folder / "incident.yaml").write_text(text, encoding="utf-8")
