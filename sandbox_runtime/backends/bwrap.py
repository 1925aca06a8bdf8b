"""The default backend: bubblewrap, under setpriv and prlimit, with a seccomp filter.

Process chain (each step execs the next, so the Popen pid is the outer bwrap and one
killpg ends everything; `--die-with-parent` then takes the sandbox's pid 1, and with it the
whole pid namespace):

    [unshare -m + bind mounts]   only when the interpreter lives where the sandbox uid cannot
                                 reach it (e.g. under /root): bwrap resolves bind sources as
                                 the unprivileged uid, so the host dirs are first bound into
                                 the private run directory, in a mount namespace of their own
    prlimit                      address space, CPU seconds, open files, file size, processes
    setpriv                      an unprivileged, random host uid (as root, bwrap would map
                                 the sandbox to host root), no capabilities, no_new_privs
    bwrap                        every namespace unshared, read-only /usr and inputs, writable
                                 out/ only, tmpfs /tmp, seccomp, no further user namespaces
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from functools import cache
from pathlib import Path

from sandbox_runtime import seccomp
from sandbox_runtime.backends.base import (
    Backend,
    reachable_by_others,
    runner_argv,
    runtime_paths,
    sandbox_env,
    sandbox_ids,
)
from sandbox_runtime.models import SandboxLimits
from sandbox_runtime.process import SandboxProcess
from sandbox_runtime.rundir import INSIDE_IN, INSIDE_OUT, RunDir

TMPFS_MB = 64
INSTALL_HINT = "install bubblewrap (`apt-get install -y bubblewrap`)"


@cache
def _tools() -> dict[str, str | None]:
    return {name: shutil.which(name) for name in ("bwrap", "setpriv", "prlimit", "unshare", "sh", "nice")}


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
            missing = [t for t in ("setpriv", "prlimit", "unshare", "sh") if not tools[t]]
            if missing:
                return f"missing {', '.join(missing)}; install util-linux"
        elif not tools["prlimit"]:
            return "missing prlimit; install util-linux"
        return _probe()

    def command(self, rundir: RunDir, limits: SandboxLimits, seccomp_fd: int, *,
                preload: bool, uid: int, gid: int) -> list[str]:  # fmt: skip
        binds: list[str] = []
        staged: list[tuple[str, str]] = []
        for index, host in enumerate(runtime_paths()):
            source = host
            if os.geteuid() == 0 and not reachable_by_others(host):
                source = str(rundir.stage / str(index))
                os.mkdir(source)
                staged.append((host, source))
            binds += ["--ro-bind", source, host]
        bwrap = [
            _tools()["bwrap"],
            "--unshare-all", "--unshare-user", "--disable-userns",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--hostname", "sandbox", "--clearenv",
            *_root_layout(),
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(TMPFS_MB << 20), "--tmpfs", "/tmp",
            *binds,
            "--ro-bind", str(rundir.inputs), INSIDE_IN,
            "--bind", str(rundir.outputs), INSIDE_OUT,
            "--chdir", "/tmp",
            "--seccomp", str(seccomp_fd),
        ]  # fmt: skip
        for key, value in sandbox_env().items():
            bwrap += ["--setenv", key, value]
        bwrap += ["--", *runner_argv(preload)]
        if os.geteuid() != 0:
            return [_tools()["prlimit"], *_prlimit_args(limits), "--", *bwrap]
        dropped = [
            _tools()["prlimit"], *_prlimit_args(limits), "--",
            _tools()["setpriv"], f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", *bwrap,
        ]  # fmt: skip
        if staged:
            mounts = " && ".join(f"mount --bind {shlex.quote(h)} {shlex.quote(s)}" for h, s in staged)
            dropped = [
                _tools()["unshare"], "--mount", "--propagation", "private", "--",
                _tools()["sh"], "-c", f"{mounts} && exec {shlex.join(dropped)}",
            ]  # fmt: skip
        if preload and os.geteuid() == 0 and _tools()["nice"]:
            # A spare warms up at nice 10 so that starting it never slows a running job; the
            # host (root) puts every thread back to 0 when it is claimed (SandboxProcess.execute).
            dropped = [_tools()["nice"], "-n", "10", *dropped]
        return dropped

    def start(self, limits: SandboxLimits, *, preload: bool) -> SandboxProcess:
        self.ensure_available()
        uid, gid = sandbox_ids()
        rundir = RunDir(uid, gid)
        try:
            fd = seccomp.filter_fd()
            argv = self.command(rundir, limits, fd, preload=preload, uid=uid, gid=gid)
        except BaseException:
            rundir.remove()
            raise
        return SandboxProcess(
            backend=self.name,
            argv=argv,
            rundir=rundir,
            max_output_bytes=limits.max_output_mb << 20,
            pass_fds=(fd,),
            renice_on_claim=preload and os.geteuid() == 0,
        )
