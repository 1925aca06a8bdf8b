"""The gVisor backend: the same jobs through `runsc run` and a curated OCI bundle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sandbox_runtime import SandboxJob, SandboxLimits, run_job
from sandbox_runtime.backends.gvisor import oci_config
from sandbox_runtime.models import SandboxLimits as Limits
from sandbox_runtime.rundir import RunDir

pytestmark = pytest.mark.slow  # gVisor's ptrace platform makes each start cost about a second


@pytest.fixture(scope="module", autouse=True)
def runsc_installed() -> None:
    if shutil.which("runsc") is None:
        pytest.fail("gVisor is not installed: run `apt-get install -y runsc` (make test does)")


def test_bundle_is_curated(tmp_path: Path) -> None:
    rundir = RunDir(65534, 65534)
    try:
        config = oci_config(rundir, tmp_path / "rootfs", Limits(), preload=False, uid=65534, gid=65534)
    finally:
        rundir.remove()
    assert config["root"]["readonly"] is True
    destinations = {mount["destination"]: mount for mount in config["mounts"]}
    assert "ro" in destinations["/usr"]["options"] and "ro" in destinations["/in"]["options"]
    assert "rw" in destinations["/out"]["options"]
    writable = [d for d, mount in destinations.items() if "rw" in mount.get("options", [])]
    assert writable == ["/out"]
    assert "/" not in destinations and "/etc" not in destinations and "/root" not in destinations
    assert config["process"]["user"]["uid"] != 0
    assert config["process"]["noNewPrivileges"] is True
    assert all(v == [] for v in config["process"]["capabilities"].values())
    assert {"network", "pid", "mount"} <= {n["type"] for n in config["linux"]["namespaces"]}
    assert json.dumps(config)  # serialisable as written to config.json


def test_sql_and_checks_in_gvisor(orders: Path) -> None:
    checks = "checks for output:\n  - row_count = 4\n"
    job = SandboxJob(kind="sql", code="select * from orders where amount > 0", inputs={"orders": orders}, checks=checks)
    verdict = run_job(job, backend="gvisor")
    assert verdict.ok and verdict.backend == "gvisor" and verdict.output_rows == 4, verdict


def test_isolation_in_gvisor(orders: Path) -> None:
    home_file = next((str(p) for p in Path.home().iterdir() if p.is_file()), str(Path.home() / ".profile"))
    code = (
        "import os, socket, pyarrow as pa\n"
        "def transform(inputs):\n"
        f"    seen = {{'etc_shadow': os.path.exists('/etc/shadow'), 'root_home': os.path.exists({home_file!r})}}\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', 22), timeout=1)\n"
        "        seen['net'] = True\n"
        "    except OSError:\n"
        "        seen['net'] = False\n"
        "    seen['uid0'] = os.getuid() == 0\n"
        "    return pa.table({'k': list(seen), 'v': list(seen.values())})\n"
    )
    verdict = run_job(
        SandboxJob(kind="python", code=code, inputs={"orders": orders}), backend="gvisor", skip_static=True
    )
    assert verdict.ok, verdict
    import pyarrow.parquet as pq

    seen = dict(zip(*pq.read_table(verdict.output_path).to_pydict().values(), strict=True))
    assert seen == {"etc_shadow": False, "root_home": False, "net": False, "uid0": False}


def test_timeout_in_gvisor_kills_and_deletes_the_container(orders: Path) -> None:
    code = "def transform(inputs):\n    while True:\n        pass\n"
    job = SandboxJob(kind="python", code=code, inputs={"orders": orders}, limits=SandboxLimits(timeout_s=3))
    verdict = run_job(job, backend="gvisor", skip_static=True)
    assert verdict.reason == "timeout"
    # The loop never ends by itself: it was stopped by its own limit (not sooner), within a bound far
    # below any outer deadline and wide enough for a loaded machine's teardown.
    assert 3 <= verdict.seconds < 3 * 10


def test_cli_on_gvisor(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from agentic_assets.cli.main import app

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "orders.csv").write_text("id,amount\n1,10\n2,-3\n", encoding="utf-8")
    sql = tmp_path / "q.sql"
    sql.write_text("select id from orders where amount > 0", encoding="utf-8")
    args = ["sandbox", "run", "--sql", str(sql), "--input", str(folder), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*args, "--backend", "gvisor", "--json"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["backend"] == "gvisor" and verdict["output_rows"] == 1


def test_writable_places_in_gvisor_are_sized_and_the_rest_read_only(orders: Path) -> None:
    code = (
        "import os, pyarrow as pa\n"
        "def transform(inputs):\n"
        "    seen = {}\n"
        "    for folder in ('/dev/shm', '/', '/opt', '/tmp', '/out'):\n"
        "        try:\n"
        "            open(os.path.join(folder, 'probe'), 'wb').close()\n"
        "            st = os.statvfs(folder)\n"
        "            seen[folder] = f'{st.f_blocks * st.f_frsize >> 20} MB'\n"
        "        except OSError as exc:\n"
        "            seen[folder] = exc.strerror\n"
        "    return pa.table({'k': list(seen), 'v': list(seen.values())})\n"
    )
    limits = SandboxLimits(scratch_mb=40, max_output_mb=72)
    job = SandboxJob(kind="python", code=code, inputs={"orders": orders}, limits=limits)
    verdict = run_job(job, backend="gvisor", skip_static=True)
    assert verdict.ok, verdict
    import pyarrow.parquet as pq

    seen = dict(zip(*pq.read_table(verdict.output_path).to_pydict().values(), strict=True))
    assert seen["/tmp"] == "40 MB" and seen["/out"] == "72 MB"
    assert {seen[f] for f in ("/dev/shm", "/", "/opt")} <= {"Read-only file system", "Permission denied"}, seen


def test_runsc_runs_inside_the_sandbox_cgroup() -> None:
    from sandbox_runtime.backends import get_backend
    from sandbox_runtime.backends.gvisor import RUNTIME_MB
    from sandbox_runtime.cgroup import memory_limit_bytes

    limits = SandboxLimits(memory_mb=640)
    sandbox = get_backend("gvisor").start(limits, preload=True)
    try:
        sandbox.wait_ready(60)
        assert sandbox.cgroup is not None
        assert sandbox.cgroup.limit_bytes == memory_limit_bytes(limits, RUNTIME_MB) == (640 + 64 + 256 + 128) << 20
        members = {int(pid) for pid in (sandbox.cgroup.procs).read_text().split()}
        commands = {Path(f"/proc/{pid}/comm").read_text().strip() for pid in members if Path(f"/proc/{pid}").exists()}
        # runsc itself, the sentry and the gofer (all named after the runsc binary or `exe`).
        assert sandbox.proc.pid in members and len(members) >= 3, commands
    finally:
        sandbox.destroy()


def test_gvisor_without_a_memory_cgroup_refuses_to_run(orders: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox_runtime.backends import gvisor
    from sandbox_runtime.errors import SandboxUnavailable

    monkeypatch.setattr(gvisor, "cgroup_parent", lambda: None)
    with pytest.raises(SandboxUnavailable, match="memory cgroup"):
        run_job(SandboxJob(kind="sql", code="select * from orders", inputs={"orders": orders}), backend="gvisor")
    with pytest.raises(SandboxUnavailable, match="memory cgroup"):
        gvisor.GvisorBackend().start(SandboxLimits(), preload=False)
