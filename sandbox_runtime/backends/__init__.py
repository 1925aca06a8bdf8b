"""Sandbox backends behind one interface; `get_backend` never falls back to running unsandboxed."""

from __future__ import annotations

import os

from sandbox_runtime.backends.base import Backend
from sandbox_runtime.errors import SandboxUnavailable

DEFAULT_BACKEND_ENV = "AGENTIC_ASSETS_SANDBOX_BACKEND"
NAMES = ("bwrap", "gvisor", "k8s")


def _make(name: str) -> Backend:
    if name == "bwrap":
        from sandbox_runtime.backends.bwrap import BwrapBackend

        return BwrapBackend()
    if name == "gvisor":
        from sandbox_runtime.backends.gvisor import GvisorBackend

        return GvisorBackend()
    if name == "k8s":
        from sandbox_runtime.backends.k8s import KubernetesBackend

        return KubernetesBackend()
    raise ValueError(f"unknown sandbox backend {name!r}; choose one of {', '.join(NAMES)}")


_instances: dict[str, Backend] = {}


def get_backend(name: str | None = None) -> Backend:
    """The named backend (default: $AGENTIC_ASSETS_SANDBOX_BACKEND or bwrap), checked usable.

    Raises SandboxUnavailable, with the install command, if it cannot run here.
    """
    name = name or os.environ.get(DEFAULT_BACKEND_ENV) or "bwrap"
    if name not in _instances:
        _instances[name] = _make(name)
    backend = _instances[name]
    backend.ensure_available()
    return backend


def available_backends() -> dict[str, str | None]:
    """Each backend and why it cannot run here (None when it can)."""
    result: dict[str, str | None] = {}
    for name in NAMES:
        try:
            get_backend(name)
            result[name] = None
        except SandboxUnavailable as exc:
            result[name] = str(exc)
    return result


__all__ = ["Backend", "SandboxUnavailable", "available_backends", "get_backend"]
