"""The replay process: run one stripped incident through a repair path and leave its answer in a file.

Kept small on purpose: the runner's process server preloads this module, and each incident's process
is forked from that server, so it starts without re-importing the runner or the caller's program.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from agentic_assets.bench.results import AgentAnswer

ANSWER_FILE = "answer.json"
LOG_FILE = "replay.log"


def resolve(target: str) -> Callable[[Path, str, Path], AgentAnswer]:
    """'package.module:function' -> the function."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def main(target: str, folder: str, model: str, out_dir: str) -> None:
    # Its own process group, so that a timeout ends the sandboxes and tools it started as well.
    os.setpgrp()
    out = Path(out_dir)
    log = os.open(out / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        answer = resolve(target)(Path(folder), model, out)
        payload = {"answer": answer.model_dump(mode="json")}
    except BaseException as err:  # noqa: BLE001 - reported as the incident's error
        traceback.print_exc()
        payload = {"error": f"{type(err).__name__}: {err}".strip()}
    (out / ANSWER_FILE).write_text(json.dumps(payload), encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
