"""Re-running after a transient failure: Dagster's `RetryPolicy` with exponential backoff and jitter.

Only failures whose exception family is I/O are retried (the class lineage, see failure_signal.py);
anything else is raised at once, since running it again would fail the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import dagster as dg

from agentic_assets.materialize.run_log import exception_lineage
from agentic_assets.repair.failure_signal import classify

T = TypeVar("T")
# Three retries with exponential backoff wait 1x, 3x and 7x the first delay: with a first delay of a minute
# that spans about ten minutes, the usual length of an object store's failover.
MAX_RETRIES = 3


def retry_policy(first_delay_s: float) -> dg.RetryPolicy:
    return dg.RetryPolicy(
        max_retries=MAX_RETRIES, delay=first_delay_s, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    )


def with_backoff(run: Callable[[], T], policy: dg.RetryPolicy, *, sleep: Callable[[float], None] = time.sleep) -> T:
    """`run()`, retried on transient (I/O) failures as `policy` says; the last failure is raised."""
    attempt = 0
    while True:
        try:
            return run()
        except Exception as err:
            attempt += 1
            family = classify(f"{type(err).__name__}: {err}", "error", exception_lineage(err)).family
            if family != "io" or attempt > policy.max_retries:
                raise
            sleep(max(0.0, float(policy.calculate_delay(attempt))))
