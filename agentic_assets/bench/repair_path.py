"""The seam to the production repair path: replay one (already stripped) incident and report the answer.

`agentic_assets.incidents.replay.replay` builds the incident's isolated workspace, runs before/ and
after/ with the faults injected, lets the failure start the same repair the sensor starts, and
validates the proposal in the sandbox. This module only translates its result.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from agentic_assets.bench.results import AgentAnswer


def replay_answer(folder: Path, model: str, out_dir: Path) -> AgentAnswer:
    """Replay `folder` (an incident without its expected block) and keep output.parquet and trace.md in out_dir."""
    from agentic_assets.incidents.replay import replay

    out_dir.mkdir(parents=True, exist_ok=True)
    workdir = out_dir / ".replay"
    try:
        result = replay(folder, workdir, model=None if model == "builtin" else model)
        output = _keep(result.output, out_dir / "output.parquet")
        trace = _keep(result.trace, out_dir / "trace.md")
        outcome = _keep(result.outcome_output, out_dir / "outcome.parquet")
        return AgentAnswer(
            category=result.category,
            remediation=result.remediation,
            escalated=result.escalated,
            tool_calls=result.tool_calls,
            seconds_to_proposal=result.seconds_to_proposal,
            sandbox_ok=result.sandbox_ok,
            output=output,
            trace=trace,
            error=result.error,
            outcome_published=result.outcome_published,
            outcome_output=outcome,
        )
    finally:
        # The workspace (catalog, tables, state) is large and private to the replay.
        shutil.rmtree(workdir, ignore_errors=True)


def _keep(path: Path | None, dest: Path) -> Path | None:
    if path is None or not Path(path).is_file():
        return None
    if Path(path).resolve() != dest.resolve():
        shutil.copyfile(path, dest)
    return dest
