"""From what the host observed to a verdict: the reasons are decided here, in one place.

The runner's report is advisory (job code shares its process); the host trusts only what it
can check itself: exit status, the wall clock, the cgroup's OOM count, and the Parquet file's
own footer and data, read within the job's limits (output_check.py).
"""

from __future__ import annotations

import signal
from pathlib import Path

from asset_checks.results import CheckSuiteResult
from sandbox_runtime.models import SandboxJob, SandboxVerdict
from sandbox_runtime.process import RawOutcome
from sandbox_runtime.rundir import RunDir

MEMORY_MARKERS = ("MemoryError", "bad_alloc", "Out of Memory", "Cannot allocate memory",
                  "failed to allocate")  # fmt: skip


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _failure(outcome: RawOutcome, job: SandboxJob) -> tuple[str, str] | None:
    """(reason, message) if the run itself failed, before looking at any output."""
    limits = job.limits
    status = outcome.exit_status
    report = outcome.report or {}
    memory_hint = any(m in outcome.stderr_tail for m in MEMORY_MARKERS)
    if outcome.oom_killed:  # first: a job the kernel cut short may then hang or fail
        return "memory", (
            f"memory limit of {limits.memory_mb} MB (plus {limits.scratch_mb} MB /tmp and "
            f"{limits.max_output_mb} MB /out) exceeded; killed by the kernel"
        )
    if outcome.timed_out:
        return "timeout", f"wall-clock timeout of {limits.timeout_s:g} s reached; sandbox killed"
    if outcome.output_overflow:
        return "output_invalid", (
            f"output over the {limits.max_output_mb} MB or {limits.max_files} files limit; sandbox killed"
        )
    if status is not None and status < 0:
        sig = -status
        if sig == signal.SIGXCPU:
            return "timeout", f"CPU time limit of {limits.effective_cpu_s} s exceeded"
        if sig == signal.SIGXFSZ:
            return "output_invalid", f"a file exceeded the {limits.max_output_mb} MB limit"
        if memory_hint or report.get("status") == "memory":
            return "memory", f"memory limit of {limits.memory_mb} MB exceeded ({_signal_name(sig)})"
        if sig == signal.SIGKILL:
            # The job's pid 1 cannot be killed from inside: a SIGKILL the host did not send
            # is the kernel's, at the CPU time limit's hard stop, or one from outside.
            return "killed", (
                f"the sandboxed process was killed by SIGKILL (the hard stop of the CPU time "
                f"limit of {limits.effective_cpu_s} s, or a kill from outside the sandbox)"
            )
        return "killed", f"the sandboxed process was killed by {_signal_name(sig)}"
    if not report:
        if memory_hint:
            return "memory", f"memory limit of {limits.memory_mb} MB exceeded"
        return "error", f"the job exited with status {status} without a report"
    kind = report.get("status")
    message = str(report.get("message") or "")
    if kind == "memory":
        return "memory", f"memory limit of {limits.memory_mb} MB exceeded: {message}"
    if kind == "output_invalid":
        if "File too large" in message:
            return "output_invalid", f"a file exceeded the {limits.max_output_mb} MB limit ({message})"
        if "No space left" in message or "Disk quota" in message:
            return "output_invalid", (
                f"a writable place is full: /out holds {limits.max_output_mb} MB and /tmp "
                f"{limits.scratch_mb} MB, each at most {limits.max_files} files ({message})"
            )
        return "output_invalid", message or "invalid output"
    if kind != "ok":
        return "error", message or "the job failed"
    if status != 0:
        return "error", f"the job reported success but exited with status {status}"
    return None


def build_verdict(
    outcome: RawOutcome,
    rundir: RunDir,
    job: SandboxJob,
    dest: Path | None,
    backend: str,
) -> SandboxVerdict:
    """`dest` None: a checks-only run, which has no output of its own."""
    base = {
        "exit_status": outcome.exit_status,
        "stderr_tail": outcome.stderr_tail[-4000:],
        "backend": backend,
        "seconds": round(outcome.seconds, 4),
        "run_seconds": (outcome.report or {}).get("elapsed_s"),
    }
    removed = rundir.remove_symlinks(job.limits.max_files)
    failure = _failure(outcome, job)
    if failure:
        return SandboxVerdict(ok=False, reason=failure[0], message=failure[1], **base)
    checks = (outcome.report or {}).get("check_results")
    if dest is None:
        verdict = SandboxVerdict(ok=True, reason="ok", message="checks ran", **base)
        if checks is not None:
            apply_checks(verdict, CheckSuiteResult.model_validate(checks))
        return verdict
    from sandbox_runtime.output_check import OutputRejected, check_output  # pyarrow: on first use

    path, problem = rundir.take_output("output.parquet", dest, job.limits.max_output_mb << 20)
    if path is None:
        if "output.parquet" in removed:
            problem = "the output is a symlink, not a regular file; the host never follows links"
        if removed:
            problem += f" (symlinks removed: {', '.join(removed)})"
        return SandboxVerdict(ok=False, reason="output_invalid", message=problem, **base)
    try:
        rows, schema = check_output(path, job.limits)
    except OutputRejected as exc:
        path.unlink(missing_ok=True)
        return SandboxVerdict(ok=False, reason="output_invalid", message=str(exc), **base)
    verdict = SandboxVerdict(
        ok=True, reason="ok", message=f"{rows} rows", output_rows=rows, output_schema=schema,
        output_path=path, **base,
    )  # fmt: skip
    if checks is not None:
        apply_checks(verdict, CheckSuiteResult.model_validate(checks))
    return verdict


def apply_checks(verdict: SandboxVerdict, result: CheckSuiteResult) -> None:
    verdict.check_results = result
    if not result.passed:
        verdict.ok = False
        verdict.reason = "checks_failed"
        verdict.message = result.summary()
    else:
        verdict.message = f"{verdict.output_rows} rows; {result.summary()}"
