"""The audit chain's head, anchored outside the table that holds it.

The head (record count and last hash) is signed with HMAC-SHA256 under a key the database does not hold:
`AGENTIC_AUDIT_KEY` (the key itself), or `AGENTIC_AUDIT_KEY_FILE` (a file holding it), or by default
`<state>/audit.key`, created on first use with mode 0600. Someone who can write the database but not read
the key cannot truncate the log and rewrite the head to match. A signature cannot stop the head being
put back to an older signed value after a truncation: that is what the head hash in every Dagster
materialization's metadata and `agentic-assets audit verify --head HASH` (an anchor a person kept) are for.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from agentic_assets.settings import Settings

KEY_ENV = "AGENTIC_AUDIT_KEY"
KEY_FILE_ENV = "AGENTIC_AUDIT_KEY_FILE"
DEFAULT_KEY_FILE = "audit.key"


class AuditKeyError(RuntimeError):
    """The audit key is set but unusable."""


def key_file(settings: Settings) -> Path:
    return Path(os.environ.get(KEY_FILE_ENV) or Path(settings.state_dir) / DEFAULT_KEY_FILE)


def load_key(settings: Settings) -> bytes:
    """The signing key: from the environment, else from the key file (created when it is the default one)."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode()
    path = key_file(settings)
    if not path.exists():
        if os.environ.get(KEY_FILE_ENV):
            raise AuditKeyError(f"{KEY_FILE_ENV}={path}: the file does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise AuditKeyError(f"{path}: the audit key file is empty")
    return key.encode()


def sign_head(key: bytes, count: int, head_hash: str) -> str:
    return hmac.new(key, f"{count}\n{head_hash}".encode(), hashlib.sha256).hexdigest()


def head_signature_ok(key: bytes, count: int, head_hash: str, signature: str | None) -> bool:
    return bool(signature) and hmac.compare_digest(sign_head(key, count, head_hash), signature or "")
