"""Without a DataHub configured, lineage goes to a file of proposals that DataHub's own CLI accepts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agentic_assets.lineage import emit_all
from agentic_assets.lineage.targets import lineage_file
from agentic_assets.settings import Settings
from agentic_assets.specs.project import Project

FLOW = "urn:li:dataFlow:(dagster,agentic_assets,PROD)"


def _aspects(path: Path) -> dict[tuple[str, str], dict]:
    return {(o["entityUrn"], o["aspectName"]): o["aspect"]["json"] for o in json.loads(path.read_text())}


def _path_name(p: Path) -> str:
    return os.path.abspath(p).strip("/")


def _field(dataset: str, column: str) -> str:
    return f"urn:li:schemaField:({dataset},{column})"


def _edges(upstream_lineage: dict) -> dict[str, set[str]]:
    return {f["downstreams"][0]: set(f["upstreams"]) for f in upstream_lineage["fineGrainedLineages"]}


def test_emitted_file_passes_datahub_check_and_names_datasets_as_datahub_does(
    project: Project, lineage_settings: Settings
) -> None:
    report = emit_all(project, lineage_settings)
    path = lineage_file(lineage_settings)
    assert report.ok and report.target == str(path) and report.mcps > 100

    datahub_cli = Path(sys.executable).with_name("datahub")
    env = {**os.environ, "DATAHUB_TELEMETRY_ENABLED": "false"}
    check = subprocess.run(
        [str(datahub_cli), "check", "metadata-file", str(path)], capture_output=True, text=True, env=env, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"{report.mcps} MCEs found - all valid" in check.stdout

    aspects = _aspects(path)
    data = lineage_settings.data_dir
    transactions = f"urn:li:dataset:(urn:li:dataPlatform:file,{_path_name(data / 'raw/transactions.parquet')},PROD)"
    customers = f"urn:li:dataset:(urn:li:dataPlatform:file,{_path_name(data / 'raw/customers.parquet')},PROD)"
    # Iceberg: namespace.table under the catalog's platform instance (DataHub prefixes the name with it).
    segments = "urn:li:dataset:(urn:li:dataPlatform:iceberg,agentic.analytics.customer_segments,PROD)"
    monthly = "urn:li:dataset:(urn:li:dataPlatform:iceberg,agentic.analytics.monthly_customer_totals,PROD)"
    summary_path = _path_name(lineage_settings.delta_dir / "analytics/segment_monthly_summary")
    summary = f"urn:li:dataset:(urn:li:dataPlatform:delta-lake,{summary_path},PROD)"

    assert aspects[(segments, "dataPlatformInstance")] == {
        "platform": "urn:li:dataPlatform:iceberg",
        "instance": "urn:li:dataPlatformInstance:(urn:li:dataPlatform:iceberg,agentic)",
    }
    assert aspects[(summary, "dataPlatformInstance")] == {"platform": "urn:li:dataPlatform:delta-lake"}
    assert aspects[(transactions, "datasetProperties")]["customProperties"]["format"] == "parquet"

    fields = {f["fieldPath"]: f for f in aspects[(customers, "schemaMetadata")]["fields"]}
    assert fields["customer_id"]["nativeDataType"] == "BIGINT"
    assert "NumberType" in json.dumps(fields["customer_id"]["type"])
    assert "DateType" in json.dumps(fields["signup_date"]["type"])
    assert fields["email"]["globalTags"] == {"tags": [{"tag": "urn:li:tag:pii"}]}

    # The join asset: table-level upstreams and column edges from both raw files.
    seg_lineage = aspects[(segments, "upstreamLineage")]
    assert {u["dataset"] for u in seg_lineage["upstreams"]} == {customers, transactions}
    seg_edges = _edges(seg_lineage)
    assert seg_edges[_field(segments, "customer_id")] == {_field(customers, "customer_id")}
    assert seg_edges[_field(segments, "country")] == {_field(customers, "country")}
    assert seg_edges[_field(segments, "settled_spend")] == {_field(transactions, "amount")}

    # The downstream asset: its upstreams are the two Iceberg assets, across platforms.
    sum_lineage = aspects[(summary, "upstreamLineage")]
    assert {u["dataset"] for u in sum_lineage["upstreams"]} == {monthly, segments}
    assert _edges(sum_lineage) == {
        _field(summary, "segment"): {_field(segments, "segment")},
        _field(summary, "month"): {_field(monthly, "month")},
        _field(summary, "active_customers"): {_field(monthly, "customer_id")},
        _field(summary, "total_amount"): {_field(monthly, "total_amount")},
    }

    # One DataFlow for the code location, one DataJob per asset with the SQL and its provenance.
    assert aspects[(FLOW, "dataFlowInfo")]["name"] == "agentic_assets"
    job = f"urn:li:dataJob:({FLOW},customer_segments)"
    info = aspects[(job, "dataJobInfo")]
    assert info["flowUrn"] == FLOW
    assert info["customProperties"]["code_version"] == project.assets["customer_segments"].code_version
    assert info["customProperties"]["spec_hash"] == project.assets["customer_segments"].spec.fingerprint()
    transform = aspects[(job, "dataTransformLogic")]["transforms"][0]["queryStatement"]
    assert transform == {"value": project.assets["customer_segments"].sql, "language": "SQL"}
    io = aspects[(job, "dataJobInputOutput")]
    assert set(io["inputDatasets"]) == {customers, transactions} and io["outputDatasets"] == [segments]
    assert {f"urn:li:dataJob:({FLOW},{name})" for name in project.assets} <= {urn for urn, _ in aspects}

    # Every SodaCL check is an assertion on the asset's table.
    assertions = [a for (urn, name), a in aspects.items() if name == "assertionInfo"]
    on_segments = [a for a in assertions if a["customAssertion"]["entity"] == segments]
    assert on_segments and all(a["source"]["type"] == "EXTERNAL" for a in on_segments)


def test_emitting_twice_leaves_the_same_file(project: Project, lineage_settings: Settings) -> None:
    emit_all(project, lineage_settings)
    first = lineage_file(lineage_settings).read_text()
    emit_all(project, lineage_settings)
    assert lineage_file(lineage_settings).read_text() == first


def test_emit_to_an_explicit_file(project: Project, lineage_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "mcps.json"
    report = emit_all(project, lineage_settings, target=out)
    assert report.ok and len(json.loads(out.read_text())) == report.mcps
    assert not lineage_file(lineage_settings).exists()
