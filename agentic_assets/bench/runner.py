"""Run the benchmark: replay every incident through the repair path, one process each, and score it.

Each incident is copied without its `expected` block (and without expected/) into a private folder,
and only that copy is handed to the repair path, in a child process with a wall-clock limit. The
parent reads `expected` afterwards, for scoring only. A crash or a timeout becomes that incident's
`error`; the run goes on.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

import yaml

from agentic_assets.bench import child
from agentic_assets.bench.results import AgentAnswer, BenchResults, IncidentResult
from agentic_assets.bench.scoring import build_results, load_expected, score

DEFAULT_REPLAY = "agentic_assets.bench.repair_path:replay_answer"
DEFAULT_TIMEOUT_S = 300.0
PARTIAL_RESULTS = "results.partial.jsonl"
# Modules every replay process needs, imported once by the process server instead of once per incident.
PRELOAD = ["agentic_assets.bench.child", "duckdb", "pyarrow", "pyarrow.parquet", "yaml"]

Progress = Callable[[IncidentResult], None]


def incident_folders(dirs: Iterable[Path]) -> list[Path]:
    """Each dir is one incident folder or a folder of them; sorted by id, each folder once."""
    found: dict[Path, None] = {}
    for root in dirs:
        root = Path(root)
        if (root / "incident.yaml").is_file():
            found[root.resolve()] = None
        elif root.is_dir():
            for yml in sorted(root.glob("*/incident.yaml")):
                found[yml.parent.resolve()] = None
        else:
            raise FileNotFoundError(f"{root}: neither an incident folder nor a folder of incidents")
    return sorted(found, key=lambda p: p.name)


def stripped_copy(folder: Path, dest: Path) -> Path:
    """`folder` as the replay may see it: incident.yaml without `expected`, before/, after/ and landed/ (the
    late rows, which the replay lands only after the agent's answer); no expected/."""
    doc = yaml.safe_load((folder / "incident.yaml").read_text(encoding="utf-8")) or {}
    doc.pop("expected", None)
    target = dest / folder.name
    target.mkdir(parents=True)
    (target / "incident.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for phase in ("before", "after", "landed"):
        if (folder / phase).is_dir():
            shutil.copytree(folder / phase, target / phase, symlinks=False)
    return target


def _kill(process: mp.process.BaseProcess) -> None:
    """End a replay process and everything it started (its process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


@dataclass
class _Running:
    folder: Path
    process: mp.process.BaseProcess
    started: float
    out_dir: Path
    scratch: Path


def _finish(run: _Running, error: str | None) -> IncidentResult:
    answer: AgentAnswer | None = None
    answer_file = run.out_dir / child.ANSWER_FILE
    if error is None:
        if answer_file.is_file():
            payload = json.loads(answer_file.read_text(encoding="utf-8"))
            error = payload.get("error")
            if "answer" in payload:
                answer = AgentAnswer.model_validate(payload["answer"])
                error = error or answer.error
        else:
            error = f"the replay process exited with code {run.process.exitcode} without an answer"
    answer_file.unlink(missing_ok=True)
    shutil.rmtree(run.scratch, ignore_errors=True)
    try:
        expected = load_expected(run.folder)
    except Exception as err:  # noqa: BLE001
        return IncidentResult(id=run.folder.name, error=f"unreadable expected block: {err}")
    result = score(run.folder.name, answer, expected, error=error, output_ref=f"{run.out_dir.name}/output.parquet")
    if result.output is None:
        # No output for an escalated or failed incident, whatever the replay left behind.
        (run.out_dir / "output.parquet").unlink(missing_ok=True)
    return result


def run_incidents(
    folders: list[Path],
    out: Path,
    *,
    model: str = "builtin",
    jobs: int = 1,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    replay: str = DEFAULT_REPLAY,
    on_result: Progress | None = None,
) -> list[IncidentResult]:
    """Replay and score `folders` into OUT/<id>/, at most `jobs` at a time; results in completion order.

    Each result is also appended to OUT/results.partial.jsonl as it comes, so a long run that is stopped
    keeps what it measured."""
    out.mkdir(parents=True, exist_ok=True)
    partial = out / PARTIAL_RESULTS
    partial.unlink(missing_ok=True)

    def record(result: IncidentResult) -> None:
        with partial.open("a", encoding="utf-8") as f:
            f.write(result.model_dump_json() + "\n")
        if on_result:
            on_result(result)

    return _run([(f, out / f.name) for f in folders], model, jobs, timeout_s, replay, record)


def _run(
    work: list[tuple[Path, Path]], model: str, jobs: int, timeout_s: float, replay: str, on_result: Progress | None
) -> list[IncidentResult]:
    # Forked from a clean process server, never from this process: no inherited threads or state.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    pending = deque(work)
    running: list[_Running] = []
    results: list[IncidentResult] = []
    try:
        _loop(pending, running, results, ctx, model, jobs, timeout_s, replay, on_result)
    finally:
        for run in running:
            _kill(run.process)
            run.process.join()
    return results


def _loop(
    pending: deque[tuple[Path, Path]],
    running: list[_Running],
    results: list[IncidentResult],
    ctx: Any,
    model: str,
    jobs: int,
    timeout_s: float,
    replay: str,
    on_result: Progress | None,
) -> None:
    while pending or running:
        while pending and len(running) < max(1, jobs):
            folder, out_dir = pending.popleft()
            shutil.rmtree(out_dir, ignore_errors=True)
            out_dir.mkdir(parents=True)
            scratch = Path(tempfile.mkdtemp(prefix="bench-incident-"))
            try:
                stripped = stripped_copy(folder, scratch)
            except Exception as err:  # noqa: BLE001
                shutil.rmtree(scratch, ignore_errors=True)
                result = IncidentResult(id=folder.name, error=f"unreadable incident: {err}")
                results.append(result)
                if on_result:
                    on_result(result)
                continue
            # Not daemonic: a replay starts processes of its own (a run under a wall-clock limit is one), which
            # a daemonic process may not. The `finally` below ends any still running if this loop is left early.
            proc = ctx.Process(target=child.main, args=(replay, str(stripped), model, str(out_dir)), daemon=False)
            proc.start()
            running.append(_Running(folder, proc, time.monotonic(), out_dir, scratch))
        if not running:
            continue
        wait([r.process.sentinel for r in running], timeout=0.2)
        for run in list(running):
            error = None
            if run.process.is_alive():
                if time.monotonic() - run.started <= timeout_s:
                    continue
                _kill(run.process)
                error = f"timed out after {timeout_s:g}s"
            run.process.join()
            running.remove(run)
            result = _finish(run, error)
            results.append(result)
            if on_result:
                on_result(result)


def run_bench(
    dirs: Iterable[Path],
    out: Path,
    *,
    model: str = "builtin",
    jobs: int = 1,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    replay: str = DEFAULT_REPLAY,
    on_start: Callable[[int], None] | None = None,
    on_result: Progress | None = None,
    split: str | None = None,
) -> BenchResults:
    """Replay every incident under `dirs`, write OUT/results.json, OUT/report.md and the chart.

    `split` names the set (tuned, held-out) so that its figures are reported on their own."""
    from agentic_assets.bench.report import write_report

    folders = incident_folders(dirs)
    names = [f.name for f in folders]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"incident ids appear more than once: {dupes}")
    if on_start:
        on_start(len(folders))
    results = run_incidents(
        folders, out, model=model, jobs=jobs, timeout_s=timeout_s, replay=replay, on_result=on_result
    )
    bench = build_results(model, results)
    bench.split = split
    (out / "results.json").write_text(bench.model_dump_json(indent=2), encoding="utf-8")
    write_report(bench, out)
    return bench


def replay_incident(folder: Path, model: str, out_dir: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> IncidentResult:
    """One incident through the repair path, stripped, isolated and scored: the runner's unit of work."""
    (result,) = _run([(Path(folder).resolve(), Path(out_dir))], model, 1, timeout_s, DEFAULT_REPLAY, None)
    return result
