"""One generation: prompt -> agent (validated, retried) -> sandbox -> best candidate -> gate -> frozen code.

Every attempt, freeze, pending candidate and refusal is written to the audit log.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime

import pyarrow as pa
from pydantic import BaseModel, Field
from pydantic_ai import capture_run_messages
from pydantic_ai.exceptions import AgentRunError, UnexpectedModelBehavior, UsageLimitExceeded
from pydantic_ai.usage import UsageLimits

from agentic_assets.audit import audit_log_for
from agentic_assets.codegen.agent import codegen_agent
from agentic_assets.codegen.approvals import (
    approval_location,
    codegen_proposal_id,
    commit_approved,
    commit_info,
    commit_proposal,
)
from agentic_assets.codegen.builtin_driver import codegen_builtin
from agentic_assets.codegen.context import CodegenDeps
from agentic_assets.codegen.contracts import Attempt, CannotGenerate, GeneratedSql
from agentic_assets.codegen.fewshot import select_examples
from agentic_assets.codegen.integrity import not_approved_message, verify_code
from agentic_assets.codegen.prompt import INSTRUCTIONS, build_prompt, store_prompt
from agentic_assets.codegen.samples import SampleCache, describe_tables, sample_inputs
from agentic_assets.codegen.sandbox_check import feedback, run_candidate
from agentic_assets.codegen.validation import validate_candidate
from agentic_assets.codegen.versioning import (
    FrozenMeta,
    body_of,
    clear_pending,
    code_status,
    frozen_path,
    load_pending,
    parse_header,
    render_frozen,
    save_pending,
    sql_sha256,
)
from agentic_assets.models import build_model, describe_model
from agentic_assets.models.builtin.conversation import retry_feedback
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset, Project

TOOL_CALLS_LIMIT = 12
AUTO_APPROVER = "auto (tier 1)"
# Sample outputs of assets generated in this process, so downstream generation can run before publishing.
_SAMPLE_CACHE: SampleCache = {}


class GenerationError(RuntimeError):
    """No usable code: every candidate was refused or failed validation or the sandbox."""


class AwaitingApproval(GenerationError):
    """Validated code exists for a tier 2/3 asset, but nobody has approved it yet."""


class GenerationReport(BaseModel):
    asset: str
    status: str = Field(description="frozen, pending, refused or failed")
    message: str
    attempts: list[Attempt] = Field(default_factory=list)
    chosen: Attempt | None = None
    path: str | None = None
    approver: str | None = None


def _usage_tokens(result: object) -> tuple[int, int]:
    usage = getattr(result, "usage", None)
    if usage is None:
        return 0, 0
    return (usage.input_tokens or 0) + (usage.output_tokens or 0), usage.requests or 0


def build_deps(
    asset: LoadedAsset, project: Project, settings: Settings, *, variant: int = 0, cache: SampleCache | None = None
) -> CodegenDeps:
    tables = sample_inputs(asset, project, settings, _SAMPLE_CACHE if cache is None else cache)
    return CodegenDeps(
        spec=asset.spec,
        tables=describe_tables(asset, project, tables),
        checks_text=asset.checks_text,
        examples=select_examples(asset.spec.description, k=4, offset=variant),
        sample_tables=tables,
    )


def run_attempt(
    deps: CodegenDeps,
    settings: Settings,
    *,
    model_setting: str | None = None,
    variant: int = 0,
    sandbox: bool = True,
    backend: str | None = None,
    model: object | None = None,
) -> tuple[Attempt, pa.Table | None]:
    """One candidate: the agent loop (with validation retries), then the sandbox and one more chance."""
    setting = model_setting or settings.model
    started = time.perf_counter()
    prompt = build_prompt(deps)
    digest = store_prompt(settings.state_dir, INSTRUCTIONS, prompt)
    attempt = Attempt(variant=variant, model_id=describe_model(setting), prompt_sha256=digest)
    llm = model or build_model(setting, builtin=codegen_builtin)
    temperature = round(0.3 * variant, 2)
    limits = UsageLimits(tool_calls_limit=TOOL_CALLS_LIMIT)
    history = None
    user_prompt = prompt
    output_table = None
    for round_no in range(2):
        with capture_run_messages() as messages:
            try:
                result = codegen_agent.run_sync(
                    user_prompt,
                    deps=deps,
                    model=llm,  # type: ignore[arg-type]
                    message_history=history,
                    usage_limits=limits,
                    model_settings={"temperature": temperature},
                )
            except (UnexpectedModelBehavior, UsageLimitExceeded) as err:
                attempt.validation_errors += [[e] for e in retry_feedback(messages)[len(_flat(attempt)) :]]
                attempt.retries = len(_flat(attempt))
                attempt.refusal = f"no valid SQL: {err}"
                attempt.output = None
                break
            except AgentRunError as err:
                attempt.refusal = f"the model failed: {type(err).__name__}: {err}"
                attempt.output = None
                break
        new_errors = retry_feedback(result.all_messages())[len(_flat(attempt)) :]
        attempt.validation_errors += [[e] for e in new_errors]
        attempt.retries = len(_flat(attempt))
        tokens, requests = _usage_tokens(result)
        attempt.tokens += tokens
        attempt.requests += requests
        output = result.output
        if isinstance(output, CannotGenerate):
            attempt.refusal = output.reason
            attempt.output = None
            break
        assert isinstance(output, GeneratedSql)
        attempt.output = output
        attempt.refusal = None
        attempt.output_schema = validate_candidate(output.sql, deps).output_schema
        if not sandbox:
            break
        summary, output_table = run_candidate(
            output.sql, deps.sample_tables, checks=deps.checks_text, output_name=deps.spec.name, backend=backend
        )
        attempt.sandbox = summary
        if summary.ok or round_no == 1:
            break
        # One more chance with the verdict, in the same conversation.
        history = result.all_messages()
        user_prompt = feedback(summary)
    attempt.seconds = round(time.perf_counter() - started, 3)
    return attempt, output_table


def _flat(attempt: Attempt) -> list[str]:
    return [e for errors in attempt.validation_errors for e in errors]


def _audit_attempt(settings: Settings, asset: LoadedAsset, attempt: Attempt) -> None:
    audit_log_for(settings).append(
        "codegen.attempt",
        actor=attempt.model_id,
        asset=asset.name,
        payload={
            "spec_fingerprint": asset.spec.fingerprint(),
            "prompt_sha256": attempt.prompt_sha256,
            "variant": attempt.variant,
            "sql": attempt.output.sql if attempt.output else None,
            "explanation": attempt.output.explanation if attempt.output else None,
            "assumptions": attempt.output.assumptions if attempt.output else [],
            "refusal": attempt.refusal,
            "validation_errors": attempt.validation_errors,
            "sandbox": attempt.sandbox.model_dump() if attempt.sandbox else None,
            "retries": attempt.retries,
            "seconds": attempt.seconds,
        },
    )


def freeze(asset: LoadedAsset, project: Project, settings: Settings, attempt: Attempt, *, approver: str) -> LoadedAsset:
    """Write the code beside the spec with its provenance header; record it; return the updated asset."""
    if asset.spec.sql is not None:
        raise GenerationError(f"{asset.name} has inline SQL in its spec; remove it to let the agent write the code")
    assert attempt.output is not None
    sql = attempt.output.sql.strip() + "\n"
    sandbox = attempt.sandbox.message if attempt.sandbox else "not run"
    meta = FrozenMeta(
        asset=asset.name,
        spec_fingerprint=asset.spec.fingerprint(),
        model=attempt.model_id,
        prompt_sha256=attempt.prompt_sha256,
        approver=approver,
        frozen_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sql_sha256=sql_sha256(sql),
        sandbox=" ".join(sandbox.split()),
    )
    path = frozen_path(asset)
    text = render_frozen(sql, meta)
    path.write_text(text, encoding="utf-8")
    clear_pending(settings, asset.name)
    proposal = codegen_proposal_id(attempt.prompt_sha256)
    git = commit_approved(settings, path, text, commit_info(meta, proposal, f"{asset.name}: code frozen"))
    audit_log_for(settings).append(
        "codegen.frozen",
        actor=approver,
        asset=asset.name,
        payload={
            **meta.model_dump(),
            "tier": asset.spec.tier,
            "path": path.name,
            "sql": sql,
            "validation": "ok",
            "retries": attempt.retries,
            "validation_errors": attempt.validation_errors,
            "sandbox_verdict": attempt.sandbox.model_dump() if attempt.sandbox else None,
            "assumptions": attempt.output.assumptions,
            "proposal_id": proposal,
            "sql_path": approval_location(path),
            **git,
        },
    )
    updated = dataclasses.replace(asset, sql=text, sql_path=path, output_schema=dict(attempt.output_schema))
    project.assets[asset.name] = updated
    return updated


def generate_code(
    asset: LoadedAsset,
    project: Project,
    settings: Settings,
    *,
    models: list[str] | None = None,
    candidates: int = 1,
    approver: str | None = None,
    backend: str | None = None,
    cache: SampleCache | None = None,
) -> GenerationReport:
    """Generate `candidates` variants, keep the best, and freeze it if the tier (or an approver) allows."""
    cache = _SAMPLE_CACHE if cache is None else cache
    settings_models = models or [settings.model]
    attempts: list[tuple[Attempt, pa.Table | None]] = []
    for variant in range(max(1, candidates)):
        deps = build_deps(asset, project, settings, variant=variant, cache=cache)
        setting = settings_models[variant % len(settings_models)]
        attempt, table = run_attempt(deps, settings, model_setting=setting, variant=variant, backend=backend)
        _audit_attempt(settings, asset, attempt)
        attempts.append((attempt, table))
    fallback = settings.model_fallback
    if fallback and fallback not in settings_models and all(a.refusal and a.output is None for a, _ in attempts):
        # Every candidate refused (it could not read the description): the fallback model writes it,
        # through the same validation, sandbox and gate.
        # First-choice examples at temperature 0, as for a first candidate; numbered after the others.
        deps = build_deps(asset, project, settings, cache=cache)
        attempt, table = run_attempt(deps, settings, model_setting=fallback, backend=backend)
        attempt.variant = len(attempts)
        _audit_attempt(settings, asset, attempt)
        attempts.append((attempt, table))
    ranked = sorted(attempts, key=lambda pair: pair[0].rank())
    best, table = ranked[0]
    all_attempts = [a for a, _ in attempts]
    if not best.ok:
        status = "refused" if all(a.refusal and a.output is None for a in all_attempts) else "failed"
        reason = best.refusal or (best.sandbox.message if best.sandbox else "no candidate")
        audit_log_for(settings).append(
            f"codegen.{status}", actor=best.model_id, asset=asset.name, payload={"reason": reason}
        )
        return GenerationReport(asset=asset.name, status=status, message=reason, attempts=all_attempts, chosen=best)
    if table is not None:
        cache[asset.name] = table
    tier = asset.spec.tier
    if tier == 1 or approver:
        who = approver or AUTO_APPROVER
        updated = freeze(asset, project, settings, best, approver=who)
        return GenerationReport(
            asset=asset.name,
            status="frozen",
            message=f"frozen to {updated.sql_path} (approver: {who})",
            attempts=all_attempts,
            chosen=best,
            path=str(updated.sql_path),
            approver=who,
        )
    save_pending(settings, asset, best)
    git = _commit_pending(settings, asset, best)
    audit_log_for(settings).append(
        "codegen.pending",
        actor=best.model_id,
        asset=asset.name,
        payload={"tier": tier, "prompt_sha256": best.prompt_sha256, "sql_sha256": sql_sha256(best.output.sql), **git},  # type: ignore[union-attr]
    )
    return GenerationReport(
        asset=asset.name,
        status="pending",
        message=f"tier {tier}: validated code awaits approval "
        f"(agentic-assets code approve {asset.name} --approver NAME)",
        attempts=all_attempts,
        chosen=best,
    )


def _commit_pending(settings: Settings, asset: LoadedAsset, attempt: Attempt) -> dict[str, object]:
    """The candidate awaiting approval, on its own git branch (when the project is a git repository)."""
    assert attempt.output is not None
    return commit_proposal(
        settings,
        asset=asset.name,
        spec_fingerprint=asset.spec.fingerprint(),
        path=frozen_path(asset),
        sql=attempt.output.sql,
        model=attempt.model_id,
        prompt_sha256=attempt.prompt_sha256,
        proposal=codegen_proposal_id(attempt.prompt_sha256),
        summary=f"{asset.name}: code awaiting approval",
    )


def revalidate_edit(
    asset: LoadedAsset, project: Project, settings: Settings, *, approver: str, backend: str | None = None
) -> LoadedAsset:
    """Code changed by hand after its approval: validate it and run it in the sandbox with its checks, then
    freeze it again in `approver`'s name. Raises GenerationError, and changes nothing, if it fails."""
    assert asset.sql is not None
    body = body_of(asset.sql).strip() + "\n"
    deps = build_deps(asset, project, settings)
    validation = validate_candidate(body, deps)
    if validation.errors:
        raise GenerationError(f"{asset.name}: the edited code fails validation: " + "; ".join(validation.errors))
    summary, table = run_candidate(body, deps.sample_tables, checks=deps.checks_text, output_name=asset.name,
                                   backend=backend)  # fmt: skip
    if not summary.ok:
        raise GenerationError(f"{asset.name}: the edited code fails in the sandbox: {summary.message}")
    if table is not None:
        _SAMPLE_CACHE[asset.name] = table
    previous = parse_header(asset.sql)
    attempt = Attempt(
        model_id="edited by hand" + (f" (from {previous.model})" if previous else ""),
        prompt_sha256=previous.prompt_sha256 if previous else "",
        output=GeneratedSql(
            sql=body,
            explanation="the frozen code as edited by hand, re-validated",
            columns=list(validation.output_schema),
        ),  # fmt: skip
        sandbox=summary,
        output_schema=dict(validation.output_schema),
    )
    audit_log_for(settings).append(
        "codegen.revalidated", actor=approver, asset=asset.name,
        payload={"sql_sha256": sql_sha256(body), "sandbox": summary.model_dump()},
    )  # fmt: skip
    return freeze(asset, project, settings, attempt, approver=approver)


def approve_pending(asset: LoadedAsset, project: Project, settings: Settings, *, approver: str) -> LoadedAsset:
    """Freeze the pending candidate of the current spec, approved by a named person.

    Frozen code changed by hand since its approval is approved as it is now, after it passes validation
    and the sandbox again."""
    if not approver.strip():
        raise GenerationError("approval needs the approver's name")
    pending = load_pending(settings, asset)
    if pending is None and verify_code(asset, settings).state == "modified":
        return revalidate_edit(asset, project, settings, approver=approver)
    if pending is None:
        raise GenerationError(f"no pending code for {asset.name} generated from its current spec; run generate first")
    audit_log_for(settings).append(
        "codegen.approved", actor=approver, asset=asset.name, payload={"prompt_sha256": pending.attempt.prompt_sha256}
    )
    return freeze(asset, project, settings, pending.attempt, approver=approver)


def ensure_code(
    asset: LoadedAsset, project: Project, settings: Settings, *, approver: str | None = None
) -> LoadedAsset:
    """Code for `asset` that matches its spec: generated, validated, sandboxed and frozen when needed.

    Fresh generated code and hand-written code are returned as they are. Missing or stale code is
    generated; tier 1 is frozen at once, tiers 2 and 3 only with an `approver` (otherwise the validated
    candidate is kept pending and AwaitingApproval is raised).
    """
    status = code_status(asset, settings)
    if status.state in ("fresh", "hand-written"):
        return asset
    if status.state == "modified":
        # Changed after approval: tier 1 is re-validated before it runs; tiers 2 and 3 wait for a person
        # (an approver given for generated code does not approve a hand edit nobody reviewed).
        if asset.spec.tier == 1:
            return revalidate_edit(asset, project, settings, approver=AUTO_APPROVER)
        raise AwaitingApproval(not_approved_message(asset, verify_code(asset, settings)))
    pending = load_pending(settings, asset)
    if pending is not None and (asset.spec.tier == 1 or approver):
        if approver:
            return approve_pending(asset, project, settings, approver=approver)
        return freeze(asset, project, settings, pending.attempt, approver=AUTO_APPROVER)
    if pending is not None:
        raise AwaitingApproval(_awaiting(asset, status.state))
    report = generate_code(asset, project, settings, approver=approver)
    if report.status == "frozen":
        return project.assets[asset.name]
    if report.status == "pending":
        raise AwaitingApproval(_awaiting(asset, status.state))
    raise GenerationError(f"cannot generate code for {asset.name}: {report.message}")


def _awaiting(asset: LoadedAsset, state: str) -> str:
    why = "its code is stale (the spec changed)" if state == "stale" else "it has no code yet"
    return (
        f"{asset.name} (tier {asset.spec.tier}): {why}; validated code awaits approval: "
        f"agentic-assets code approve {asset.name} --approver NAME "
        f"(or agentic-assets generate {asset.name} --approve --approver NAME)"
    )
