"""Small pieces of the repair path: redaction, profiles, SQL adapters, the tool-call cap, the CLI wiring."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import typer
from pydantic_ai import models
from pydantic_ai.messages import ModelResponse, ToolCallPart
from pydantic_ai.models.function import FunctionModel
from typer.testing import CliRunner

from agentic_assets.repair.planner.fixes import adapter_select, parse_dates, parse_number
from agentic_assets.repair.profiling import profile_column
from agentic_assets.repair.redaction import redact_rows, redact_text
from agentic_assets.repair.sql_rewrite import with_source_adapters


def test_model_requests_are_off() -> None:
    assert models.ALLOW_MODEL_REQUESTS is False


def test_personal_data_is_masked() -> None:
    rows = redact_rows(
        [{"full_name": "Anna de Vries", "email": "anna@example.com", "note": "call +31 6 1234 5678", "n": 3}],
        flagged=["full_name"],
    )
    assert rows == [{"full_name": "<pii>", "email": "<email>", "note": "call <phone>", "n": 3}]
    assert "anna@example.com" not in redact_text("mail anna@example.com or NL91ABNA0417164300")
    assert "NL91ABNA0417164300" not in redact_text("mail anna@example.com or NL91ABNA0417164300")


def test_profiles_tell_date_orders_and_decimal_commas() -> None:
    t = pa.table({"d": ["2026-02-01", "24/02/2026", "03/02/2026"], "a": ["12,50", "1.234,56", "7,00"]})
    p = profile_column(t, "feed", "d")
    assert p.formats == {"iso_date": 1, "slash_date": 2} and p.day_order["slash_date"].order == "day_first"
    assert profile_column(t, "feed", "a").formats == {"decimal_comma": 3}
    expr = parse_dates("d", p.formats, {"slash_date": "day_first"}, "DATE")
    assert duckdb.sql(f"SELECT {expr} FROM t").fetchall()[1][0].isoformat() == "2026-02-24"
    assert duckdb.sql(f"SELECT {parse_number('a', 'DOUBLE')} FROM t").fetchall()[1][0] == 1234.56


def test_a_column_fed_with_both_decimal_marks_is_read_value_by_value() -> None:
    t = pa.table({"a": ["1234.56", "88.1", "1234,56", "7,5", "12"]})
    p = profile_column(t, "feed", "a")
    assert p.decimal_separator is None  # each value says which mark it uses
    got = [r[0] for r in duckdb.sql(f"SELECT {parse_number('a', 'DOUBLE', p.decimal_separator)} FROM t").fetchall()]
    assert got == [1234.56, 88.1, 1234.56, 7.5, 12.0]
    one_system = pa.table({"a": ["1.234,56", "7,5", "12"]})
    assert profile_column(one_system, "feed", "a").decimal_separator == ","


def test_adapters_keep_the_transform_and_its_aliases() -> None:
    sql = "SELECT t.sub, SUM(amount) AS total FROM transactions t GROUP BY 1"
    fixed = with_source_adapters(sql, {"transactions": adapter_select("transactions", {"sub_v2": "sub"}, {})}, "__r")
    con = duckdb.connect()
    con.execute("CREATE TABLE transactions AS SELECT 'x' AS sub_v2, 2.0 AS amount")
    assert con.sql(fixed).fetchall() == [("x", 2.0)]


def test_the_tool_call_cap_escalates_with_the_partial_trace(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from agentic_assets.repair import agent as agent_module

    from .project import write_project

    settings = write_project(
        tmp_path,
        source=pa.table({"a": [1, 2]}),
        sql="SELECT a FROM transactions",
        checks="checks for daily_totals:\n  - row_count > 0\n",
    )
    from agentic_assets.repair.view import AssetView
    from agentic_assets.specs.loader import load_project

    def looping(messages, info):  # noqa: ANN001, ANN202 - a model that never concludes
        return ModelResponse(parts=[ToolCallPart("lineage", {})])

    monkeypatch.setattr(agent_module, "build_model", lambda *a, **k: FunctionModel(looping))
    view = AssetView(settings, load_project(settings), "daily_totals")
    inv = agent_module.investigate(view, "test alert")
    assert inv.escalated and "budget" in (inv.diagnosis.escalation_reason or "")
    assert inv.tool_calls == agent_module.TOOL_CALLS_LIMIT
    assert sum(1 for s in inv.trace if s.kind == "observation") == agent_module.TOOL_CALLS_LIMIT


def test_the_cli_commands_register(tmp_path) -> None:  # noqa: ANN001
    from agentic_assets.repair.cli import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["proposals", "list", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Repairs" in result.output
    assert runner.invoke(app, ["proposals", "show", "rp-nope", "--data-dir", str(tmp_path)]).exit_code == 2


def test_a_renamed_column_keeps_its_place_for_a_union_by_position() -> None:
    sql = "SELECT * FROM feed_a UNION ALL SELECT * FROM feed_b"
    adapters = {"feed_a": adapter_select("feed_a", {"rate_v2": "rate"}, {})}
    fixed = with_source_adapters(sql, adapters, "__r")
    con = duckdb.connect()
    con.execute("CREATE TABLE feed_a AS SELECT 1 AS id, 2.5 AS rate_v2, 'x' AS code")
    con.execute("CREATE TABLE feed_b AS SELECT 2 AS id, 3.5 AS rate, 'y' AS code")
    assert sorted(con.sql(fixed).fetchall()) == [(1, 2.5, "x"), (2, 3.5, "y")]
    assert con.sql(adapters["feed_a"]).columns == ["id", "rate", "code"]
