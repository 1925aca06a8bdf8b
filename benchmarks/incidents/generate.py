#!/usr/bin/env python3
"""Write the incident benchmark set and verify every incident.

Each incident folder gets incident.yaml, before/, after/ and (where a repaired asset is compared)
expected/output.csv, in the layout of the incident format. The reference repair of each incident
lives only in this generator. Verification, printed as a table, for each incident:

  before     the last good SQL (the last `history` entry where there is history) runs on before/ and
             every check holds at `now`;
  after      on after/ the current SQL fails or a check fails; a transient incident fails only through
             its read faults; a resource incident really runs out of memory under its limit;
  reference  the reference repair passes every check on after/ and expected/output.csv reads back
             equal (under twice the limit for a resource incident; once the late rows land for late data).

The title of each incident is the symptom its after/ run shows. Deterministic: fixed seeds, rows in
a fixed order. Exits 1 if any incident fails verification.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from generator.core import write_sources, write_yaml  # noqa: E402
from generator.registry import all_builders  # noqa: E402
from generator.verify import Verdict, symptom, verify  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build_one(build, out: Path) -> tuple[Verdict, int]:  # noqa: ANN001
    inc = build()
    folder = out / inc.id
    write_sources(inc, folder)
    inc.title = symptom(inc, folder)
    write_yaml(inc, folder)
    return verify(inc, folder), folder_size(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the incident folders into")
    parser.add_argument("--only", nargs="*", default=None, help="write and verify only these incident ids")
    parser.add_argument("--list", action="store_true", help="list the incident ids and exit")
    args = parser.parse_args(argv)

    builders = all_builders()
    if args.list:
        for b in builders:
            print(b.__name__.replace("_", "-"))
        return 0
    if args.only:
        wanted = {i.replace("-", "_") for i in args.only}
        builders = [b for b in builders if b.__name__ in wanted]
    args.out.mkdir(parents=True, exist_ok=True)
    console = Console(width=200)
    table = Table(title="incident verification", show_lines=False, title_justify="left")
    for col in ("id", "ok", "before", "after", "reference", "wrong repairs", "size"):
        table.add_column(col, overflow="fold", max_width=60 if col in ("after", "reference", "before") else None)
    bad, total_size, started = [], 0, time.monotonic()
    for build in builders:
        try:
            verdict, size = build_one(build, args.out)
        except Exception as err:  # noqa: BLE001 - one broken builder must not hide the others
            verdict, size = Verdict(build.__name__, ok=False, before=f"BUILD ERROR: {err}"), 0
        total_size += size
        if not verdict.ok:
            bad.append(verdict.id)
        table.add_row(
            verdict.id,
            "[green]ok[/]" if verdict.ok else "[red]FAIL[/]",
            verdict.before,
            verdict.after,
            verdict.reference,
            verdict.wrong,
            f"{size / 1024:.0f} KB",
        )
    console.print(table)
    spill = args.out / "__pycache__"
    if spill.exists():
        shutil.rmtree(spill, ignore_errors=True)
    console.print(
        f"{len(builders) - len(bad)}/{len(builders)} incidents verified, {total_size / 1024 / 1024:.1f} MB, "
        f"{time.monotonic() - started:.0f}s" + (f"; [red]FAILED: {bad}[/]" if bad else "")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
