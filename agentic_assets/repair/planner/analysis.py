"""The builtin planner's reasoning: from what the tools returned to findings, or to the next tool to call.

Every rule reads tool observations only (schema diffs, profiles, check results, code history, run errors);
nothing here knows a table, column or incident by name.
"""

from __future__ import annotations

from agentic_assets.repair.contracts import Category
from agentic_assets.repair.failure_signal import FailureSignal
from agentic_assets.repair.planner import catalog_repairs
from agentic_assets.repair.planner.combinations import combinations
from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding, Step
from agentic_assets.repair.planner.operators import (
    deployed_cast,
    derived_column,
    inert_deploy,
    resource_step,
    schema_check,
    source_arrival,
)
from agentic_assets.repair.planner.operators.data_quality import check_source_columns, data_findings, row_key_columns
from agentic_assets.repair.planner.operators.dedupe import duplicate_row_findings
from agentic_assets.repair.planner.operators.join_keys import key_findings
from agentic_assets.repair.planner.operators.late_arrival import late_findings
from agentic_assets.repair.planner.operators.literal_codes import literal_findings
from agentic_assets.repair.planner.operators.regression import regression_finding
from agentic_assets.repair.planner.operators.rename_map import rename_findings, rename_profile_needs
from agentic_assets.repair.planner.operators.set_operations import ambiguous_findings, set_operation_findings
from agentic_assets.repair.planner.operators.type_change import text_format_findings, type_change_findings
from agentic_assets.repair.planner.operators.widening import numeric_casts_of_numbers, widening_finding, widenings
from agentic_assets.repair.planner.signals import (
    QUOTED_VALUE,
    error_class,
    failed_check_objects,
    literal_filters,
    missing_columns,
    parse_checks,
)
from agentic_assets.repair.sql_rewrite import cast_targets
from agentic_assets.repair.types import is_identifier_name

# Planner confidence at which a second consistent reading needs no further tool call (code history).
CONFIDENT = 0.85


def next_step(ev: Evidence, confidences: list[float], extra_failed: list[str] | None = None) -> Step:
    if not ev.has("failed_run"):
        return Step(thought="Start from the failure: the run's error, its failed checks, the code version that "
                    "ran and the last good run.", tool="failed_run")  # fmt: skip
    report = ev.report
    failed = ev.failed
    error = failed.get("error") or ""
    signal = report.failed_run.signal if report.failed_run else FailureSignal()
    klass = error_class(signal, error)
    failed_names = list(failed.get("failed_checks") or [])
    if extra_failed:
        # The sandbox verdict of a first proposal showed more failing checks: a second cause.
        failed_names = sorted({*failed_names, *extra_failed})

    if klass == "memory":
        step = resource_step.memory_step(report)
        return Step(thought="The run ran out of memory: the data outgrew the resources.", confidence=0.9,
                    findings=[step])  # fmt: skip
    if klass == "time":
        chosen = ev.choose("run time", [[step] for step in resource_step.time_candidates(report)])
        if ev.pending:
            return _evaluation_step(ev, [])
        return Step(thought="The run was stopped at its wall-clock limit: the work outgrew the time it has.",
                    confidence=0.9, findings=chosen)  # fmt: skip
    if klass == "conversion" and ev.sql and numeric_casts_of_numbers(ev.sql, report):
        # A cast between number types fails only when a value does not fit the narrower one.
        klass = "overflow"
    if klass == "overflow" and ev.sql:
        widen = widenings(ev.sql)
        if widen and ev.code_changed():
            # A cast the deploy added is its own regression: read what the deploy changed before widening it.
            if not ev.has("code_history"):
                return Step(thought="Values no longer fit a type the transform casts to, and the code changed since "
                            "the last good run: read what the deploy changed.", confidence=0.6,
                            tool="code_history")  # fmt: skip
            rollback = deployed_cast.deployed_cast_finding(ev, widen)
            if rollback is not None:
                return Step(thought="The deploy added the narrow cast: roll it back.", confidence=0.9,
                            findings=[rollback])  # fmt: skip
        if widen:
            return Step(
                thought="Values outgrew a type the transform casts to; widen it.",
                confidence=0.85,
                findings=[widening_finding(ev.sql, widen, report, error, ev.checks_text)],
            )
    if not ev.has("schema_diff"):
        hint = {
            "io": "The run failed reading or writing; before calling it transient I must see that the sources "
            "read cleanly now and did not change.",
            "missing_column": f"The transform references {', '.join(missing_columns(error)) or 'a column'} that "
            "the source no longer has: compare each source's schema with the last good run.",
            "type_mismatch": "A type error: a source column probably changed type. Compare schemas.",
            "conversion": "A conversion error: values no longer parse. Compare schemas, then profile the values.",
            "overflow": "Values no longer fit a type: compare schemas.",
            "set_operation": "The branches of a set operation no longer have the same columns: compare schemas.",
            "checks": f"The transform ran but checks failed ({'; '.join(failed_names)}). First rule out a "
            "change in the sources' schemas.",
            "missing_source": "A source could not be found: compare what is there with the last good run.",
        }.get(klass, "Compare the sources' schemas with the last good run.")
        return Step(thought=hint, confidence=0.5, tool="schema_diff")

    schema = ev.schema
    schema_changed = any(d.changed for d in schema.sources)
    if not schema_changed:
        late = source_arrival.late_source(schema)
        if late is not None:
            return Step(thought="A source is absent: the upstream delivery has not landed yet.", confidence=0.85,
                        findings=[late])  # fmt: skip
        transient = source_arrival.transient_read(signal, schema, error)
        if transient is not None and not extra_failed:
            return _transient_step(ev, transient)
        # A retry the sandbox ran still fails checks: they have a cause of their own, beside the transient read.
        beside = [transient] if transient is not None else []
    else:
        beside = []

    findings = rename_findings(ev)
    evolved = schema_check.evolve(ev.checks_text, ev.sql, schema, failed_names) if klass == "checks" else None
    if evolved is not None:
        # The schema check is explained; the other failed checks (if any) still need their own cause.
        findings.append(evolved)
        failed_names = [n for n in failed_names if "schema" not in n.lower()]
    if klass == "set_operation":
        findings += set_operation_findings(ev)
    if klass == "ambiguous":
        findings += ambiguous_findings(ev, error)
    type_findings, need_profiles = type_change_findings(ev)
    for source, cols in rename_profile_needs(ev).items():
        need_profiles.setdefault(source, []).extend(cols)
    findings += type_findings
    if ev.partial:
        # The sandbox ran a repair of the first cause and it still fails checks: those checks are a second cause.
        extra_failed = sorted({*(extra_failed or []), *ev.partial})
        failed_names = sorted({*failed_names, *ev.partial})
    findings += key_findings(ev)
    duplicates = duplicate_row_findings(ev)
    # Source columns renamed by the feed: checks on the old name now read the new one.
    renamed: dict[str, dict[str, str]] = {}
    for f in findings:
        if f.source and f.renames:
            renamed.setdefault(f.source, {}).update({old: new for new, old in f.renames.items()})

    # Text columns the transform casts whose values the error quotes.
    parse_cols: list[tuple[str, str]] = []
    if klass == "conversion" and ev.sql:
        for col, _type in cast_targets(ev.sql):
            source = ev.source_of_column(col)
            if source and not any(col in f.replaces for f in findings):
                parse_cols.append((source, col))
    for source, col in parse_cols:
        if ev.profile(source, col) is None:
            need_profiles.setdefault(source, []).append(col)

    code_changed = ev.code_changed()
    if code_changed and not ev.has("code_history") and not findings:
        return Step(
            thought="The code version that failed is not the one that last ran green: read the code history and "
            "what the deploy changed.",
            confidence=0.6,
            tool="code_history",
        )
    regression_now = regression_finding(ev, failed_names) if not findings else None
    checks_path = (
        (klass == "checks" and bool(failed_names))
        or bool(extra_failed)
        or (klass in ("other", "none") and not findings)
    )
    # Data-side evidence for failed checks (and, after a rename, for the checks on the renamed columns).
    # With a deploy since the last good run, the failed checks' source columns are still profiled: bad rows can
    # explain them whatever the deploy did (`inert_deploy`).
    if (regression_now is None or code_changed) and (checks_path or renamed):
        for source, col, _check in check_source_columns(ev, failed_names, renamed):
            if ev.profile(source, col) is None:
                need_profiles.setdefault(source, []).append(col)
        if renamed and not checks_path:
            for source, mapping in renamed.items():
                for old, new in mapping.items():
                    if is_identifier_name(old) and not ev.attempted(source, new):
                        need_profiles.setdefault(source, []).append(new)
        if checks_path and not code_changed:
            for source, cols in row_key_columns(ev).items():
                need_profiles.setdefault(source, []).extend(cols)
            for col, _literals in literal_filters(ev.sql) if ev.sql else []:
                source = ev.source_of_column(col)
                if source:
                    need_profiles.setdefault(source, []).append(col)

    need_profiles = {s: sorted({c for c in cols if not ev.attempted(s, c)}) for s, cols in need_profiles.items()}
    need_profiles = {s: c for s, c in need_profiles.items() if c}
    if need_profiles:
        cols = need_profiles
        listing = "; ".join(f"{s}: {', '.join(c)}" for s, c in cols.items())
        return Step(
            thought=f"Profile the columns that could explain the failure ({listing}): nulls, duplicates, formats, "
            "latest timestamps.",
            confidence=max(confidences[-1:] or [0.5]),
            tool="column_profiles",
            args={"columns": cols},
        )

    findings += text_format_findings(ev, parse_cols)
    if code_changed and not ev.has("code_history"):
        return Step(
            thought="The code version that failed is not the one that last ran green: read the code history and "
            "what the deploy changed.",
            confidence=0.6,
            tool="code_history",
        )
    regression = regression_finding(ev, failed_names)
    if regression is not None and not any(f.category in ("schema_drift", "format_drift") for f in findings):
        findings = [f for f in findings if f.category not in ("data_quality",)]
        data = [f for f in data_findings(ev, failed_names, renamed, allow_late=False) if f.remediation != "escalate"]
        data += [d for d in duplicates if not any(f.remediation == "dedupe" and f.source == d.source for f in data)]
        findings += inert_deploy.deploy_options(ev, regression, data)
    else:
        if checks_path and not findings:
            findings += literal_findings(ev)
        if checks_path or renamed or not findings:
            # Late data explains checks nothing else does, or the checks a first repair still fails.
            allow_late = (not findings and not duplicates) or bool(extra_failed)
            found = data_findings(ev, failed_names, renamed, allow_late=allow_late)
            if allow_late and not found and not ev.has("freshness"):
                return Step(thought="No bad rows explain the failed checks: see whether each source's data reaches "
                            "as far as its history says it should.", confidence=0.6, tool="freshness")  # fmt: skip
            findings += found
        for dup in duplicates:
            if not any(f.remediation == "dedupe" and f.source == dup.source for f in findings):
                findings.append(dup)

    findings += beside
    findings, ask = catalog_repairs.resolve(ev, findings, failed_names)
    if ask is not None:
        return ask
    findings = _rebuild_dropped(ev, findings)
    if ev.partial and not any(f.remediation == "retry" for f in findings):
        # The rebuild repairs its own cause and the checks it still fails need theirs: late data first, the
        # sandbox verdict of the plan shows any other (bad rows).
        if not ev.has("freshness"):
            return Step(thought=f"The rebuilt column repairs its cause, but {'; '.join(ev.partial)} still fail: see "
                        "whether each source's data reaches as far as its history says.", confidence=0.6,
                        tool="freshness")  # fmt: skip
        late = late_findings(ev, failed_check_objects(ev.checks_text, ev.partial))
        findings += [f.model_copy(update={"wait_for_checks": list(ev.partial)}) for f in late]
    if ev.pending:
        return _evaluation_step(ev, findings)
    drift = any(f.category in ("schema_drift", "format_drift") for f in findings)
    # A repair the sandbox ran against the last good output, with the code unchanged since, needs no code history.
    verified = ev.has("evaluate_candidates") and not code_changed
    if drift and not verified and not ev.has("code_history") and not _confident_twice(confidences, findings):
        return Step(
            thought="The sources changed. Before blaming them, confirm that no recent change to the transform "
            "itself is implicated.",
            confidence=max(f.confidence for f in findings),
            tool="code_history",
        )
    if not findings:
        return Step(
            thought="No tool output explains the failure well enough to change anything safely.",
            confidence=0.3,
            findings=[
                Finding(
                    category=_fallback_category(klass),
                    remediation="escalate",
                    cause=f"unexplained failure: {error[:300] or '; '.join(failed_names)}",
                    evidence=[k for k in ev.obs],
                    confidence=0.3,
                    escalate_reason="no diagnosis is supported by the evidence",
                )
            ],
        )
    if extra_failed:
        # A first plan still failed these checks and late data is found beside the other causes: the retry waits
        # for them too (the failed run stopped at an error, before any check ran).
        findings = [
            f.model_copy(update={"wait_for_checks": sorted(extra_failed)}) if f.wait_for_data and not f.wait_for_checks
            else f
            for f in findings
        ]  # fmt: skip
    return Step(
        thought="The evidence is consistent; build the proposals.",
        confidence=min(f.confidence for f in findings),
        findings=findings,
    )


def _transient_step(ev: Evidence, transient: Finding) -> Step:
    """A transient read failure; when the transform was deployed since the last good run, the retry would run the
    new code, which the failure hid: the retry alone and with a rollback are both held to the last good output,
    and the rollback joins only when the new code changes what unchanged rows say (checks can pass on both)."""
    done = Step(thought="Every source reads cleanly now and its schema is unchanged: the I/O error was transient.",
                confidence=0.9, findings=[transient])  # fmt: skip
    if not ev.code_changed():
        return done
    if not ev.has("code_history"):
        return Step(
            thought="The read failed for a moment, but the code that failed is not the one that last ran green: "
            "read what the deploy changed before retrying it.",
            confidence=0.6,
            tool="code_history",
        )
    rollback = regression_finding(ev, [])
    if rollback is None:
        return done
    chosen = ev.choose("deploy", [[transient], [transient, rollback]])
    if ev.pending:
        return _evaluation_step(ev, [])
    return Step(thought="The retry is held to the last good output with and without the deploy.",
                confidence=min(f.confidence for f in chosen), findings=chosen)  # fmt: skip


def _rebuild_dropped(ev: Evidence, findings: list[Finding]) -> list[Finding]:
    """Escalations of a dropped column (no rename, nothing in the catalog) replaced by its rebuilds from the
    columns the source still has, where the sandbox finds one that reproduces the last good output."""
    out: list[Finding] = []
    for f in findings:
        rebuilt = derived_column.derived_findings(ev, f) if f.remediation == "escalate" else None
        out += [f] if rebuilt is None else rebuilt
    return out


def _evaluation_step(ev: Evidence, findings: list[Finding]) -> Step:
    """Run every pending candidate (with the findings already settled) in the sandbox, in one tool call."""
    from agentic_assets.repair.planner.model import proposal_calls  # the model module imports this one

    candidates = []
    for name, option in combinations(ev.pending):
        calls = proposal_calls([*findings, *option], ev.sql)
        candidates.append({"name": name, "calls": [{"tool": c.tool_name, "args": c.args} for c in calls]})
    labels = ", ".join(label for label, _ in ev.pending)
    return Step(
        thought=f"More than one repair could explain {labels}; run each in the sandbox against the checks and the "
        "last good output and keep the smallest that passes.",
        confidence=0.7,
        tool="evaluate_candidates",
        args={"candidates": candidates},
    )


def _confident_twice(confidences: list[float], findings: list[Finding]) -> bool:
    now = min(f.confidence for f in findings) if findings else 0.0
    return bool(confidences) and confidences[-1] >= CONFIDENT and now >= CONFIDENT


def _fallback_category(klass: str) -> Category:
    return {
        "io": "transient",
        "missing_source": "late_data",
        "missing_column": "schema_drift",
        "set_operation": "schema_drift",
        "type_mismatch": "schema_drift",
        "overflow": "schema_drift",
        "conversion": "format_drift",
        "checks": "data_quality",
    }.get(klass, "data_quality")  # type: ignore[return-value]


__all__ = ["Evidence", "Finding", "Step", "next_step", "parse_checks", "QUOTED_VALUE"]
