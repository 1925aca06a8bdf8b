"""Who is reviewing: a signed session from a sign-in token, or the deployment proxy's trusted header; CSRF tokens.

A session cookie is `payload.signature`, HMAC-SHA256 over the payload with the deployment's secret; the CSRF
token of a form is an HMAC of the session id, so a page from another site can neither read nor forge it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

from pydantic import BaseModel
from starlette.requests import Request

from agentic_assets.review_app.config import ReviewConfig

SESSION_COOKIE = "agentic_review"
# How long a sign-in lasts: a working day, so a reviewer signs in once per shift.
SESSION_SECONDS = 12 * 3600


class Identity(BaseModel):
    """A signed-in reviewer. `name` is empty for holders of the shared token: they type their name."""

    name: str = ""
    method: str  # "token", "named-token" or "header"
    session_id: str

    @property
    def named(self) -> bool:
        """Signed in as a particular person (a named token or the proxy's header), not a typed name."""
        return bool(self.name) and self.method in ("named-token", "header")


class Auth:
    def __init__(self, config: ReviewConfig) -> None:
        self.config = config
        self._key = config.secret.encode()
        self._named = config.named_tokens()

    def _sign(self, data: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._key, data, hashlib.sha256).digest()).decode().rstrip("=")

    def sign_in(self, token: str) -> Identity | None:
        """The identity a token signs in as, or None for a wrong token (compared in constant time)."""
        token = token.strip()
        for known, name in self._named.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return Identity(name=name, method="named-token", session_id=secrets.token_hex(16))
        if self.config.token and hmac.compare_digest(self.config.token.encode(), token.encode()):
            return Identity(method="token", session_id=secrets.token_hex(16))
        return None

    def cookie_for(self, identity: Identity) -> str:
        payload = {"n": identity.name, "m": identity.method, "s": identity.session_id,
                   "e": int(time.time()) + SESSION_SECONDS}  # fmt: skip
        data = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
        return f"{data}.{self._sign(data.encode())}"

    def identity(self, request: Request) -> Identity | None:
        header = self.config.trusted_header
        if header and request.headers.get(header, "").strip():
            name = request.headers[header].strip()
            return Identity(name=name, method="header", session_id="header:" + name)
        cookie = request.cookies.get(SESSION_COOKIE, "")
        data, _, signature = cookie.partition(".")
        if not data or not hmac.compare_digest(self._sign(data.encode()), signature):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
        except ValueError:
            return None
        if payload.get("e", 0) < time.time():
            return None
        return Identity(name=payload["n"], method=payload["m"], session_id=payload["s"])

    def csrf_token(self, identity: Identity) -> str:
        return self._sign(b"csrf:" + identity.session_id.encode())

    def csrf_ok(self, identity: Identity, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(identity), token or "")
