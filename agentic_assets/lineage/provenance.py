"""Who and what produced a transform, read from the header of its frozen SQL.

The codegen agent freezes `<asset>.sql` with a leading block of `-- key: value` comment lines
(`agentic_assets.codegen.versioning.render_frozen`); a repair adds `proposal_id`. Every value is optional:
hand-written SQL has no header and still gets a DataJob.

    -- agentic-assets generated code: edit the spec's description, not this file
    -- asset: customer_segments
    -- spec_fingerprint: 3f2a9c0d1b7e4a65
    -- model: builtin
    -- prompt_sha256: 9b1c2d3e...
    -- approver: alice@example.com
    -- frozen_at: 2025-06-01T12:00:00Z
    -- sql_sha256: 5d41402a...
    -- proposal_id: rp-20250601-0007
    SELECT ...

Either spelling of a field is read (`model`/`model_id`, `prompt_sha256`/`prompt_hash`, `approver`/`approved_by`,
`frozen_at`/`approved_at`, `spec_fingerprint`/`spec_hash`); other keys are kept as `header.<key>` properties.

Keys are one word, case-insensitive, `-` read as `_`; comment lines without `key: value` are skipped; the
header ends at the first line that is neither blank nor a `--` comment.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

_HEADER_LINE = re.compile(r"^--\s*([A-Za-z][A-Za-z0-9_\-]*)\s*:\s*(.*?)\s*$")

# Spellings the header may use for each field (the first is canonical).
_ALIASES: dict[str, tuple[str, ...]] = {
    "spec_fingerprint": ("spec_fingerprint", "spec_hash", "fingerprint"),
    "model_id": ("model_id", "model"),
    "prompt_hash": ("prompt_hash", "prompt_sha256"),
    "approved_by": ("approved_by", "approver"),
    # Code is frozen when it is approved, so the freeze time is the approval time.
    "approved_at": ("approved_at", "approval_time", "frozen_at"),
    "proposal_id": ("proposal_id", "proposal"),
}
_CANONICAL = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}


class CodeProvenance(BaseModel):
    """What the DataJob says about the code: all optional, empty for hand-written SQL."""

    model_config = ConfigDict(frozen=True)

    spec_fingerprint: str | None = Field(default=None, description="fingerprint of the spec the code was made from")
    model_id: str | None = None
    prompt_hash: str | None = None
    approved_by: str | None = None
    approved_at: str | None = None
    proposal_id: str | None = Field(default=None, description="the repair proposal that produced this code")
    extra: dict[str, str] = Field(default_factory=dict, description="other header keys, kept verbatim")

    @classmethod
    def from_sql(cls, sql: str | None) -> CodeProvenance:
        """Parse the leading `-- key: value` header of `sql` (no header: all fields empty)."""
        values: dict[str, str] = {}
        extra: dict[str, str] = {}
        for raw in (sql or "").splitlines():
            line = raw.strip()
            if not line:
                continue
            if not line.startswith("--"):
                break
            match = _HEADER_LINE.match(line)
            if not match or not match.group(2):
                continue
            key = match.group(1).lower().replace("-", "_")
            if key in _CANONICAL:
                values[_CANONICAL[key]] = match.group(2)
            else:
                extra[key] = match.group(2)
        return cls(**values, extra=extra)


def job_properties(
    *,
    code_version: str | None = None,
    spec_hash: str | None = None,
    provenance: CodeProvenance | None = None,
    **more: str | None,
) -> dict[str, str]:
    """The DataJob's custom properties, from whatever is known; absent values are left out.

    `spec_hash` is the spec's current fingerprint; `generated_for_spec_hash` is the one in the SQL header, so a
    reader can see stale code (the two differ) at a glance.
    """
    p = provenance or CodeProvenance()
    props: dict[str, str | None] = {
        "code_version": code_version,
        "spec_hash": spec_hash,
        "generated_for_spec_hash": p.spec_fingerprint,
        "model_id": p.model_id,
        "prompt_hash": p.prompt_hash,
        "approver": p.approved_by,
        "approved_at": p.approved_at,
        "proposal_id": p.proposal_id,
        **{f"header.{k}": v for k, v in p.extra.items()},
        **more,
    }
    return {k: str(v) for k, v in props.items() if v not in (None, "")}
