"""OUT/report.md (a table per category) and OUT/accuracy_by_category.png, from a results.json.

Incidents are grouped by their expected category; an incident with several categories is grouped
under `multi_cause`, as the failure taxonomy of the source paper does.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel

from agentic_assets.bench.results import CATEGORIES, BenchResults, IncidentResult, Labels

MULTI = "multi_cause"


def group_of(result: IncidentResult) -> str:
    expected = result.expected_category
    if isinstance(expected, list):
        return expected[0] if len(expected) == 1 else MULTI
    return expected or "unknown"


def by_category(results: list[IncidentResult]) -> dict[str, list[IncidentResult]]:
    groups: dict[str, list[IncidentResult]] = defaultdict(list)
    for r in results:
        groups[group_of(r)].append(r)
    order = [*CATEGORIES, MULTI]
    return {k: groups[k] for k in sorted(groups, key=lambda c: (order.index(c) if c in order else len(order), c))}


def _labels(value: Labels | None) -> str:
    if value is None:
        return "-"
    return ", ".join(value) if isinstance(value, list) else value


def _rate(hits: int, n: int) -> str:
    return f"{hits / n:.0%} ({hits}/{n})" if n else "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class CategoryFigures(BaseModel):
    """One row of the per-category table: the report's and the command line's."""

    category: str
    incidents: int
    diagnosis_correct: int
    proposal_correct: int
    errors: int
    mean_tool_calls: float | None


def category_figures(bench: BenchResults) -> list[CategoryFigures]:
    out = []
    for cat, rows in by_category(bench.incidents).items():
        calls = [r.tool_calls for r in rows if r.tool_calls is not None]
        out.append(
            CategoryFigures(
                category=cat,
                incidents=len(rows),
                diagnosis_correct=sum(r.diagnosis_correct for r in rows),
                proposal_correct=sum(r.proposal_correct for r in rows),
                errors=sum(r.error is not None for r in rows),
                mean_tool_calls=round(sum(calls) / len(calls), 2) if calls else None,
            )
        )
    return out


def render_markdown(bench: BenchResults) -> str:
    s = bench.summary
    split = f" ({bench.split} split)" if bench.split else ""
    lines = [
        f"# Incident benchmark{split}: model `{bench.model}`",
        "",
        "| incidents | diagnostic accuracy | proposal correctness | mean tool calls "
        "| p50 s to proposal | p95 s to proposal |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {s.incidents} | {s.diagnostic_accuracy:.1%} | {s.proposal_correctness:.1%} | "
        f"{'-' if s.mean_tool_calls is None else f'{s.mean_tool_calls:.1f}'} | "
        f"{'-' if s.p50_seconds_to_proposal is None else f'{s.p50_seconds_to_proposal:.2f}'} | "
        f"{'-' if s.p95_seconds_to_proposal is None else f'{s.p95_seconds_to_proposal:.2f}'} |",
        "",
        "## By category",
        "",
        "| category | incidents | diagnosis correct | proposal correct | errors |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    groups = by_category(bench.incidents)
    for cat, rows in groups.items():
        lines.append(
            f"| {cat} | {len(rows)} | {_rate(sum(r.diagnosis_correct for r in rows), len(rows))} | "
            f"{_rate(sum(r.proposal_correct for r in rows), len(rows))} | {sum(r.error is not None for r in rows)} |"
        )
    for cat, rows in groups.items():
        lines += [
            "",
            f"## {cat}",
            "",
            "| incident | expected | answered | diagnosis | proposal | tool calls | s to proposal | note |",
            "| --- | --- | --- | :---: | :---: | ---: | ---: | --- |",
        ]
        for r in rows:
            expected = f"{_labels(r.expected_category)} / {_labels(r.expected_remediation)}"
            answered = f"{_labels(r.category)} / {'escalate' if r.escalated else _labels(r.remediation)}"
            note = f"error: {r.error}" if r.error else r.score_detail
            seconds = "-" if r.seconds_to_proposal is None else f"{r.seconds_to_proposal:.2f}"
            lines.append(
                f"| {r.id} | {expected} | {answered} | {'✅' if r.diagnosis_correct else '❌'} | "
                f"{'✅' if r.proposal_correct else '❌'} | {'-' if r.tool_calls is None else r.tool_calls} | "
                f"{seconds} | {_cell(note[:200])} |"
            )
    return "\n".join(lines) + "\n"


def render_chart(bench: BenchResults, path: Path) -> Path:
    """Grouped bars: diagnostic and proposal accuracy per category."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and in CI
    import matplotlib.pyplot as plt

    groups = by_category(bench.incidents)
    cats = list(groups)
    diag = [sum(r.diagnosis_correct for r in groups[c]) / len(groups[c]) for c in cats]
    prop = [sum(r.proposal_correct for r in groups[c]) / len(groups[c]) for c in cats]
    xs = range(len(cats))
    width = 0.38
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(cats) + 2), 4.2), dpi=110)
    try:
        ax.bar([x - width / 2 for x in xs], diag, width, label="diagnostic accuracy", color="#4c72b0")
        ax.bar([x + width / 2 for x in xs], prop, width, label="proposal correctness", color="#dd8452")
        ax.set_xticks(list(xs), [f"{c}\n(n={len(groups[c])})" for c in cats], fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("share of incidents")
        ax.set_title(f"Incident benchmark by category (model: {bench.model})")
        ax.axhline(bench.summary.diagnostic_accuracy, color="#4c72b0", linestyle=":", linewidth=1)
        ax.axhline(bench.summary.proposal_correctness, color="#dd8452", linestyle=":", linewidth=1)
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path


def write_report(bench: BenchResults, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    md = out / "report.md"
    md.write_text(render_markdown(bench), encoding="utf-8")
    return md, render_chart(bench, out / "accuracy_by_category.png")


def report_from_file(results_json: Path, out: Path | None = None) -> tuple[Path, Path]:
    bench = BenchResults.model_validate_json(Path(results_json).read_text(encoding="utf-8"))
    return write_report(bench, out or Path(results_json).parent)
