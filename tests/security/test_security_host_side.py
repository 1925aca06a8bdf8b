"""What a job leaves for the host: trees it cannot walk recursively, outputs that decode to far
more than they weigh. The host always returns a verdict, removes the run folder, and never
loads an output over the job's limits."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from security_harness import Attack

from sandbox_runtime import SandboxJob, SandboxLimits, run_job
from sandbox_runtime.output_check import OutputRejected, read_output
from sandbox_runtime.rundir import PREFIX, wait_for_removals

DEEP_CHAIN = """
import os
def transform(inputs):
    for folder in ("/out", "/tmp"):
        os.chdir(folder)
        for _ in range(1500):  # deeper than Python's recursion limit, longer than PATH_MAX
            os.mkdir("level")
            os.chdir("level")
        os.symlink("/etc/passwd", "link")
    return inputs["data"]
"""


def _run_folders(tmp_root: Path) -> set[Path]:
    return {p for p in tmp_root.iterdir() if p.name.startswith(PREFIX) and (p / ".owner").exists()}


def test_a_deep_directory_chain_gets_a_verdict_and_is_removed(attack: Attack, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import tempfile

    # A temp root of this test's own: other test processes start sandboxes in the shared one meanwhile.
    # Not under pytest's tmp_path, whose 0700 parents the sandbox uid cannot traverse.
    root = Path(tempfile.mkdtemp(prefix="deep-chain-"))
    root.chmod(0o711)
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    try:
        verdict = attack.python(DEEP_CHAIN)
        assert verdict.ok and verdict.output_rows == 3, verdict
        wait_for_removals()
        assert _run_folders(root) == set()
    finally:
        monkeypatch.undo()
        shutil.rmtree(root, ignore_errors=True)


def test_the_cli_prints_a_json_verdict_for_a_deep_chain(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from agentic_assets.cli.main import app

    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(pa.table({"id": [1, 2, 3]}), folder / "data.parquet")
    code = tmp_path / "job.py"
    code.write_text(DEEP_CHAIN, encoding="utf-8")
    args = ["sandbox", "run", "--python", str(code), "--input", str(folder), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*args, "--skip-static", "--json"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["ok"] and verdict["output_rows"] == 3


def _bomb(rows: int, value_kb: int) -> str:
    """A Python job writing one dictionary-encoded string column: a value of `value_kb` KB
    repeated `rows` times, a few KB on disk."""
    return f"""
import pyarrow as pa
def transform(inputs):
    value = "x" * ({value_kb} << 10)
    column = pa.DictionaryArray.from_arrays(pa.array([0] * {rows}, pa.int32()), pa.array([value]))
    return pa.table({{"payload": column}})
"""


def test_a_tiny_output_that_decodes_to_gigabytes_is_rejected(attack: Attack) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    verdict = attack.python(_bomb(rows=400_000, value_kb=10), max_output_decoded_mb=256)  # 4 GB decoded
    assert verdict.reason == "output_invalid" and not verdict.ok, verdict
    assert "decodes to more than 256 MB" in verdict.message
    assert verdict.output_path is None
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 512, f"the host grew by {grown_mb:.0f} MB while judging the output"


def test_an_output_declaring_too_many_rows_is_rejected(attack: Attack) -> None:
    code = "import pyarrow as pa\ndef transform(inputs):\n    return pa.table({'n': pa.nulls(5000)})\n"
    verdict = attack.python(code, max_output_rows=1000)
    assert verdict.reason == "output_invalid" and "declares 5,000 rows, over the limit of 1,000" in verdict.message


def test_a_nested_bomb_is_measured_without_decoding(tmp_path: Path) -> None:
    value = pa.array(["y" * (64 << 10)])
    element = pa.DictionaryArray.from_arrays(pa.array([0] * 20_000, pa.int32()), value)
    nested = pa.ListArray.from_arrays(pa.array(list(range(0, 20_001, 20)), pa.int32()), element)
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"lists": nested}), path)  # 1.3 GB once decoded
    assert path.stat().st_size < 1 << 20
    with pytest.raises(OutputRejected, match="decodes to more than 64 MB"):
        read_output(path, SandboxLimits(max_output_decoded_mb=64))


def test_an_accepted_output_reads_back_exactly(tmp_path: Path, data: Path) -> None:
    code = """
import pyarrow as pa
def transform(inputs):
    return pa.table({
        "id": pa.array(range(200_000), pa.int64()),
        "label": pa.array([f"row-{i % 97}" for i in range(200_000)]),
        "tags": pa.array([[str(i % 3), "t"] for i in range(200_000)]),
        "point": pa.array([{"x": i, "y": float(i)} for i in range(200_000)]),
    })
"""
    job = SandboxJob(kind="python", code=code, inputs={"data": data}, limits=SandboxLimits(timeout_s=30))
    verdict = run_job(job, skip_static=True, workdir=tmp_path / "out")
    assert verdict.ok and verdict.output_rows == 200_000, verdict
    table = read_output(verdict.output_path, job.limits)
    assert table.equals(pq.read_table(verdict.output_path))
    assert table.schema.field("label").type == pa.string()
