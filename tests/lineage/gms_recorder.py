"""A GMS recorder on 127.0.0.1: it is not a DataHub.

It implements only the GMS endpoints the SDK's REST emitter calls (`GET /config`,
`POST /aspects?action=ingestProposal` and `ingestProposalBatch`) and records every proposal it receives, so the
tests can assert on what would have reached DataHub. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class GmsRecorder:
    """Records what a DataHub GMS would have been sent. Not a DataHub: it stores, validates nothing, answers OK."""

    def __init__(self, port: int = 0, *, held: bool = False) -> None:
        self.requests: list[tuple[str, str]] = []
        self.proposals: list[dict] = []
        # A held recorder answers nothing until `release()`: a DataHub that is up but stalls.
        self.reached = threading.Event()
        self._released = threading.Event()
        if not held:
            self._released.set()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                recorder.requests.append(("GET", self.path))
                recorder.reached.set()
                recorder._released.wait()
                if self.path == "/config":
                    # `noCode: "true"` is how the emitter tells GMS from the DataHub frontend.
                    self._reply({"noCode": "true", "versions": {"acryldata/datahub": {"version": "v1.2.0"}}})
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                recorder.requests.append(("POST", self.path))
                if self.path == "/aspects?action=ingestProposalBatch":
                    recorder.proposals.extend(body["proposals"])
                    self._reply({"value": [p["entityUrn"] for p in body["proposals"]]})
                elif self.path == "/aspects?action=ingestProposal":
                    recorder.proposals.append(body["proposal"])
                    self._reply({"value": body["proposal"]["entityUrn"]})
                else:
                    self.send_error(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> GmsRecorder:
        self.thread.start()
        return self

    def release(self) -> None:
        """Let a held recorder answer (it answers at once from now on)."""
        self._released.set()

    def stop(self) -> None:
        self._released.set()
        self.server.shutdown()
        self.server.server_close()

    def aspects(self, urn: str, aspect_name: str) -> list[dict]:
        """The received values of one aspect of one entity, oldest first (Rest.li sends aspects as JSON text)."""
        return [
            json.loads(p["aspect"]["value"])
            for p in self.proposals
            if p["entityUrn"] == urn and p["aspectName"] == aspect_name
        ]
