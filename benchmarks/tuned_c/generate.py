#!/usr/bin/env python3
"""Write the tuned-c incident split and verify every incident through the harness.

Each incident folder gets incident.yaml, before/, after/ (landed/ for late data) and, where the repaired
asset is compared, expected/output.csv, in the layout of benchmarks/examples/FORMAT.md. The reference repair
of each incident lives only in this generator. Verification, through `agentic_assets.incidents.Workspace`:

  before     the last good transform publishes on before/ with every check green at `now`;
  after      on after/, with the faults injected, the production run fails or a check fails; a transient
             incident fails through its read faults only; a memory fault holds at 1, 2 and 4 threads; a
             time-limit fault's transform alone still runs at twice the limit;
  reference  the reference repair publishes, and expected/output.csv reads back equal to its rows.

The title is the symptom the after/ run shows. Deterministic: seeded worlds, rows in a fixed order.
Exits 1 if any incident fails verification.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from cases.registry import all_cases  # noqa: E402
from cases.verify import Verdict, build_and_verify  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402
from rich.table import Table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the incident folders into")
    parser.add_argument("--only", nargs="*", default=None, help="write and verify only these incident ids")
    parser.add_argument("--list", action="store_true", help="list the incident ids and exit")
    args = parser.parse_args(argv)

    builders = all_cases()
    if args.list:
        for build in builders:
            print(build.__name__.replace("_", "-"))
        return 0
    if args.only is not None:
        wanted = {i.replace("-", "_") for i in args.only}
        unknown = wanted - {b.__name__ for b in builders}
        if unknown:
            print(f"unknown incident ids: {sorted(unknown)}", file=sys.stderr)
            return 2
        builders = [b for b in builders if b.__name__ in wanted]
    args.out.mkdir(parents=True, exist_ok=True)
    console = Console(width=200)
    table = Table(title="tuned-c verification", title_justify="left")
    for col in ("id", "ok", "before", "after", "reference"):
        table.add_column(col, overflow="fold", max_width=70)
    bad, started = [], time.monotonic()
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    with progress:
        task = progress.add_task("verifying", total=len(builders))
        for build in builders:
            progress.update(task, description=f"verifying {build.__name__.replace('_', '-')}")
            verdict = _one(build, args.out)
            if not verdict.ok:
                bad.append(verdict.id)
            table.add_row(verdict.id, "[green]ok[/]" if verdict.ok else "[red]FAIL[/]", verdict.before, verdict.after,
                          verdict.reference)  # fmt: skip
            progress.advance(task)
    console.print(table)
    console.print(
        f"{len(builders) - len(bad)}/{len(builders)} incidents verified in {time.monotonic() - started:.0f}s"
        + (f"; [red]FAILED: {bad}[/]" if bad else "")
    )
    return 1 if bad else 0


def _one(build, out: Path) -> Verdict:  # noqa: ANN001
    """Write and verify one incident; a broken builder is a failed verdict, not a crash of the whole split."""
    try:
        case = build()
        if case.id != build.__name__.replace("_", "-"):
            raise ValueError(f"id {case.id} does not match its builder")
        verdict, _ = build_and_verify(case, out)
    except Exception as err:  # noqa: BLE001 - one broken case must not hide the others
        verdict = Verdict(build.__name__.replace("_", "-"), ok=False, before=f"BUILD ERROR: {err}")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
