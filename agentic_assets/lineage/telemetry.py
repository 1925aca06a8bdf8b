"""DataHub's client reports usage to its vendor unless told not to; this project tells it not to.

`datahub.telemetry.telemetry` reads `DATAHUB_TELEMETRY_ENABLED` once, when it is first imported, and ANDs
it with `~/.datahub/telemetry-config.json`; so the variable must be set before any `datahub` import.
The package `__init__` calls this first, and every module here that imports `datahub` sits below it.
"""

from __future__ import annotations

import os

TELEMETRY_ENV = "DATAHUB_TELEMETRY_ENABLED"


def disable_datahub_telemetry() -> None:
    """Turn DataHub usage statistics off for this process and any `datahub` CLI it starts."""
    # Forced, not setdefault: a project that promises "no usage statistics" cannot be switched on by accident.
    os.environ[TELEMETRY_ENV] = "false"
