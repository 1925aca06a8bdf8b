"""The observations so far, by tool, read back into their contracts for the fix operators."""

from __future__ import annotations

from typing import Any

from agentic_assets.repair.candidates import Evaluation
from agentic_assets.repair.observations import FailedRunReport
from agentic_assets.repair.planner.combinations import chosen_option
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.schema_diff import SchemaDiff


class Evidence:
    """The observations so far, by tool (the latest call of each; profiles merged)."""

    def __init__(self, observations: dict[str, Any], profiles: dict[str, dict[str, Any]]) -> None:
        self.obs = observations
        self.profiles = profiles
        self.pending: list[tuple[str, list[list[Finding]]]] = []  # candidate sets waiting for the sandbox
        # Checks still failed by a chosen candidate that repaired its own cause: the evidence of a second one.
        self.partial: list[str] = []

    def has(self, tool: str) -> bool:
        return tool in self.obs

    def choose(self, label: str, options: list[list[Finding]], *, verify: bool = False) -> list[Finding]:
        """One of several candidate repairs for one cause: the sandbox's choice once evaluated, else pending.

        A single option needs no evaluation unless `verify` asks for it (a reading of values must reproduce the
        last good output). Several are queued; `next_step` asks `evaluate_candidates` for all pending ones in
        one call, and reads its choice (or its disagreement) back here."""
        if len(options) == 1 and not verify:
            return options[0]
        evaluation = self.obs.get("evaluate_candidates")
        if evaluation is None:
            self.pending.append((label, options))
            return []
        results = Evaluation.model_validate(evaluation)
        if verify and results.disagreement and not results.chosen:
            results.chosen = _nearest(results, label)
        chosen = results.chosen or ""
        index = chosen_option(chosen, label)
        if index is not None:
            option = options[index]
            changed = verify and _changes_meaning(results, chosen, option, self.growth(option))
            if not changed:
                return option
            results.reason = changed
        elif not results.chosen and not any(r.passes_checks for r in results.results):
            partial = _partial_repair(results, label)
            if partial is not None:
                # Not held to the last good output: the cause still to be found (a replay, null keys) changes the
                # rows it touches; the whole plan is validated again once that cause is answered.
                index, failing = partial
                self.partial = sorted({*self.partial, *failing})
                return options[index]
        return [
            Finding(
                category=options[0][0].category,
                remediation="escalate",
                cause=f"no candidate repair of {label} is safe: {results.reason}",
                evidence=["column_profiles", "evaluate_candidates"],
                confidence=0.75,
                escalate_reason=results.reason,
            )
        ]

    def growth(self, findings: list[Finding]) -> float:
        """How much the findings' sources grew since the last good run (rows now over rows then, less one)."""
        if not self.has("failed_run"):
            return 0.0
        good = self.report.last_good_run
        sources = {f.source for f in findings if f.source}
        then = sum((good.input_rows if good else {}).get(s, 0) for s in sources)
        now = sum(self.report.source_rows_now.get(s, 0) for s in sources)
        return now / then - 1 if then else 0.0

    @property
    def report(self) -> FailedRunReport:
        """`failed_run` read back into its contract."""
        return FailedRunReport.model_validate(self.obs["failed_run"])

    @property
    def schema(self) -> SchemaDiff:
        """`schema_diff` read back into its contract."""
        return SchemaDiff.model_validate(self.obs.get("schema_diff") or {})

    @property
    def run(self) -> dict[str, Any]:
        return self.obs.get("failed_run") or {}

    @property
    def failed(self) -> dict[str, Any]:
        return self.run.get("failed_run") or {}

    @property
    def sql(self) -> str:
        return self.run.get("sql") or ""

    @property
    def checks_text(self) -> str:
        return self.run.get("checks") or ""

    @property
    def sources(self) -> list[str]:
        return list(self.run.get("sources") or [])

    def diff_of(self, source: str) -> dict[str, Any]:
        for d in (self.obs.get("schema_diff") or {}).get("sources", []):
            if d.get("source") == source:
                return d
        return {}

    def diffs(self) -> list[dict[str, Any]]:
        return list((self.obs.get("schema_diff") or {}).get("sources", []))

    def attempted(self, source: str, column: str) -> bool:
        return column in self.profiles.get(source, {})

    def profile(self, source: str, column: str) -> dict[str, Any] | None:
        p = self.profiles.get(source, {}).get(column)
        return p if p and "error" not in p else None

    def code_changed(self) -> bool:
        good = self.run.get("last_good_run") or {}
        return bool(good.get("code_version")) and good.get("code_version") != self.run.get("current_code_version")

    def source_of_column(self, column: str) -> str | None:
        for d in self.diffs():
            if column in d.get("used_by_transform", []):
                return d["source"]
        return self.sources[0] if len(self.sources) == 1 else None


# A reading restores how values are written, not what they mean: the rows it shares with the last good output
# come out as they were, except those whose input legitimately changed (the newest partitions). When more
# than half of the shared rows change, the reading changed what the values mean (a unit, a scale), which
# is no format; half is where the unchanged rows stop being the majority of what is compared.
MEANING_CHANGED_SHARE = 0.5
# An output whose rows are not periods (totals per reason, per band) takes the new rows into every row: the
# shared rows then move by about the inputs' growth, each by its own share of the new rows. Within one and a
# half times the growth they moved by new data; a reading in another unit or scale moves them by its factor
# (a hundredth, a thousand times), far beyond.
GROWTH_SPREAD = 1.5


def _changes_meaning(results: Evaluation, chosen: str, option: list[Finding], growth: float = 0.0) -> str:
    """Why the chosen reading changes the meaning of the unchanged rows, or ''.

    A candidate that dead-letters rows changes the aggregates those rows fed, so only readings alone are held
    to the last good output this way (the others are still compared with their rivals)."""
    if any(f.remediation == "dead_letter" for f in option):
        return ""
    result = next((r for r in results.results if r.name == chosen), None)
    if result is None or not result.compared_keys:
        return ""
    share = result.disagreeing_keys / result.compared_keys
    if share <= MEANING_CHANGED_SHARE:
        return ""
    if growth > 0 and result.distance is not None and result.distance <= GROWTH_SPREAD * growth:
        return ""  # the rows moved by what the new rows add to them
    return (
        f"{chosen} passes the checks but changes {result.disagreeing_keys} of the {result.compared_keys} rows it "
        "shares with the last good output: the values changed meaning (a unit or a scale), not only how they "
        "are written"
    )


def _partial_repair(results: Evaluation, label: str) -> tuple[int, list[str]] | None:
    """The option of `label` that repaired its own cause when none passes every check: the transform ran, and of
    the candidates that ran, it fails the fewest checks, changes the fewest rows of the last good output, with the
    fewest operators, all of them alike.

    A candidate that runs and fails a check the failed run never reached (it stopped at an error) has done its
    part; the check it fails is a second cause for the planner to find. Candidates that ran but disagree on
    the output are no such evidence."""
    ran = [r for r in results.results if r.output_rows is not None and r.failing_checks]
    ran = [r for r in ran if chosen_option(r.name, label) is not None]
    if not ran:
        return None
    fewest = min(len(r.failing_checks) for r in ran)
    tied = [r for r in ran if len(r.failing_checks) == fewest]
    # As among passing candidates: the one that changes the fewest rows of the last good output comes first.
    closest = min(r.disagreeing_keys for r in tied)
    best = sorted((r for r in tied if r.disagreeing_keys == closest), key=lambda r: r.operators)
    smallest = [r for r in best if r.operators == best[0].operators]
    if len({r.fingerprint for r in smallest}) > 1:
        return None
    index = chosen_option(smallest[0].name, label)
    return (index, list(smallest[0].failing_checks)) if index is not None else None


# Readings that all pass but read differently are told apart by how far each lands from the last good output:
# the right reading moves the shared rows only by what legitimately changed (a residue set aside, a few per
# cent), a reading in another scale moves them by its factor (100 for a percent, 1000 for a unit). One reading
# ten times nearer than every other is an order of magnitude apart, beyond the first and within the second.
NEARER_FACTOR = 10


def _nearest(results: Evaluation, label: str) -> str | None:
    """The passing candidate of `label` an order of magnitude nearer the last good output than the others."""
    passing = [r for r in results.results if r.passes_checks and chosen_option(r.name, label) is not None]
    fewest = min((r.disagreeing_keys for r in passing), default=0)
    tied = [r for r in passing if r.disagreeing_keys == fewest]
    tied = [r for r in tied if r.operators == min(t.operators for t in tied)]
    if len(tied) < 2 or any(r.distance is None for r in tied):
        return None
    ranked = sorted(tied, key=lambda r: (r.distance or 0.0, r.operators))
    best, rest = ranked[0], [r for r in ranked[1:] if r.fingerprint != ranked[0].fingerprint]
    if all((best.distance or 0.0) * NEARER_FACTOR < (r.distance or 0.0) for r in rest):
        return best.name
    return None
