"""Code-set mapping: the identity checks of a mapping, the adapter on real DuckDB tables, and the path end to end."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentic_assets.repair.catalog import CatalogReport, Link
from agentic_assets.repair.planner.operators.code_set_mapping import (
    Target,
    candidates,
    mapping_adapter,
    new_label,
    old_label,
    unsafe,
)

from .incident_kit import run, write_incident

T = Target(source="orders", column="country", category="format_drift", before_type="string")


def _link(**kw: object) -> Link:
    base = dict(table="country_codes", from_label=new_label(T), from_column="alpha3", to_label=old_label(T),
                to_column="alpha2", covered=1.0, fanout=0, collisions=0, lands_in_to=1.0)  # fmt: skip
    return Link.model_validate({**base, **kw})


def test_a_mapping_must_be_one_to_one_on_the_values_seen_and_cover_them() -> None:
    assert unsafe(_link()) is None
    assert "more than one" in (unsafe(_link(fanout=1)) or "")
    assert "not one-to-one" in (unsafe(_link(collisions=2)) or "")
    assert "translates only" in (unsafe(_link(covered=0.5)) or "")
    assert "old values" in (unsafe(_link(lands_in_to=0.4)) or "")


def test_a_safe_link_is_a_candidate_and_an_unsafe_one_escalates() -> None:
    report = CatalogReport(asset="a", sources=["orders"], links=[_link()])
    options, escalation = candidates(T, report, ["orders"])
    assert escalation is None and len(options) == 1
    [finding] = options[0]
    assert finding.category == "format_drift" and finding.add_sources == ["country_codes"]
    report = CatalogReport(asset="a", sources=["orders"], links=[_link(collisions=1)])
    options, escalation = candidates(T, report, ["orders"])
    assert options == [] and escalation is not None and escalation.remediation == "escalate"
    assert candidates(T, CatalogReport(asset="a", sources=["orders"]), ["orders"]) == ([], None)


def test_the_adapter_translates_known_values_and_passes_unknown_ones() -> None:
    orders = pa.table({"order_id": [1, 2, 3], "country": ["NLD", "DEU", "XXX"]})
    codes = pa.table({"alpha2": ["NL", "DE"], "alpha3": ["NLD", "DEU"]})
    con = duckdb.connect()
    con.register("orders", orders)
    con.register("country_codes", codes)
    rows = con.execute(f"SELECT * FROM ({mapping_adapter('orders', 'country', _link(), 'VARCHAR')}) ORDER BY 1")
    assert rows.fetchall() == [(1, "NL"), (2, "DE"), (3, "XXX")]
    # A re-keyed integer key comes back as the integer it was.
    readings = pa.table({"meter_id": ["MET-1", "MET-2"], "kwh": [1.0, 2.0]})
    key_map = pa.table({"new_meter_id": ["MET-1", "MET-2"], "meter_id": [7001, 7002]})
    con.register("readings", readings)
    con.register("key_map", key_map)
    link = _link(table="key_map", from_column="new_meter_id", to_column="meter_id")
    adapter = mapping_adapter("readings", "meter_id", link, "BIGINT")
    assert con.execute(f"SELECT * FROM ({adapter}) ORDER BY 2").fetchall() == [(7001, 1.0), (7002, 2.0)]
    assert con.execute(f"DESCRIBE {adapter}").fetchall()[0][:2] == ("meter_id", "BIGINT")


def _switch(tmp_path: Path, codes: pa.Table) -> Path:
    ids = list(range(48))
    alpha2 = ["NL", "DE", "BE", "FR"]
    to3 = {"NL": "NLD", "DE": "DEU", "BE": "BEL", "FR": "FRA"}
    before = pa.table({"order_id": ids, "country": [alpha2[i % 4] for i in ids], "total": [1.0 + i for i in ids]})
    after = before.set_column(1, "country", pa.array([to3[alpha2[i % 4]] for i in ids]))
    return write_incident(
        tmp_path / "incidents",
        name="orders-by-country",
        sql="SELECT country, COUNT(*) AS n, SUM(total) AS total FROM orders GROUP BY country",
        checks="checks for orders_by_country:\n  - row_count > 0\n  - invalid_count(country) = 0:\n"
        "      valid values: [NL, DE, BE, FR]\n",
        before={"orders": before, "country_codes": codes},
        after={"orders": after},
    )


@pytest.mark.slow
def test_a_code_list_switched_to_another_standard_is_translated_back(tmp_path: Path) -> None:
    codes = pa.table({"alpha2": ["NL", "DE", "BE", "FR", "AT"], "alpha3": ["NLD", "DEU", "BEL", "FRA", "AUT"]})
    result = run(_switch(tmp_path, codes), tmp_path / "work")
    assert result.sandbox_ok and result.remediation == "code_change", result.repair and result.repair.diagnosis
    assert result.category == "format_drift"
    out = pq.read_table(result.output).to_pylist() if result.output else []
    assert sorted((r["country"], r["n"]) for r in out) == [("BE", 12), ("DE", 12), ("FR", 12), ("NL", 12)]


@pytest.mark.slow
def test_a_reference_table_that_is_not_one_to_one_escalates(tmp_path: Path) -> None:
    # Two alpha-3 codes share one alpha-2 code: translating would merge countries the source tells apart.
    codes = pa.table({"alpha2": ["NL", "NL", "BE", "FR"], "alpha3": ["NLD", "DEU", "BEL", "FRA"]})
    result = run(_switch(tmp_path, codes), tmp_path / "work")
    assert result.escalated and result.remediation == "escalate"
    assert result.repair is not None and "not one-to-one" in (result.repair.diagnosis.root_cause or "")


def test_values_still_in_the_old_set_need_no_translation_but_a_rewrite_of_one_is_unsafe() -> None:
    # Half of the values now are the old codes (rows from before the switch); the map covers every new one.
    half = Link(table="m", from_label="c@now", from_column="new", to_label="c@old", to_column="old", covered=0.5,
                fanout=0, collisions=0, lands_in_to=1.0, covered_new=1.0)  # fmt: skip
    assert unsafe(half) is None
    assert unsafe(half.model_copy(update={"rewrites_old": 1})) is not None
    assert unsafe(half.model_copy(update={"covered_new": 0.5})) is not None
    assert unsafe(half.model_copy(update={"covered_new": None})) is not None


@pytest.mark.slow
def test_a_switched_code_list_with_no_mapping_escalates_instead_of_dead_lettering(tmp_path: Path) -> None:
    # The catalog holds no table of the new codes: the only other table is of unrelated values.
    unrelated = pa.table({"depot": ["D1", "D2"], "city": ["Leeds", "York"]})
    result = run(_switch(tmp_path, unrelated), tmp_path / "work")
    assert result.escalated and result.remediation == "escalate"
    assert result.category == "format_drift"
