"""The ticket splits written apart from the model (the second held-out split, and tuned_c, written blind and
developed against afterwards) are well formed: every request loads, names a known family, and its
hand-written expected SQL runs on the benchmark's sample data and returns rows with the declared columns.
No model runs here; the splits are scored only by the benchmark itself."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from agentic_assets.settings import PROJECT_ROOT

BENCH = PROJECT_ROOT / "benchmarks" / "codegen"
SPLITS = ("heldout_b", "tuned_c")


def _bench_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("codegen_bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


RUN = _bench_run()
REQUESTS = {split: RUN.load_requests(split) for split in SPLITS}
ANSWERABLE = [r for split in SPLITS for r in REQUESTS[split] if r.get("expect") != "refusal"]


@pytest.fixture(scope="module")
def sample_con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """The benchmark's own sample data, at the size the benchmark runs by default."""
    from bench_data import write_bench_data  # importable once run.py is loaded

    raw = tmp_path_factory.mktemp("codegen-bench") / "raw"
    write_bench_data(raw, RUN.DEFAULT_TRANSACTIONS)
    con = duckdb.connect()
    for name in ("transactions", "customers", "merchants"):
        con.register(name, pq.read_table(raw / f"{name}.parquet"))
    return con


@pytest.mark.parametrize("split", SPLITS)
def test_split_is_reported_by_default(split: str) -> None:
    assert split in RUN.SPLITS and split in RUN.TICKET_SPLITS


@pytest.mark.parametrize("split", SPLITS)
def test_split_is_large_and_covers_every_family(split: str) -> None:
    assert len(REQUESTS[split]) >= 40
    families = Counter(r["family"] for r in REQUESTS[split])
    assert set(families) == set(RUN.TICKET_FAMILIES)
    assert all(families[f] >= 3 for f in RUN.TICKET_FAMILIES), families


def test_no_request_id_is_in_two_splits() -> None:
    ids = Counter(r["id"] for split in (*SPLITS, "tuned", "heldout") for r in RUN.load_requests(split))
    assert not [i for i, n in ids.items() if n > 1]


@pytest.mark.parametrize("split", SPLITS)
def test_requests_read_like_tickets(split: str) -> None:
    """Two to five sentences (or bullet lines) as a data engineer writes a ticket, naming the output."""
    for req in REQUESTS[split]:
        parts = [p for p in re.split(r"(?<=[.;:!?])\s+|\n\s*[-*]\s+", req["description"].strip()) if p.strip()]
        assert len(parts) >= 2 and len(req["description"].split()) >= 12, req["id"]
        assert req.get("columns"), f"{req['id']}: declares no output columns"


@pytest.mark.parametrize("split", SPLITS)
def test_refusals_have_no_expected_answer(split: str) -> None:
    for req in REQUESTS[split]:
        refusal = req.get("expect") == "refusal"
        assert refusal == (req["family"] == "refusal"), req["id"]
        assert refusal != ("expected_sql" in req), req["id"]


@pytest.mark.parametrize("req", ANSWERABLE, ids=lambda r: r["id"])
def test_expected_sql_runs_and_returns_rows(req: dict, sample_con: duckdb.DuckDBPyConnection) -> None:
    result = sample_con.sql(req["expected_sql"])
    rows = result.fetchall()
    assert sorted(result.columns) == sorted(req["columns"]), req["id"]
    # Not one row unless the ticket asks for one: none of this split does.
    assert len(rows) >= 2, f"{req['id']}: {len(rows)} rows"
    tables = {t.name for t in sqlglot.parse_one(req["expected_sql"], read="duckdb").find_all(exp.Table)}
    assert tables <= set(req["sources"]) | _ctes(req["expected_sql"]), req["id"]


@pytest.mark.parametrize("req", [r for r in ANSWERABLE if r.get("ordered")], ids=lambda r: r["id"])
def test_ordered_requests_order_their_expected_rows(req: dict) -> None:
    assert sqlglot.parse_one(req["expected_sql"], read="duckdb").args.get("order"), req["id"]


def _ctes(sql: str) -> set[str]:
    return {cte.alias for cte in sqlglot.parse_one(sql, read="duckdb").find_all(exp.CTE)}


def test_load_rejects_an_unknown_family(tmp_path: Path) -> None:
    folder = tmp_path / SPLITS[0]
    folder.mkdir()
    (folder / "requests.yaml").write_text(
        "requests:\n  - {id: x, family: guesswork, description: d, sources: [transactions], expected_sql: SELECT 1}\n"
    )
    with pytest.raises(SystemExit, match="unknown family 'guesswork'"):
        RUN.load_requests(SPLITS[0], root=tmp_path)


def test_load_rejects_a_repeated_id(tmp_path: Path) -> None:
    folder = tmp_path / SPLITS[0]
    folder.mkdir()
    entry = "  - {id: x, family: pivot, description: d, sources: [transactions], expected_sql: SELECT 1}\n"
    (folder / "requests.yaml").write_text("requests:\n" + entry + entry)
    with pytest.raises(SystemExit, match="appears twice"):
        RUN.load_requests(SPLITS[0], root=tmp_path)
