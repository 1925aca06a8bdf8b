"""A chat-completions server on loopback, answering from a script: the stand-in for a hosted model.

A hosted model cannot run in the tests, so this server speaks the OpenAI chat-completions protocol to
the project's real client (pydantic-ai's `OpenAIChatModel`, by the `AGENTIC_MODEL` URL setting) and keeps
every request body, so tests check the traffic itself: instructions, tools, tool results, retries.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic_ai import models

# One scripted turn: from the request body to the HTTP status and the JSON (or raw bytes) to answer.
Turn = Callable[[dict[str, Any]], tuple[int, dict[str, Any] | bytes]]


def _output_tool(body: dict[str, Any], kind: str) -> str:
    """The name the client gave the output tool of `kind`, read from the request rather than assumed: the
    one naming the kind where there are several, the only `final_result` tool otherwise."""
    names = [t["function"]["name"] for t in body.get("tools", [])]
    finals = [n for n in names if n.startswith("final_result")]
    return next((n for n in finals if kind in n), finals[0] if len(finals) == 1 else kind)


def call_output(kind: str, arguments: dict[str, Any], *, thought: str | None = None) -> Turn:
    """Call the output tool whose name holds `kind` (e.g. the final result of a given type)."""
    return _call(lambda body: _output_tool(body, kind), arguments, thought)


def call_tool(name: str, arguments: dict[str, Any] | None = None, *, thought: str | None = None) -> Turn:
    """Call one of the agent's own tools by its name."""
    return _call(lambda body: name, arguments or {}, thought)


def _call(name_of: Callable[[dict[str, Any]], str], arguments: dict[str, Any], thought: str | None) -> Turn:
    def turn(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        number = sum(1 for m in body["messages"] if m["role"] == "assistant") + 1
        call = {"id": f"call_{number}", "type": "function", "function": {"name": name_of(body)}}
        call["function"]["arguments"] = json.dumps(arguments)
        message = {"role": "assistant", "content": thought, "tool_calls": [call]}
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
def hosted_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[list[Turn]], ScriptedServer]]:
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
