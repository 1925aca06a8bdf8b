"""Fixtures of the security suite; the harness itself is in security_harness.py."""

from security_harness import attack, bwrap_installed, data, listener, responsive

__all__ = ["attack", "bwrap_installed", "data", "listener", "responsive"]
