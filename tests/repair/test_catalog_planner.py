"""The planner's catalog step: asked once, only on evidence, and its repairs replace the escalation they answer."""

from __future__ import annotations

from typing import Any

from agentic_assets.repair.catalog import CatalogColumn, CatalogReport, CatalogTable, ProbeHit, ProbeResult
from agentic_assets.repair.failure_signal import FailureSignal
from agentic_assets.repair.freshness import FreshnessReport
from agentic_assets.repair.observations import FailedRunInfo, FailedRunReport, GoodRunInfo
from agentic_assets.repair.planner import catalog_repairs
from agentic_assets.repair.planner.analysis import Evidence, next_step
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.schema_diff import SchemaDiff, SourceDiff

SQL = "SELECT tariff, COUNT(*) AS n, SUM(kwh) AS total FROM readings GROUP BY tariff"
BEFORE = {"readings": {"meter_id": "int64", "kwh": "double", "tariff": "string"}}


def _observations(dropped: list[str]) -> dict[str, Any]:
    now = {c: t for c, t in BEFORE["readings"].items() if c not in dropped}
    report = FailedRunReport(
        asset="kwh_by_tariff",
        tier=2,
        sources=["readings"],
        failed_run=FailedRunInfo(run_id="r2", started_at="2026-03-02T00:00:00", status="error",
                                 error='Binder Error: Referenced column "tariff" not found',
                                 signal=FailureSignal(family="binder", exception_types=["BinderException"])),
        last_good_run=GoodRunInfo(run_id="r1", started_at="2026-03-01T00:00:00", input_schemas=BEFORE),
        sql=SQL,
        checks="checks for kwh_by_tariff:\n  - row_count > 0\n",
    )  # fmt: skip
    diff = SchemaDiff(
        last_good_run="r1",
        sources=[SourceDiff(source="readings", columns_now=now, dropped=dropped, used_by_transform=["kwh", "tariff"])],
    )
    return {"failed_run": report.model_dump(mode="json"), "schema_diff": diff.model_dump(mode="json")}


def _catalog(key_share: float) -> dict[str, Any]:
    columns = [CatalogColumn(name="meter_id", type="int64"), CatalogColumn(name="tariff", type="string")]
    report = CatalogReport(
        asset="kwh_by_tariff",
        sources=["readings"],
        tables=[CatalogTable(name="meters", kind="raw", rows=8, columns=columns)],
        probes=[
            ProbeResult(label="readings.tariff@last_good", values=2,
                        hits=[ProbeHit(table="meters", column="tariff", share=1.0, matched=2, unique=False)]),
            ProbeResult(label="readings.meter_id", values=8,
                        hits=[ProbeHit(table="meters", column="meter_id", share=key_share, matched=8, unique=True)]),
        ],
    )  # fmt: skip
    return report.model_dump(mode="json")


def test_a_vanished_column_asks_the_catalog_once_with_its_old_values_and_the_keys_left() -> None:
    step = next_step(Evidence(_observations(["tariff"]), {}), [0.5])
    assert step.tool == "catalog"
    labels = [p["label"] for p in step.args["probes"]]
    assert labels == ["readings.tariff@last_good", "readings.meter_id"]  # a double is no key: not probed
    assert step.args["probes"][0]["at"] == "last_good"


def test_the_catalog_answer_turns_the_escalation_into_a_join_that_adds_a_source() -> None:
    obs = _observations(["tariff"]) | {"catalog": _catalog(1.0), "code_history": {"versions": []}}
    step = next_step(Evidence(obs, {}), [0.6])
    assert step.tool is None
    [finding] = step.findings
    assert finding.remediation == "code_change" and finding.add_sources == ["meters"]
    assert finding.category == "schema_drift" and "LEFT JOIN" in (finding.adapter or "").upper()
    # A key that finds too few of the rows is no evidence: the escalation stands.
    obs["catalog"] = _catalog(0.5)
    [kept] = next_step(Evidence(obs, {}), [0.6]).findings
    assert kept.remediation == "escalate"


def test_without_that_evidence_the_catalog_is_not_asked() -> None:
    # Nothing vanished: the diff explains nothing, and the planner never spends a call on the catalog.
    obs = _observations([])
    obs["failed_run"]["failed_run"]["error"] = None
    obs["failed_run"]["failed_run"]["status"] = "checks_failed"
    obs["failed_run"]["failed_run"]["signal"] = FailureSignal().model_dump(mode="json")
    obs["failed_run"]["failed_run"]["failed_checks"] = ["row_count > 0"]
    step = next_step(Evidence(obs, {}), [0.5])
    assert step.tool != "catalog"


def _unexplained(sql: str, sources: dict[str, dict[str, str]]) -> dict[str, Any]:
    report = FailedRunReport(
        asset="per_group",
        tier=2,
        sources=list(sources),
        failed_run=FailedRunInfo(run_id="r2", started_at="2026-03-02T00:00:00", status="checks_failed",
                                 failed_checks=["row_count = 2"], signal=FailureSignal(family="checks")),
        last_good_run=GoodRunInfo(run_id="r1", started_at="2026-03-01T00:00:00", input_schemas=sources),
        sql=sql,
        checks="checks for per_group:\n  - row_count = 2\n",
    )  # fmt: skip
    diffs = [
        SourceDiff(source=s, rows_now=10, columns_now=cols, used_by_transform=sorted(cols))
        for s, cols in sources.items()
    ]
    # The data is all there: freshness finds no source short (late data ruled out first, it is the cheaper check).
    fresh = FreshnessReport(rows_now=dict.fromkeys(sources, 10), rows_at_last_good=dict.fromkeys(sources, 10))
    return {"failed_run": report.model_dump(mode="json"),
            "schema_diff": SchemaDiff(last_good_run="r1", sources=diffs).model_dump(mode="json"),
            "freshness": fresh.model_dump(mode="json")}  # fmt: skip


def test_an_unexplained_failure_of_a_join_between_two_sources_probes_the_join_key() -> None:
    sql = "SELECT d.grp, COUNT(*) AS n FROM orders f JOIN channels d ON d.channel = f.channel GROUP BY d.grp"
    obs = _unexplained(sql, {"channels": {"channel": "string", "grp": "string"},
                             "orders": {"channel": "string", "total": "double"}})  # fmt: skip
    unmeasured = {k: v for k, v in obs.items() if k != "freshness"}
    assert next_step(Evidence(unmeasured, {}), [0.5]).tool == "freshness"  # is the data late? asked first
    step = next_step(Evidence(obs, {}), [0.5])
    assert step.tool == "catalog"
    assert {p["label"] for p in step.args["probes"]} == {
        "channels.channel@old", "channels.channel@now", "orders.channel@old", "orders.channel@now",
    }  # fmt: skip
    # A self-join compares a column with itself: no key of it can have switched, so no catalog call.
    self_join = "SELECT a.channel, COUNT(*) AS n FROM orders a JOIN orders b ON b.channel = a.channel GROUP BY 1"
    step = next_step(Evidence(_unexplained(self_join, {"orders": {"channel": "string", "total": "double"}}), {}), [0.5])
    assert step.tool != "catalog"


def test_an_escalation_about_a_measure_is_no_code_set_and_asks_nothing() -> None:
    ev = Evidence(_observations([]), {})
    unit = Finding(category="format_drift", remediation="escalate", cause="a unit change", source="readings",
                   column="kwh", escalate_reason="converting kwh would guess a unit")  # fmt: skip
    assert catalog_repairs.resolve(ev, [unit], []) == ([unit], None)
    key = unit.model_copy(update={"column": "meter_id", "category": "schema_drift"})
    findings, ask = catalog_repairs.resolve(ev, [key], [])
    assert ask is not None and ask.tool == "catalog"
    assert [p["label"] for p in ask.args["probes"]] == ["readings.meter_id@old", "readings.meter_id@now"]
