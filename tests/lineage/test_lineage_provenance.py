"""The SQL header that carries code provenance, and the DataJob properties made from it."""

from __future__ import annotations

import os

from agentic_assets.lineage.provenance import CodeProvenance, job_properties

FROZEN = """-- agentic-assets generated transform
-- spec_fingerprint: 3f2a9c0d1b7e4a65
-- model_id: hosted:model-a
-- prompt_hash: 9b1c2d3e4f5a6b7c
-- approved_by: alice@example.com
-- approved_at: 2025-06-01T12:00:00Z
-- proposal_id: rp-0007

SELECT 1 AS x -- model_id: not-a-header
"""


def test_header_fields_are_read() -> None:
    p = CodeProvenance.from_sql(FROZEN)
    assert p.spec_fingerprint == "3f2a9c0d1b7e4a65"
    assert p.model_id == "hosted:model-a"  # the value may itself contain a colon
    assert p.prompt_hash == "9b1c2d3e4f5a6b7c"
    assert p.approved_by == "alice@example.com"
    assert p.approved_at == "2025-06-01T12:00:00Z"
    assert p.proposal_id == "rp-0007"
    assert p.extra == {}


def test_aliases_case_and_extra_keys() -> None:
    p = CodeProvenance.from_sql("-- Model: builtin\n-- Approver: bob\n-- Spec-Hash: abc\n-- sandbox: bwrap\nSELECT 1")
    assert (p.model_id, p.approved_by, p.spec_fingerprint) == ("builtin", "bob", "abc")
    assert p.extra == {"sandbox": "bwrap"}


def test_no_header_and_comments_after_the_query_are_ignored() -> None:
    assert CodeProvenance.from_sql("SELECT 1\n-- model_id: late") == CodeProvenance()
    assert CodeProvenance.from_sql(None) == CodeProvenance()


def test_job_properties_leave_out_what_is_unknown() -> None:
    props = job_properties(code_version="abc123", spec_hash="f00", provenance=CodeProvenance.from_sql(FROZEN), tier="2")
    assert props == {
        "code_version": "abc123",
        "spec_hash": "f00",
        "generated_for_spec_hash": "3f2a9c0d1b7e4a65",
        "model_id": "hosted:model-a",
        "prompt_hash": "9b1c2d3e4f5a6b7c",
        "approver": "alice@example.com",
        "approved_at": "2025-06-01T12:00:00Z",
        "proposal_id": "rp-0007",
        "tier": "2",
    }
    assert job_properties(code_version=None, owner=None) == {}


def test_importing_the_package_turns_datahub_telemetry_off() -> None:
    import agentic_assets.lineage  # noqa: F401

    assert os.environ["DATAHUB_TELEMETRY_ENABLED"] == "false"
    from datahub.telemetry import telemetry

    assert telemetry.ENV_ENABLED is False


def test_the_codegen_freeze_header_is_understood() -> None:
    from agentic_assets.codegen.versioning import FrozenMeta, render_frozen

    meta = FrozenMeta(
        asset="customer_segments",
        spec_fingerprint="231c7cb83d4c7dc8",
        model="builtin",
        prompt_sha256="ab" * 32,
        approver="alice@example.com",
        frozen_at="2025-06-01T12:00:00+00:00",
        sql_sha256="cd" * 32,
        sandbox="bubblewrap",
    )
    p = CodeProvenance.from_sql(render_frozen("SELECT 1 AS x", meta))
    assert (p.spec_fingerprint, p.model_id, p.prompt_hash) == ("231c7cb83d4c7dc8", "builtin", "ab" * 32)
    assert (p.approved_by, p.approved_at) == ("alice@example.com", "2025-06-01T12:00:00+00:00")
    assert p.extra == {"asset": "customer_segments", "sql_sha256": "cd" * 32, "sandbox": "bubblewrap"}
