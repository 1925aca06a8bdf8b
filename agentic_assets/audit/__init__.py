"""The append-only, hash-chained audit log: every agent run, proposal, verdict and decision."""

from agentic_assets.audit.log import AuditLog, audit_log_for, audit_url
from agentic_assets.audit.records import GENESIS, AuditRecord, ChainProblem, ChainReport

__all__ = ["GENESIS", "AuditLog", "AuditRecord", "ChainProblem", "ChainReport", "audit_log_for", "audit_url"]
