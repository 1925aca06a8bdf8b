"""One started sandbox (any local backend): a runner that waits for exactly one job.

The host side of the runner protocol (see runner.py): wait for `ready`, send the job line,
then read the report and the stderr tail until exit, the wall-clock deadline, or an output
overflow — whichever comes first. The whole process group is killed on the way out.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox_runtime.cgroup import SandboxCgroup
from sandbox_runtime.errors import SandboxStartError
from sandbox_runtime.rundir import RunDir

STDERR_TAIL_BYTES = 8192
REPORT_MAX_BYTES = 8 << 20
OUTPUT_POLL_S = 0.05


@dataclass
class RawOutcome:
    """What the host observed; turned into a verdict by verdict.py."""

    exit_status: int | None = None  # negative: killed by that signal
    report: dict | None = None
    stderr_tail: str = ""
    timed_out: bool = False
    output_overflow: bool = False
    oom_killed: bool = False  # the kernel ended a process at the sandbox's cgroup limit
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _normalise(returncode: int | None) -> int | None:
    # bubblewrap and runsc report a child killed by signal N as 128+N.
    if returncode is not None and returncode > 128:
        return -(returncode - 128)
    return returncode


class SandboxProcess:
    def __init__(
        self,
        *,
        backend: str,
        argv: list[str],
        rundir: RunDir,
        max_output_bytes: int,
        max_output_files: int,
        pass_fds: tuple[int, ...] = (),
        cgroup: SandboxCgroup | None = None,
        on_destroy: Callable[[], None] | None = None,
        kill: Callable[[subprocess.Popen], None] | None = None,
        renice_on_claim: bool = False,
    ) -> None:
        self.backend = backend
        self.rundir = rundir
        self.max_output_bytes = max_output_bytes
        self.max_output_files = max_output_files
        self.cgroup = cgroup
        self._on_destroy = on_destroy
        self._kill = kill
        self._renice_on_claim = renice_on_claim
        self._stdout = b""
        self._stderr = b""
        self.used = False
        self.started_at = time.monotonic()
        try:
            # An empty environment: the sandbox's own pid 1 must not carry the caller's secrets.
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={},
                pass_fds=pass_fds,
                start_new_session=True,
                close_fds=True,
            )
        except BaseException:
            self._release()
            raise
        finally:
            for fd in pass_fds:
                os.close(fd)
        for stream in (self.proc.stdout, self.proc.stderr):
            os.set_blocking(stream.fileno(), False)

    # -- start-up ---------------------------------------------------------------------------

    def wait_ready(self, timeout_s: float) -> None:
        """Block until the runner has pre-imported its modules and waits for a job."""
        deadline = time.monotonic() + timeout_s
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ, "out")
            sel.register(self.proc.stderr, selectors.EVENT_READ, "err")
            while b"\n" not in self._stdout:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.get_map():
                    break
                for key, _ in sel.select(remaining):
                    if not self._read(key.fileobj, key.data):
                        sel.unregister(key.fileobj)
        line, _, rest = self._stdout.partition(b"\n")
        try:
            ready = json.loads(line).get("status") == "ready"
        except ValueError:
            ready = False
        if not ready:
            tail = self._stderr[-2000:].decode("utf-8", "replace")
            self.destroy()
            raise SandboxStartError(f"{self.backend} sandbox did not start: {tail or 'no output'}")
        self._stdout = rest

    def alive(self) -> bool:
        return self.proc.poll() is None

    # -- one job ----------------------------------------------------------------------------

    def execute(self, spec: dict, timeout_s: float) -> RawOutcome:
        if self.used:
            raise RuntimeError("a sandbox runs exactly one job")
        self.used = True
        started = time.monotonic()
        deadline = started + timeout_s
        outcome = RawOutcome()
        if self._renice_on_claim:
            self._normal_priority()
        try:
            self.proc.stdin.write((json.dumps(spec) + "\n").encode())
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            outcome.notes.append("the sandbox was gone before the job was sent")
        next_poll = started + OUTPUT_POLL_S
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ, "out")
            sel.register(self.proc.stderr, selectors.EVENT_READ, "err")
            while sel.get_map():
                now = time.monotonic()
                if now >= deadline:
                    outcome.timed_out = True
                    break
                if now >= next_poll and not self.rundir.sized:
                    # A plain out/ folder: measured while the job runs (a sized tmpfs needs
                    # no watching, the kernel refuses the byte or file over its limit).
                    next_poll = now + OUTPUT_POLL_S
                    scan = self.rundir.scan_outputs(self.max_output_files)
                    if scan.truncated or scan.bytes > self.max_output_bytes:
                        outcome.output_overflow = True
                        break
                wake = deadline if self.rundir.sized else min(deadline, next_poll)
                for key, _ in sel.select(wake - now):
                    if not self._read(key.fileobj, key.data):
                        sel.unregister(key.fileobj)
        if outcome.timed_out or outcome.output_overflow:
            self.kill()
        try:
            self.proc.wait(max(0.05, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            outcome.timed_out = True
            self.kill()
            self.proc.wait()
        outcome.seconds = time.monotonic() - started
        outcome.exit_status = _normalise(self.proc.returncode)
        if outcome.timed_out or outcome.output_overflow:
            outcome.exit_status = -signal.SIGKILL
        outcome.stderr_tail = self._stderr[-STDERR_TAIL_BYTES:].decode("utf-8", "replace")
        outcome.report = self._last_report()
        outcome.oom_killed = self.cgroup is not None and self.cgroup.oom_kills() > 0
        return outcome

    def _normal_priority(self) -> None:
        """Nice values are per thread: put every thread of every process back to 0."""
        pending = [self.proc.pid]
        while pending:
            pid = pending.pop()
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tids:
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, int(tid), 0)
                with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/task/{tid}/children") as fh:
                    pending.extend(int(child) for child in fh.read().split())

    def _read(self, stream, which: str) -> bool:  # noqa: ANN001
        try:
            chunk = os.read(stream.fileno(), 1 << 16)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not chunk:
            return False
        if which == "out":
            if len(self._stdout) < REPORT_MAX_BYTES:
                self._stdout += chunk
        else:
            # Keep only a tail: a job may print gigabytes.
            self._stderr = (self._stderr + chunk)[-STDERR_TAIL_BYTES * 2 :]
        return True

    def _last_report(self) -> dict | None:
        for line in reversed(self._stdout.splitlines()):
            with contextlib.suppress(ValueError):
                report = json.loads(line)
                if isinstance(report, dict) and "status" in report:
                    return report
        return None

    # -- teardown ---------------------------------------------------------------------------

    def kill(self) -> None:
        if self._kill is not None:
            self._kill(self.proc)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def destroy(self) -> None:
        """Kill whatever is left, release the backend's resources, delete the run directory."""
        if self.proc.poll() is None:
            self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                stream.close()
        if self._on_destroy is not None:
            self._on_destroy()
        self._release()

    def _release(self) -> None:
        # The run folder goes with its mounts and the cgroup named after it (rundir.py).
        self.rundir.remove_later()
