"""The scale benchmark's table (Markdown) and chart (PNG) from its results.json."""

from __future__ import annotations

from pathlib import Path


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "-"


def rows(figures: dict) -> list[dict]:
    out = []
    for run in figures["runs"]:
        for name, r in sorted(run["assets"].items()):
            out.append({"transactions": run["transactions"], "asset": name, **r})
    return out


def markdown(figures: dict) -> str:
    sizes = figures["sizes"]
    lines = [
        "| transactions | asset | format | input rows | duckdb s | duckdb input rows/s | spark s | spark input rows/s "
        "| floor s | duckdb / floor | spark / duckdb | duckdb peak MB | spark peak MB |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows(figures):
        lines.append(
            f"| {r['transactions']:,} | {r['asset']} | {r['format']} | {r['input_rows']:,} | {r['duckdb_s']:.2f} | "
            f"{r['input_rows'] / r['duckdb_s']:,.0f} | {r['spark_s']:.2f} | {r['input_rows'] / r['spark_s']:,.0f} | "
            f"{r['floor_s']:.2f} | {_ratio(r['duckdb_s'], r['floor_s'])} | {_ratio(r['spark_s'], r['duckdb_s'])} | "
            f"{r['duckdb_peak_mb']:,} | {r['spark_peak_mb']:,} |"
        )
    lines.append("")
    for run in figures["runs"]:
        total = {k: sum(a[f"{k}_s"] for a in run["assets"].values()) for k in ("duckdb", "spark", "floor")}
        lines.append(
            f"- {run['transactions']:,} transactions: all assets {total['duckdb']:.2f} s on DuckDB, "
            f"{total['spark']:.2f} s on Spark, floor {total['floor']:.2f} s; one Dagster run of every asset "
            f"{run['dagster_s']:.2f} s, of which Dagster's own cost {run['dagster_fixed_s']:.2f} s"
        )
    if len(sizes) > 1:
        small, large = figures["runs"][0], figures["runs"][-1]
        lines.append("")
        lines.append(f"Growth from {small['transactions']:,} to {large['transactions']:,} transactions (time ratio):")
        lines.append("")
        lines.append("| asset | duckdb | spark | floor |")
        lines.append("| --- | ---: | ---: | ---: |")
        for name in sorted(large["assets"]):
            a, b = small["assets"][name], large["assets"][name]
            lines.append(
                f"| {name} | {_ratio(b['duckdb_s'], a['duckdb_s'])} | {_ratio(b['spark_s'], a['spark_s'])} | "
                f"{_ratio(b['floor_s'], a['floor_s'])} |"
            )
    lines.append("")
    lines.append(
        f"Spark session start {figures['spark_start_s']:.1f} s (not counted); load average "
        f"{figures['load_average_before'][0]:.1f} before and {figures['load_average_after'][0]:.1f} after, "
        f"on {figures['cpus']} CPUs."
    )
    return "\n".join(lines) + "\n"


def chart(figures: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = figures["runs"]
    names = sorted(runs[0]["assets"])
    fig, axes = plt.subplots(1, len(runs), figsize=(6 * len(runs), 5), sharey=True, squeeze=False)
    width = 0.27
    for ax, run in zip(axes[0], runs, strict=True):
        for i, (key, label) in enumerate((("floor_s", "floor"), ("duckdb_s", "DuckDB"), ("spark_s", "Spark local[2]"))):
            ax.bar([x + (i - 1) * width for x in range(len(names))], [run["assets"][n][key] for n in names], width,
                   label=label)  # fmt: skip
        ax.set_xticks(range(len(names)), names, fontsize=7, rotation=30, ha="right")
        ax.set_yscale("log")
        ax.set_title(f"{run['transactions']:,} transactions")
        ax.set_ylabel("seconds per asset (write-audit-publish)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(figures: dict, out: Path) -> None:
    (out / "report.md").write_text(markdown(figures))
    chart(figures, out / "scale.png")
