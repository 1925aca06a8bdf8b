"""Errors raised to the caller (a failing job is a verdict, not an exception)."""


class SandboxUnavailable(RuntimeError):
    """The requested backend cannot run on this machine; the message says how to fix it."""


class SandboxStartError(RuntimeError):
    """A sandbox could not be started although its backend is installed."""
