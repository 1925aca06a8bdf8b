"""Audit records and how their hashes are computed: the part a verifier must agree on."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """One byte-exact JSON form for hashing: sorted keys, no spaces, non-JSON values as strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class AuditRecord(BaseModel):
    """One entry. `hash` covers every other field and the previous record's hash."""

    seq: int = Field(description="position in the chain, from 1")
    record_id: str
    ts: datetime
    kind: str = Field(description="what happened, e.g. codegen.frozen, repair.tool_call, decision.approved")
    actor: str = Field(description="who did it: a model id, a person, or 'platform'")
    asset: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "record_id": self.record_id,
            "ts": self.ts.isoformat(),
            "kind": self.kind,
            "actor": self.actor,
            "asset": self.asset,
            "payload": self.payload,
        }

    def computed_hash(self) -> str:
        return chain_hash(self.prev_hash, self.body())


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + canonical(body)).encode()).hexdigest()


ProblemKind = Literal["edited", "removed", "reordered", "inserted", "truncated", "head"]


class ChainProblem(BaseModel):
    kind: ProblemKind
    seq: int | None
    record_id: str | None = None
    message: str


class ChainReport(BaseModel):
    ok: bool
    records: int
    head: str = Field(description="hash of the last record, GENESIS for an empty log")
    problems: list[ChainProblem] = Field(default_factory=list)
    head_signed: bool = Field(default=False, description="the head's signature was checked with the audit key")
