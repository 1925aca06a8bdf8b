"""A model behind an OpenAI-compatible URL (the `AGENTIC_MODEL` setting an Ollama or vLLM server takes)
writes the code through the same validation, sandbox and freeze as the built-in model.

No hosted model can run here, so a server on loopback speaks the chat-completions protocol from a
script. What is checked is the real traffic: the requests pydantic-ai's OpenAI client sends (the
instructions, the tools, the retry carrying the validator's exact error) and what the project does with
each answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scripted_openai import call_output, raw

from agentic_assets.codegen.generate import build_deps, generate_code
from agentic_assets.codegen.prompt import INSTRUCTIONS
from agentic_assets.codegen.validation import validate_candidate
from agentic_assets.codegen.versioning import parse_header
from agentic_assets.specs.loader import load_project

ASSET = "merchant_subcategory_daily_totals"
GOOD = (
    "SELECT merchant_subcategory, CAST(event_time AS DATE) AS day, SUM(amount) AS total_amount, "
    "COUNT(*) AS txn_count FROM transactions GROUP BY merchant_subcategory, CAST(event_time AS DATE)"
)
BAD = GOOD.replace("SUM(amount)", "SUM(amount_eur)")


def _messages(request: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [m for m in request["body"]["messages"] if m["role"] == role]


def test_invalid_sql_is_sent_back_then_the_valid_answer_is_sandboxed_and_frozen(workspace, drop_sql, hosted_model):
    drop_sql(workspace, ASSET)
    project = load_project(workspace)
    server = hosted_model(
        [
            call_output("GeneratedSql", {"sql": BAD, "explanation": "first try", "columns": []}),
            call_output("GeneratedSql", {"sql": GOOD, "explanation": "fixed the column", "columns": []}),
        ]
    )
    # The asset is tier 2: a named approver lets the validated code freeze.
    report = generate_code(
        project.assets[ASSET], project, workspace, models=[server.setting], approver="reviewer", cache={}
    )

    assert report.status == "frozen", report.message
    first, second = server.requests
    assert first["path"] == "/v1/chat/completions" and first["body"]["model"] == "scripted-sql"
    assert _messages(first, "system")[0]["content"].strip() == INSTRUCTIONS.strip()
    tools = {t["function"]["name"] for t in first["body"]["tools"]}
    assert {"describe_sources", "describe_output_contract"} <= tools
    assert any("GeneratedSql" in t for t in tools) and any("CannotGenerate" in t for t in tools)

    # The validator's error goes back, word for word, as the answer to the output tool call.
    deps = build_deps(project.assets[ASSET], project, workspace, cache={})
    expected = "The SQL is not valid for this asset:\n- " + "\n- ".join(validate_candidate(BAD, deps).errors)
    retry = _messages(second, "tool")
    assert len(retry) == 1 and retry[0]["tool_call_id"] == "call_1"
    assert expected in json.loads(retry[0]["content"])["error"]

    chosen = report.chosen
    assert chosen is not None and chosen.retries == 1 and chosen.sandbox is not None and chosen.sandbox.ok
    frozen = Path(report.path or "").read_text(encoding="utf-8")
    meta = parse_header(frozen)
    # The id recorded with the code names the server and the model, never a credential.
    assert meta is not None and meta.model == server.setting and meta.approver == "reviewer"
    assert GOOD in frozen


def test_a_refusal_from_the_server_is_reported_and_writes_nothing(workspace, drop_sql, hosted_model):
    drop_sql(workspace, ASSET)
    project = load_project(workspace)
    server = hosted_model([call_output("CannotGenerate", {"reason": "the spec does not say which currency to use"})])
    report = generate_code(project.assets[ASSET], project, workspace, models=[server.setting], cache={})

    assert report.status == "refused"
    assert "which currency" in report.message
    assert not (Path(workspace.specs_dir) / "retail_bank" / f"{ASSET}.sql").exists()


@pytest.mark.parametrize(
    "turn",
    [
        raw(200, b"<html>not json</html>"),
        raw(200, json.dumps({"id": "x", "object": "chat.completion", "choices": []}).encode()),
        raw(500, b'{"error": {"message": "model crashed"}}'),
    ],
    ids=["not-json", "no-choices", "server-error"],
)
def test_garbage_from_the_server_fails_clearly_and_writes_nothing(workspace, drop_sql, hosted_model, turn):
    drop_sql(workspace, ASSET)
    project = load_project(workspace)
    # The client retries a server error; every retry gets the same garbage.
    server = hosted_model([turn] * 8)
    report = generate_code(project.assets[ASSET], project, workspace, models=[server.setting], cache={})

    assert report.status in {"refused", "failed"}
    assert report.message.startswith(("the model failed", "no valid SQL")), report.message
    assert not (Path(workspace.specs_dir) / "retail_bank" / f"{ASSET}.sql").exists()
    assert server.requests, "the request reached the server"


def test_the_fallback_model_writes_what_the_builtin_refuses(workspace, write_spec, hosted_model):
    # A description the built-in reader cannot map (a prediction): it refuses, the fallback writes it.
    write_spec(
        workspace,
        "churn_risk",
        "name: churn_risk\n"
        "description: Predicted churn probability per customer from their transaction history.\n"
        "tier: 1\nsources: [transactions]\n"
        "sink: {format: delta, table: analytics/churn_risk}\n"
        "checks: |\n  checks for churn_risk:\n    - row_count > 0\n",
    )
    sql = "SELECT customer_id, COUNT(*) / 100.0 AS churn_probability FROM transactions GROUP BY customer_id"
    server = hosted_model([call_output("GeneratedSql", {"sql": sql, "explanation": "a stand-in score", "columns": []})])
    settings = workspace.model_copy(update={"model_fallback": server.setting})
    project = load_project(settings)
    report = generate_code(project.assets["churn_risk"], project, settings, cache={})

    assert report.status == "frozen", report.message
    builtin, fallback = report.attempts
    assert builtin.model_id == "builtin" and builtin.refusal and builtin.output is None
    assert fallback.model_id == server.setting and fallback.variant == 1 and fallback.sandbox and fallback.sandbox.ok
    assert report.chosen is fallback and len(server.requests) == 1
    meta = parse_header(Path(report.path or "").read_text(encoding="utf-8"))
    assert meta is not None and meta.model == server.setting


def test_no_fallback_is_asked_when_the_builtin_writes_the_code(workspace, drop_sql, hosted_model):
    drop_sql(workspace, ASSET)
    server = hosted_model([])
    settings = workspace.model_copy(update={"model_fallback": server.setting})
    project = load_project(settings)
    report = generate_code(project.assets[ASSET], project, settings, approver="reviewer", cache={})

    assert report.status == "frozen", report.message
    assert [a.model_id for a in report.attempts] == ["builtin"] and server.requests == []
