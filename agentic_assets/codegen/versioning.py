"""Frozen code beside the spec, with a header saying where it came from; staleness; pending candidates."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from agentic_assets.codegen.contracts import Attempt, CodeStatus
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset

HEADER_MARK = "-- agentic-assets generated code: edit the spec's description, not this file"
_FIELD = re.compile(r"^-- ([a-z_0-9]+): (.*)$")


class FrozenMeta(BaseModel):
    asset: str
    spec_fingerprint: str
    model: str
    prompt_sha256: str
    approver: str
    frozen_at: str
    sql_sha256: str
    sandbox: str = ""


def render_frozen(sql: str, meta: FrozenMeta) -> str:
    lines = [HEADER_MARK]
    lines += [f"-- {k}: {v}" for k, v in meta.model_dump().items()]
    return "\n".join(lines) + "\n" + sql.strip() + "\n"


def parse_header(text: str | None) -> FrozenMeta | None:
    if not text or not text.startswith(HEADER_MARK):
        return None
    values: dict[str, str] = {}
    for line in text.splitlines()[1:]:
        m = _FIELD.match(line)
        if not m:
            break
        values[m.group(1)] = m.group(2)
    try:
        return FrozenMeta.model_validate(values)
    except ValueError:
        return None


def body_of(text: str) -> str:
    """The SQL without its header."""
    lines = text.splitlines()
    if not lines or lines[0] != HEADER_MARK:
        return text
    i = 1
    while i < len(lines) and _FIELD.match(lines[i]):
        i += 1
    return "\n".join(lines[i:]).strip() + "\n"


def sql_sha256(sql: str) -> str:
    return hashlib.sha256(sql.strip().encode()).hexdigest()


def frozen_path(asset: LoadedAsset) -> Path:
    return asset.path.parent / (asset.spec.sql_file or f"{asset.name}.sql")


# Pending candidates (tier 2/3 awaiting approval) -------------------------------------------------------


class Pending(BaseModel):
    asset: str
    spec_fingerprint: str
    attempt: Attempt
    created_at: str


def pending_path(settings: Settings, asset: str) -> Path:
    return Path(settings.state_dir) / "codegen" / "pending" / f"{asset}.json"


def save_pending(settings: Settings, asset: LoadedAsset, attempt: Attempt) -> Pending:
    pending = Pending(
        asset=asset.name,
        spec_fingerprint=asset.spec.fingerprint(),
        attempt=attempt,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    path = pending_path(settings, asset.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(pending.model_dump_json(indent=2), encoding="utf-8")
    return pending


def load_pending(settings: Settings, asset: LoadedAsset) -> Pending | None:
    """The pending candidate, if it was generated from the spec as it is now."""
    path = pending_path(settings, asset.name)
    if not path.exists():
        return None
    pending = Pending.model_validate_json(path.read_text(encoding="utf-8"))
    return pending if pending.spec_fingerprint == asset.spec.fingerprint() else None


def clear_pending(settings: Settings, asset: str) -> None:
    pending_path(settings, asset).unlink(missing_ok=True)


def code_status(asset: LoadedAsset, settings: Settings) -> CodeStatus:
    """Missing, hand-written, modified (changed after approval), stale (the spec changed) or fresh."""
    from agentic_assets.codegen.integrity import verify_code

    fingerprint = asset.spec.fingerprint()
    meta = parse_header(asset.sql)
    integrity = verify_code(asset, settings)
    if asset.sql is None:
        state = "missing"
    elif meta is None:
        state = "hand-written"
    elif integrity.state == "modified":
        state = "modified"
    else:
        state = "fresh" if meta.spec_fingerprint == fingerprint else "stale"
    return CodeStatus(
        asset=asset.name,
        tier=asset.spec.tier,
        state=state,  # type: ignore[arg-type]
        spec_fingerprint=fingerprint,
        frozen_fingerprint=meta.spec_fingerprint if meta else None,
        model=meta.model if meta else None,
        approver=meta.approver if meta else None,
        frozen_at=meta.frozen_at if meta else None,
        pending=load_pending(settings, asset) is not None,
        verified_by=integrity.recorded_in,
        reason=integrity.reason if state == "modified" else "",
    )
