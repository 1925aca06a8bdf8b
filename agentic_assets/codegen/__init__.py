"""The codegen agent: an asset's SQL written from its description, validated, sandboxed, versioned.

Names are imported on first use (PEP 562), so that the command line starts without loading the agent.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentic_assets.codegen.generate import (
        AwaitingApproval,
        GenerationError,
        GenerationReport,
        approve_pending,
        ensure_code,
        generate_code,
    )
    from agentic_assets.codegen.versioning import code_status

_WHERE = {
    "AwaitingApproval": "generate",
    "GenerationError": "generate",
    "GenerationReport": "generate",
    "approve_pending": "generate",
    "ensure_code": "generate",
    "generate_code": "generate",
    "code_status": "versioning",
}

__all__ = [
    "AwaitingApproval",
    "GenerationError",
    "GenerationReport",
    "approve_pending",
    "code_status",
    "ensure_code",
    "generate_code",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
