"""The one check runner: SodaCL (soda-core v3) over DuckDB, shared by materialization, sandbox and CI.

soda-core is imported lazily: its telemetry singleton reads its config at import time, and we
point it at a project-owned config with usage statistics off before that happens.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asset_checks.results import CheckResult, CheckSuiteResult

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

FAILING_ROWS_SAMPLE_LIMIT = 20
_soda_configured = False
# soda keeps its scan logs in a process-wide singleton: one scan at a time per process.
_scan_lock = threading.Lock()


def _configure_soda() -> None:
    """Turn soda's anonymous usage statistics off and keep its config out of the user's home."""
    global _soda_configured
    if _soda_configured:
        return
    config_dir = Path(os.environ.get("SODA_CONFIG_DIR") or Path(tempfile.gettempdir()) / "agentic-assets-soda")
    config_dir.mkdir(parents=True, exist_ok=True)
    config_file = config_dir / "config.yml"
    if not config_file.exists():
        config_file.write_text("send_anonymous_usage_stats: false\nuser_cookie_id: agentic-assets\n", encoding="utf-8")
    from soda.common.config_helper import ConfigHelper

    ConfigHelper.get_instance(str(config_file))
    # Scan errors are returned in the result; soda's own log lines would only be noise.
    logging.getLogger("soda.scan").setLevel(logging.CRITICAL)
    _soda_configured = True


def _json_safe(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _make_sampler():  # noqa: ANN202 - soda types are only known after _configure_soda
    from soda.sampler.sample_ref import SampleRef
    from soda.sampler.sampler import Sampler

    class CollectingSampler(Sampler):
        """Keeps failing-row samples in memory, keyed by check name, instead of sending them anywhere."""

        def __init__(self) -> None:
            self.samples: dict[str, dict[str, Any]] = {}

        def store_sample(self, sample_context) -> SampleRef:  # noqa: ANN001
            sample = sample_context.sample
            schema = sample.get_schema()
            names = [c.name for c in schema.columns]
            rows = [
                {n: _json_safe(v) for n, v in zip(names, row, strict=False)}
                for row in list(sample.get_rows())[:FAILING_ROWS_SAMPLE_LIMIT]
            ]
            key = sample_context.check_name or sample_context.sample_name
            self.samples[key] = {"rows": rows, "count": sample.get_rows_count()}
            return SampleRef(
                name=sample_context.sample_name,
                schema=schema,
                total_row_count=sample.get_rows_count(),
                stored_row_count=len(rows),
                type=SampleRef.TYPE_NOT_PERSISTED,
                message="kept in the check result",
            )

    return CollectingSampler()


def run_checks(
    con: duckdb.DuckDBPyConnection,
    sodacl: str,
    *,
    now: datetime | None = None,
    scan_name: str = "agentic-assets",
) -> CheckSuiteResult:
    """Run SodaCL checks against tables visible on `con`; the table is named inside the SodaCL."""
    _configure_soda()
    from soda.scan import Scan

    with _scan_lock:
        return _run_scan(Scan(), con, sodacl, now=now, scan_name=scan_name)


def _run_scan(scan, con, sodacl: str, *, now, scan_name: str) -> CheckSuiteResult:  # noqa: ANN001
    scan.set_scan_definition_name(scan_name)
    scan.set_data_source_name("duckdb")
    scan.add_duckdb_connection(con, data_source_name="duckdb")
    if now is not None:
        scan.add_variables({"NOW": now.isoformat()})
    sampler = _make_sampler()
    scan.sampler = sampler
    scan.add_sodacl_yaml_str(sodacl)
    scan.execute()
    raw = scan.get_scan_results()
    table = _table_of(sodacl)
    results = []
    for check in raw.get("checks", []):
        diagnostics = check.get("diagnostics") or {}
        sample = sampler.samples.get(check["name"], {})
        results.append(
            CheckResult(
                name=check["name"],
                table=check.get("table") or table,
                column=check.get("column"),
                outcome=check.get("outcome") or "error",
                value=_json_safe(diagnostics.get("value")),
                definition=check.get("definition") or check["name"],
                failing_rows_sample=sample.get("rows", []),
                failing_rows_count=sample.get("count"),
            )
        )
    errors = [str(log.message) for log in scan._logs.logs if log.level.name == "ERROR"]
    if not results and not errors:
        errors.append("the SodaCL defines no checks")
    return CheckSuiteResult(table=table, results=results, errors=errors)


def run_checks_on_arrow(
    table: pa.Table, table_name: str, sodacl: str, *, now: datetime | None = None
) -> CheckSuiteResult:
    """Check an in-memory Arrow table registered under `table_name` in a private DuckDB."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register(table_name, table)
        return run_checks(con, sodacl, now=now)
    finally:
        con.close()


def _table_of(sodacl: str) -> str:
    import yaml

    doc = yaml.safe_load(sodacl) or {}
    for key in doc:
        if isinstance(key, str) and key.startswith("checks for "):
            return key.removeprefix("checks for ").strip()
    return ""


def results_as_json(result: CheckSuiteResult) -> str:
    return json.dumps(result.model_dump(), indent=2, default=str)
