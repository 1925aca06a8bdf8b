#!/usr/bin/env python3
"""Write the held-out incident split and verify every incident.

The held-out split is nobody's tuning target: its domains (aviation, healthcare, education,
hospitality, public transit, streaming, agriculture, real estate, pharma), SQL shapes (CTEs, window
functions, CASE, left joins, unions) and value formats differ from the tuned set's, and it was
written from the incident format and the failure kinds alone, without reading the repair planner.
Report its figures apart from the tuned split's; never change the planner to fit one of its cases.

Cases are recipes (recipes/): tables before and after, the asset, the answer and the reference fix.
They are written and verified by the same harness as the tuned set
(benchmarks/incidents/generator): before/ passes at `now`, after/ fails, the reference repair
passes and its rows become expected/output.csv (for late data: on the sources once the late rows
have landed, written to landed/). Deterministic; exits 1 if any incident fails verification.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent / "incidents"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from generator.core import write_sources, write_yaml  # noqa: E402
from generator.verify import symptom, verify  # noqa: E402
from recipes import formats, multi, operations, quality, resources, schema  # noqa: E402

RECIPE_MODULES = [schema, formats, quality, operations, resources, multi]


def recipes() -> list:
    return [build for module in RECIPE_MODULES for build in module.BUILDERS]


def write_and_verify(build, out: Path) -> tuple[str, bool, str]:  # noqa: ANN001
    inc = build()
    folder = out / inc.id
    write_sources(inc, folder)
    inc.title = symptom(inc, folder)
    write_yaml(inc, folder)
    verdict = verify(inc, folder)
    steps = f"before: {verdict.before} | after: {verdict.after} | reference: {verdict.reference}"
    return inc.id, verdict.ok, steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the incident folders into")
    parser.add_argument("--only", nargs="*", default=None, help="write and verify only these incident ids")
    parser.add_argument("--list", action="store_true", help="list the incident ids and exit")
    args = parser.parse_args(argv)
    builds = recipes()
    if args.list:
        print("\n".join(b.__name__.replace("_", "-") for b in builds))
        return 0
    if args.only:
        wanted = {i.replace("-", "_") for i in args.only}
        builds = [b for b in builds if b.__name__ in wanted]
    args.out.mkdir(parents=True, exist_ok=True)
    started, failed = time.monotonic(), []
    for build in builds:
        try:
            incident_id, ok, steps = write_and_verify(build, args.out)
        except Exception as err:  # noqa: BLE001 - one broken recipe must not hide the others
            incident_id, ok, steps = build.__name__.replace("_", "-"), False, f"BUILD ERROR: {err}"
        print(f"{'ok  ' if ok else 'FAIL'} {incident_id}: {steps}", flush=True)
        if not ok:
            failed.append(incident_id)
    for spill in (args.out / "__pycache__", args.out / "recipes" / "__pycache__"):
        shutil.rmtree(spill, ignore_errors=True)
    print(f"{len(builds) - len(failed)}/{len(builds)} held-out incidents verified in {time.monotonic() - started:.0f}s"
          + (f"; FAILED: {failed}" if failed else ""))  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
