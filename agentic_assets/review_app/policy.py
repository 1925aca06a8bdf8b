"""Who may approve what, by tier, on the review page. The same rule is enforced again where the change is applied.

tier 1: autonomous (promoted at once); a waiting tier 1 proposal may be approved by any signed-in reviewer.
tier 2: supervised: a named approver (signed in by name, or the name a shared-token holder types).
tier 3: approval required: a person signed in by name (a named token or the proxy's header); a typed name is
        not enough.
"""

from __future__ import annotations

from agentic_assets.review_app.auth import Identity


class Refused(PermissionError):
    """The tier forbids this approval; the message says why, for the reviewer."""


def approver_for(tier: int, identity: Identity, typed_name: str | None) -> str:
    typed = (typed_name or "").strip()
    if identity.named:
        if typed and typed != identity.name:
            raise Refused(f"signed in as {identity.name}: you cannot approve as {typed}")
        return identity.name
    if tier >= 3:
        raise Refused("tier 3 changes need an approver signed in by name (a named token or the proxy's sign-in)")
    if not typed:
        raise Refused(f"tier {tier} changes need the approver's name")
    return typed


def may_approve(tier: int, identity: Identity) -> bool:
    """Whether to offer the Approve button at all (the server decides again on submit)."""
    return identity.named or tier < 3
