"""The default backend: bubblewrap, under setpriv and prlimit, with a seccomp filter.

Process chain (each step execs the next, so the Popen pid is the outer bwrap and one
killpg ends everything; `--die-with-parent` then takes the sandbox's pid 1, and with it the
whole pid namespace):

    sh (join the cgroup)         as root where a memory cgroup can be made: the job's own,
                                 limited to its memory plus its tmpfs sizes (cgroup.py)
    prlimit                      address space, CPU seconds, open files, file size, processes
    setpriv                      an unprivileged, random host uid (as root, bwrap would map
                                 the sandbox to host root), no capabilities, no_new_privs
    bwrap                        every namespace unshared, seccomp, no further user namespaces;
                                 read-only root, /dev (so /dev/shm), /usr, /opt and inputs;
                                 writable only /tmp and /out, each a tmpfs sized from the job's
                                 limits in bytes and inodes (as root, mounted by the host in
                                 rundir.py; otherwise bwrap's own tmpfs for /tmp, with a byte
                                 size only, and out/ measured by the host while the job runs)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from sandbox_runtime import seccomp
from sandbox_runtime.backends.base import (
    Backend,
    join_cgroup,
    local_env,
    runner_argv,
    runtime_layout,
    sandbox_cgroup,
    sandbox_ids,
)
from sandbox_runtime.models import SandboxLimits
from sandbox_runtime.process import SandboxProcess
from sandbox_runtime.rundir import INSIDE_IN, INSIDE_OUT, RunDir

INSTALL_HINT = "install bubblewrap (`apt-get install -y bubblewrap`)"


@cache
def _tools() -> dict[str, str | None]:
    return {name: shutil.which(name) for name in ("bwrap", "setpriv", "prlimit", "sh", "nice")}


@cache
def _probe() -> str | None:
    """Run bubblewrap once: user namespaces may be disabled even when it is installed."""
    tools = _tools()
    try:
        done = subprocess.run(
            [tools["bwrap"], "--unshare-all", "--unshare-user", "--disable-userns",
             *_root_layout(), "--", "/usr/bin/true"],
            capture_output=True, timeout=10, env={},
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap failed to run: {exc}"
    if done.returncode != 0:
        return (
            "bubblewrap cannot create namespaces here "
            f"({done.stderr.decode(errors='replace').strip()}); "
            "enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
        )
    return None


def _root_layout() -> list[str]:
    """Merged-/usr distributions: /lib, /bin... are symlinks into /usr; copy that shape."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            args += ["--ro-bind", str(host), f"/{name}"]
    if Path("/etc/ld.so.cache").exists():
        args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return args


def _prlimit_args(limits: SandboxLimits) -> list[str]:
    mb = 1 << 20
    return [
        f"--as={limits.memory_mb * mb}",
        # soft < hard: SIGXCPU first (reported as a CPU timeout), SIGKILL a second later.
        f"--cpu={limits.effective_cpu_s}:{limits.effective_cpu_s + 1}",
        f"--nofile={limits.open_files}",
        f"--fsize={limits.max_output_mb * mb}",
        f"--nproc={limits.processes}",
        "--core=0",
    ]


class BwrapBackend(Backend):
    name = "bwrap"

    def unavailable_reason(self) -> str | None:
        tools = _tools()
        if not tools["bwrap"]:
            return f"`bwrap` not found; {INSTALL_HINT}"
        if os.geteuid() == 0:
            missing = [t for t in ("setpriv", "prlimit", "sh") if not tools[t]]
            if missing:
                return f"missing {', '.join(missing)}; install util-linux"
        elif not tools["prlimit"]:
            return "missing prlimit; install util-linux"
        return _probe()

    def command(self, rundir: RunDir, limits: SandboxLimits, seccomp_fd: int, *,
                preload: bool, uid: int, gid: int, cgroup_procs: Path | None = None) -> list[str]:  # fmt: skip
        binds: list[str] = []
        for host, inside in runtime_layout().mounts:
            # As root: a read-only overlay in the run folder, which the sandbox uid can read
            # even when the host folder is under /root, and which shows no host path inside.
            binds += ["--ro-bind", rundir.read_only_view(host), inside]
        if rundir.sized:
            scratch = ["--bind", str(rundir.scratch), "/tmp"]
        else:
            scratch = ["--size", str(limits.scratch_mb << 20), "--tmpfs", "/tmp"]
        bwrap = [
            _tools()["bwrap"],
            "--unshare-all", "--unshare-user", "--disable-userns",
            # --as-pid-1: the runner is the sandbox's init, no reaper process in between: one
            # process fewer to start and to wake at exit; when it exits, the kernel kills
            # whatever else the job started (the whole pid namespace goes with its init).
            "--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL",
            "--hostname", "sandbox", "--clearenv",
            *_root_layout(),
            "--proc", "/proc", "--dev", "/dev",
            *scratch,
            *binds,
            "--ro-bind", str(rundir.inputs), INSIDE_IN,
            "--bind", str(rundir.outputs), INSIDE_OUT,
            # Everything else is read-only: bwrap's root tmpfs and /dev (with /dev/shm) have
            # no size limit of their own. The device nodes are bind mounts and stay usable.
            "--remount-ro", "/dev", "--remount-ro", "/",
            "--chdir", "/tmp",
            "--seccomp", str(seccomp_fd),
        ]  # fmt: skip
        for key, value in local_env().items():
            bwrap += ["--setenv", key, value]
        bwrap += ["--", *runner_argv(preload)]
        if os.geteuid() != 0:
            return [_tools()["prlimit"], *_prlimit_args(limits), "--", *bwrap]
        dropped = [
            _tools()["prlimit"], *_prlimit_args(limits), "--",
            _tools()["setpriv"], f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", *bwrap,
        ]  # fmt: skip
        if cgroup_procs is not None:
            dropped = join_cgroup(cgroup_procs, dropped)
        if preload and os.geteuid() == 0 and _tools()["nice"]:
            # A spare warms up at nice 10 so that starting it never slows a running job; the
            # host (root) puts every thread back to 0 when it is claimed (SandboxProcess.execute).
            dropped = [_tools()["nice"], "-n", "10", *dropped]
        return dropped

    def start(self, limits: SandboxLimits, *, preload: bool) -> SandboxProcess:
        self.ensure_available()
        uid, gid = sandbox_ids()
        rundir = RunDir(uid, gid, limits=limits)
        cgroup = None
        try:
            cgroup = sandbox_cgroup(rundir, limits)
            fd = seccomp.filter_fd()
            procs = cgroup.procs if cgroup else None
            argv = self.command(rundir, limits, fd, preload=preload, uid=uid, gid=gid, cgroup_procs=procs)
        except BaseException:
            rundir.remove()
            raise
        return SandboxProcess(
            backend=self.name,
            argv=argv,
            rundir=rundir,
            max_output_bytes=limits.max_output_mb << 20,
            max_output_files=limits.max_files,
            pass_fds=(fd,),
            cgroup=cgroup,
            renice_on_claim=preload and os.geteuid() == 0,
        )
