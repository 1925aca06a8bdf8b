"""Join a catalog table: the adapter on real DuckDB tables, the bounds on the key, and the path end to end."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from agentic_assets.incidents import Workspace, load_incident
from agentic_assets.repair.catalog import CatalogColumn, CatalogReport, CatalogTable, ProbeHit, ProbeResult
from agentic_assets.repair.gate import approve
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators.catalog_join import (
    Target,
    candidates,
    join_adapter,
    old_label,
    targets,
)

from .incident_kit import run, write_incident


def test_the_adapter_left_joins_the_column_back_by_key() -> None:
    readings = pa.table({"meter_id": [1, 2, 2, 3, 9], "kwh": [0.5, 1.0, 1.5, 2.0, 4.0]})
    # An exact duplicate row in the dimension must not double a reading.
    meters = pa.table({"meter_id": ["1", "2", "2", "3"], "tariff": ["home", "shop", "shop", "home"]})
    sql = join_adapter("readings", "meters", "meter_id", "meter_id", "tariff", "tariff", None)
    con = duckdb.connect()
    con.register("readings", readings)
    con.register("meters", meters)
    rows = con.execute(f"SELECT meter_id, kwh, tariff FROM ({sql}) ORDER BY kwh").fetchall()
    assert rows == [(1, 0.5, "home"), (2, 1.0, "shop"), (2, 1.5, "shop"), (3, 2.0, "home"), (9, 4.0, None)]
    assert "LEFT JOIN" in sql.upper()


def _report(key_share: float, unique: bool, moved_share: float | None) -> CatalogReport:
    probes = [ProbeResult(label="readings.meter_id", values=4, hits=[
        ProbeHit(table="meters", column="meter_id", share=key_share, matched=4, unique=unique)])]  # fmt: skip
    if moved_share is not None:
        probes.append(
            ProbeResult(
                label=old_label(Target(source="readings", column="tariff")),
                values=2,
                hits=[ProbeHit(table="meters", column="tariff", share=moved_share, matched=2, unique=False)],
            )
        )
    columns = [CatalogColumn(name="meter_id", type="int64"), CatalogColumn(name="tariff", type="string")]
    table = CatalogTable(name="meters", kind="raw", rows=4, columns=columns)
    return CatalogReport(asset="totals", sources=["readings"], tables=[table], probes=probes)


def test_a_candidate_needs_a_unique_key_that_finds_the_rows_and_the_old_values() -> None:
    t = Target(source="readings", column="tariff", before_type="string")
    [[finding]] = candidates(t, _report(1.0, True, 1.0), ["readings"])
    assert finding.remediation == "code_change" and finding.add_sources == ["meters"]
    assert finding.adapter and "LEFT JOIN (SELECT DISTINCT" in finding.adapter and "FROM meters" in finding.adapter
    assert candidates(t, _report(1.0, False, 1.0), ["readings"]) == []  # one key, several rows: a fan-out
    assert candidates(t, _report(0.6, True, 1.0), ["readings"]) == []  # most rows would find no partner
    assert candidates(t, _report(1.0, True, 0.3), ["readings"]) == []  # the column holds other values
    # Nothing records the old values: the same name in a table keyed by the source's key is the evidence.
    [[by_name]] = candidates(t, _report(1.0, True, None), ["readings"])
    assert by_name.confidence < finding.confidence


def test_only_escalations_about_a_dropped_column_are_targets() -> None:
    gone = Finding(category="schema_drift", remediation="escalate", cause="x", source="readings", column="tariff")
    kept = gone.model_copy(update={"column": "kwh"})
    found = targets([gone, kept], {"readings": ["tariff"]}, {"readings": {"tariff": "string"}})
    assert [(t.source, t.column, t.before_type) for t in found] == [("readings", "tariff", "string")]


@pytest.mark.slow
def test_a_column_that_moved_to_a_dimension_is_joined_back(tmp_path: Path) -> None:
    ids = list(range(40))
    meters = pa.table({"meter_id": [100 + m for m in range(8)], "tariff": ["home", "shop"] * 4})
    before = pa.table({"meter_id": [100 + i % 8 for i in ids], "kwh": [1.0 + i for i in ids],
                       "tariff": ["home" if i % 2 == 0 else "shop" for i in ids]})  # fmt: skip
    after = before.drop_columns(["tariff"])
    folder = write_incident(
        tmp_path / "incidents",
        name="kwh-by-tariff",
        sql="SELECT tariff, COUNT(*) AS n, SUM(kwh) AS total FROM readings GROUP BY tariff",
        checks="checks for kwh_by_tariff:\n  - row_count > 0\n  - missing_count(tariff) = 0\n",
        before={"readings": before, "meters": meters},
        after={"readings": after},
    )
    result = run(folder, tmp_path / "work")
    assert result.sandbox_ok and result.remediation == "code_change", result.repair and result.repair.diagnosis
    assert result.repair is not None and result.repair.plan.proposals[0].add_sources == ["meters"]
    assert "catalog" in [s.tool for s in result.repair.trace if s.kind == "tool_call"]
    out = pq.read_table(result.output).to_pylist() if result.output else []
    assert sorted((r["tariff"], r["n"]) for r in out) == [("home", 20), ("shop", 20)]
    # Adding a source goes through the gate like any change: tier 2 waits for a person, then it is applied.
    ws = Workspace(load_incident(folder), tmp_path / "work" / "workspace")
    spec_path = ws.spec_dir / "kwh_by_tariff.yaml"
    assert yaml.safe_load(spec_path.read_text())["sources"] == ["readings"]
    assert result.repair.status == "awaiting_approval"
    promoted = approve(ws.settings, result.repair.repair_id, "a.reviewer")
    assert promoted.status == "promoted", promoted.error
    assert yaml.safe_load(spec_path.read_text())["sources"] == ["readings", "meters"]
