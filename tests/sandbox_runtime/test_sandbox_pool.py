"""The warm pool: pre-started, single-use sandboxes, replenished in the background."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox_runtime import SandboxJob, SandboxLimits, WarmPool, default_pool, run_job

PID_SQL = "select 1 as one"


@pytest.fixture
def pool():
    with WarmPool(size=2) as warm:
        assert warm.wait_until_full(60), warm.last_error
        yield warm


def test_claimed_sandbox_is_warm_and_single_use(pool: WarmPool, orders: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = pool.claim()
    assert sandbox.alive() and not sandbox.used
    sandbox.destroy()
    # The job runs in a sandbox the pool had ready (its runner reported `ready` after the
    # preload), not in one started for it; how fast that is, the benchmark measures.
    served = []
    claim = pool.claim
    monkeypatch.setattr(pool, "claim", lambda *a, **k: served.append(claim(*a, **k)) or served[-1])
    job = SandboxJob(kind="sql", code="select count(*) as n from orders", inputs={"orders": orders})
    verdict = run_job(job, pool=pool)
    assert verdict.ok and verdict.output_rows == 1
    assert len(served) == 1 and served[0].used and not served[0].alive()


def test_every_job_gets_a_different_sandbox(pool: WarmPool) -> None:
    first, second = pool.claim(), pool.claim()
    try:
        assert first.proc.pid != second.proc.pid
        assert first.rundir.root != second.rundir.root
    finally:
        first.destroy()
        second.destroy()
    # replenished in the background
    assert pool.wait_until_full(60)
    with pytest.raises(RuntimeError, match="exactly one job"):
        used = pool.claim()
        used.execute({"kind": "sql", "code": "select 1", "inputs": {}}, 5)
        used.execute({"kind": "sql", "code": "select 1", "inputs": {}}, 5)
    used.destroy()


def test_python_job_from_the_pool(pool: WarmPool, orders: Path) -> None:
    code = "def transform(inputs):\n    return inputs['orders'].slice(0, 2)\n"
    verdict = pool.run(SandboxJob(kind="python", code=code, inputs={"orders": orders}))
    assert verdict.ok and verdict.output_rows == 2


def test_other_limits_get_a_cold_sandbox(pool: WarmPool, orders: Path) -> None:
    assert pool.serves(None, SandboxLimits(timeout_s=5))
    assert not pool.serves(None, SandboxLimits(memory_mb=1024))
    assert not pool.serves("gvisor", SandboxLimits())
    ready = pool.ready_count
    job = SandboxJob(
        kind="sql", code="select * from orders", inputs={"orders": orders}, limits=SandboxLimits(memory_mb=768)
    )
    assert run_job(job, pool=pool).ok
    assert pool.ready_count == ready  # the pool was not touched


def test_closed_pool_refuses_and_cleans_up() -> None:
    warm = WarmPool(size=1)
    assert warm.wait_until_full(60)
    sandbox_root = warm._ready[0].rundir.root
    warm.close()
    assert not sandbox_root.exists()
    with pytest.raises(RuntimeError, match="closed"):
        warm.claim(timeout_s=1)


def test_default_pool_is_process_wide(monkeypatch: pytest.MonkeyPatch, orders: Path) -> None:
    from sandbox_runtime import pool as pool_module

    monkeypatch.setenv(pool_module.POOL_SIZE_ENV, "1")
    monkeypatch.setattr(pool_module, "_default", None)
    shared = default_pool()
    try:
        assert default_pool() is shared and shared.size == 1
        verdict = run_job(SandboxJob(kind="sql", code="select * from orders", inputs={"orders": orders}), pool=shared)
        assert verdict.ok
    finally:
        shared.close()
    assert default_pool() is not shared  # a closed default pool is replaced on next use
    default_pool().close()
