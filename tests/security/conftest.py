"""Fixtures of the security suite; the harness itself is in security_harness.py."""

from security_harness import attack, bwrap_installed, data, listener, outputs_in_tmp_path, responsive

__all__ = ["attack", "bwrap_installed", "data", "listener", "outputs_in_tmp_path", "responsive"]
