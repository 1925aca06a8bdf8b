"""The catalog tool on a real workspace: what it lists, what its probes and links measure, and what it never shows."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from agentic_assets.incidents import Workspace, load_incident
from agentic_assets.repair import catalog as catalog_module
from agentic_assets.repair.catalog import ValueProbe, catalog
from agentic_assets.repair.view import AssetView
from agentic_assets.specs.loader import load_project

from .operators.incident_kit import write_incident


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> AssetView:
    root = tmp_path_factory.mktemp("catalog")
    ids = list(range(30))
    before = pa.table({"order_id": ids, "shop_id": [i % 5 for i in ids], "country": [["NL", "DE"][i % 2] for i in ids]})
    after = before.set_column(2, "country", pa.array([["NLD", "DEU"][i % 2] for i in ids]))
    codes = pa.table({"alpha2": ["NL", "DE", "BE"], "alpha3": ["NLD", "DEU", "BEL"], "name": ["n", "d", "b"]})
    # Two rows for one shop: shop_id is no key of this table.
    shops = pa.table({"shop_id": [0, 1, 2, 3, 4, 4], "owner_email": [f"o{i}@example.com" for i in range(6)]})
    folder = write_incident(
        root / "incidents",
        name="orders-by-country",
        sql="SELECT country, COUNT(*) AS n FROM orders GROUP BY country",
        checks="checks for orders_by_country:\n  - invalid_count(country) = 0:\n      valid values: [NL, DE]\n",
        before={"orders": before, "country_codes": codes, "shops": shops},
        after={"orders": after},
    )
    ws = Workspace(load_incident(folder), root / "ws").build()
    ws.materialize_before()
    ws.switch_to_after()
    return AssetView(ws.settings, load_project(ws.settings), ws.asset)


def test_the_catalog_lists_the_tables_beyond_the_sources(view: AssetView) -> None:
    report = catalog(view)
    assert {t.name for t in report.tables} == {"country_codes", "shops"}
    codes = next(t for t in report.tables if t.name == "country_codes")
    assert [c.name for c in codes.columns] == ["alpha2", "alpha3", "name"] and codes.rows == 3
    assert report.probes == [] and report.links == []
    with pytest.raises(KeyError):
        view.catalog_table("orders")  # a source of the asset is not a catalog table


def test_probes_measure_shares_keys_and_the_mapping_between_two_probes(view: AssetView) -> None:
    report = catalog(
        view,
        [
            ValueProbe(label="now", source="orders", column="country"),
            ValueProbe(label="old", values=["NL", "DE"]),
            ValueProbe(label="shops", source="orders", column="shop_id"),
        ],
    )
    now, old, shops = report.probes
    assert now.values == 2 and now.known_share == 0.0  # the published output knew NL and DE only
    assert [(h.table, h.column, h.share, h.unique) for h in now.hits] == [("country_codes", "alpha3", 1.0, True)]
    assert [(h.table, h.column) for h in old.hits] == [("country_codes", "alpha2")]
    assert [(h.column, h.unique) for h in shops.hits] == [("shop_id", False)]
    link = next(lk for lk in report.links if lk.from_label == "now" and lk.to_label == "old")
    assert (link.from_column, link.to_column, link.covered, link.fanout, link.collisions, link.lands_in_to) == (
        "alpha3", "alpha2", 1.0, 0, 0, 1.0,
    )  # fmt: skip
    # Names, types and shares only: no value of any table is in the answer.
    text = json.dumps(report.model_dump(mode="json"))
    assert "NLD" not in text and "example.com" not in text and "BEL" not in text


def test_probes_are_bounded(view: AssetView, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_module, "MAX_PROBE_VALUES", 1)
    monkeypatch.setattr(catalog_module, "MAX_PROBES", 1)
    report = catalog(view, [ValueProbe(label="a", values=["NL", "DE"]), ValueProbe(label="b", values=["NL"])])
    assert [(p.label, p.values, p.truncated) for p in report.probes] == [("a", 1, True)]
    bad = catalog(view, [ValueProbe(label="x", source="country_codes", column="alpha2")])
    assert bad.probes[0].error and bad.probes[0].hits == []  # a probe reads the asset's own sources only


def test_the_asset_and_its_sources_are_not_in_its_catalog(view: AssetView) -> None:
    assert view.catalog_names() == {"country_codes": "raw", "shops": "raw"}
