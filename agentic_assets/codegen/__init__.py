"""The codegen agent: an asset's SQL written from its description, validated, sandboxed, versioned."""

from agentic_assets.codegen.generate import (
    AwaitingApproval,
    GenerationError,
    GenerationReport,
    approve_pending,
    ensure_code,
    generate_code,
)
from agentic_assets.codegen.versioning import code_status

__all__ = [
    "AwaitingApproval",
    "GenerationError",
    "GenerationReport",
    "approve_pending",
    "code_status",
    "ensure_code",
    "generate_code",
]
