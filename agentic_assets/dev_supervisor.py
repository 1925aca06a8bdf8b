"""`make dev`: the Dagster UI and the review page side by side, stopped together on SIGTERM or SIGINT.

Each service runs in its own process group, so stopping it reaches every process it started (Dagster's webserver,
daemon and code server). A stop asks politely first (SIGINT, Dagster's own clean shutdown), then insists.
If one service dies, the other is stopped too: half a dev environment is worse than none.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# How long a service gets to shut down cleanly after SIGINT, then after SIGTERM (seconds): Dagster's webserver
# and daemon stop in a few seconds; past this they are stuck, not busy.
GRACE_S = 15.0


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def commands(host: str, dagster_port: int, review_port: int) -> dict[str, list[str]]:
    return {
        # Dagster's services log every sensor tick at INFO (every few seconds): warnings and errors only.
        "dagster": [_bin("dagster"), "dev", "-w", "workspace.yaml", "-h", host, "-p", str(dagster_port)]
        + ["--log-level", os.environ.get("DAGSTER_LOG_LEVEL", "warning")],
        "review": [_bin("agentic-assets"), "review", "--host", host, "--port", str(review_port)],
    }


def _stop(procs: dict[str, subprocess.Popen]) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        alive = [p for p in procs.values() if p.poll() is None]
        if not alive:
            return
        for p in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, sig)
        deadline = time.monotonic() + GRACE_S
        while time.monotonic() < deadline and any(p.poll() is None for p in alive):
            time.sleep(0.2)
    # Stragglers of a group whose leader has already gone (a daemon's children) get the last word too.
    for p in procs.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    dagster_port = int(os.environ.get("PORT", "3000"))
    review_port = int(os.environ.get("AGENTIC_REVIEW_PORT", "8765"))
    env = dict(os.environ)
    env.setdefault("AGENTIC_DAGSTER_URL", f"http://{host}:{dagster_port}")
    env.setdefault("AGENTIC_REVIEW_URL", f"http://{host}:{review_port}")
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    procs = {
        name: subprocess.Popen(cmd, env=env, start_new_session=True)
        for name, cmd in commands(host, dagster_port, review_port).items()
    }
    print(f"Dagster UI: http://{host}:{dagster_port}   review page: {env['AGENTIC_REVIEW_URL']}", flush=True)
    code = 0
    try:
        while not stopping:
            ended = {n: p.returncode for n, p in procs.items() if p.poll() is not None}
            if ended:
                print(f"stopping: {', '.join(f'{n} exited ({c})' for n, c in ended.items())}", flush=True)
                code = 1
                break
            time.sleep(0.3)
    finally:
        _stop(procs)
    return code


if __name__ == "__main__":
    sys.exit(main())
