"""Peak resident memory for the benchmarks: a background sampler over any RSS measurement."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def process_rss_mb() -> float:
    """This process's resident memory (Linux /proc)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakSampler:
    """High-water mark of `measure()` (MB) since the last `reset`, sampled in the background."""

    def __init__(self, measure: Callable[[], float] = process_rss_mb, interval_s: float = 0.01) -> None:
        self.measure, self.interval_s = measure, interval_s
        self.peak, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.measure())
            time.sleep(self.interval_s)

    def reset(self) -> None:
        self.peak = self.measure()

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
