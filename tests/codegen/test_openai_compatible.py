"""A model behind an OpenAI-compatible URL (the `AGENTIC_MODEL` setting an Ollama or vLLM server takes)
writes the code through the same validation, sandbox and freeze as the built-in model.

No hosted model can run here, so a server on loopback speaks the chat-completions protocol from a
script. What is checked is the real traffic: the requests pydantic-ai's OpenAI client sends (the
instructions, the tools, the retry carrying the validator's exact error) and what the project does with
each answer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic_ai import models

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

# One scripted turn: from the request body to the HTTP status and the JSON (or raw bytes) to answer.
Turn = Callable[[dict[str, Any]], tuple[int, dict[str, Any] | bytes]]


def _output_tool(body: dict[str, Any], kind: str) -> str:
    """The name the client gave the output tool of `kind`, read from the request rather than assumed."""
    names = [t["function"]["name"] for t in body.get("tools", [])]
    return next(n for n in names if kind in n)


def call_output(kind: str, arguments: dict[str, Any]) -> Turn:
    def turn(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        call = {"id": "call_1", "type": "function", "function": {"name": _output_tool(body, kind)}}
        call["function"]["arguments"] = json.dumps(arguments)
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
        return 200, {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": message}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }

    return turn


def raw(status: int, payload: bytes) -> Turn:
    return lambda body: (status, payload)


class ScriptedServer:
    """Answers each POST to `/v1/chat/completions` with the next scripted turn and keeps the bodies."""

    def __init__(self, turns: list[Turn]) -> None:
        self.turns = list(turns)
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body})
                status, payload = server.turns.pop(0)(body) if server.turns else (500, b"script exhausted")
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def setting(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1#scripted-sql"

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hosted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[list[Turn]], ScriptedServer]]:
    # The one place requests may leave the process: to loopback, for these tests only.
    monkeypatch.delenv("AGENTIC_MODEL_API_KEY", raising=False)
    with models.override_allow_model_requests(True):
        servers: list[ScriptedServer] = []

        def start(turns: list[Turn]) -> ScriptedServer:
            server = ScriptedServer(turns).__enter__()
            servers.append(server)
            return server

        yield start
        for server in servers:
            server.__exit__()


def _messages(request: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [m for m in request["body"]["messages"] if m["role"] == role]


def test_invalid_sql_is_sent_back_then_the_valid_answer_is_sandboxed_and_frozen(workspace, drop_sql, hosted):
    drop_sql(workspace, ASSET)
    project = load_project(workspace)
    server = hosted(
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


def test_a_refusal_from_the_server_is_reported_and_writes_nothing(workspace, drop_sql, hosted):
    drop_sql(workspace, ASSET)
    project = load_project(workspace)
    server = hosted([call_output("CannotGenerate", {"reason": "the spec does not say which currency to use"})])
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
def test_garbage_from_the_server_fails_clearly_and_writes_nothing(workspace, drop_sql, hosted, turn):
    drop_sql(workspace, ASSET)
    project = load_project(workspace)
    # The client retries a server error; every retry gets the same garbage.
    server = hosted([turn] * 8)
    report = generate_code(project.assets[ASSET], project, workspace, models=[server.setting], cache={})

    assert report.status in {"refused", "failed"}
    assert report.message.startswith(("the model failed", "no valid SQL")), report.message
    assert not (Path(workspace.specs_dir) / "retail_bank" / f"{ASSET}.sql").exists()
    assert server.requests, "the request reached the server"
