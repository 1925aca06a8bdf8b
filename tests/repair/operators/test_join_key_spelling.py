"""Join keys respelled by the source: another case, lost separators, a constant prefix or suffix."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentic_assets.repair.schema_diff import _normalisation

from .incident_kit import run, write_incident

CODES = {f"AB-{i:03d}" for i in range(40)}


def test_the_spelling_change_is_found_by_trying_each_on_the_values() -> None:
    folded = {c.replace("-", "").lower() for c in CODES}
    norm = _normalisation(folded, CODES)
    assert norm is not None and (norm.kind, norm.share, norm.unique) == ("fold", 1.0, True)
    prefixed = {f"EU:{c}" for c in CODES}
    norm = _normalisation(prefixed, CODES)
    assert norm is not None and (norm.kind, norm.affix, norm.share) == ("prefix", "EU:", 1.0)
    # Codes that only collide once folded cannot be told apart.
    clash = _normalisation({"ab1"}, {"AB-1", "AB1"})
    assert clash is not None and not clash.unique
    assert _normalisation({"zz-9", "qq-8"}, CODES) is None


@pytest.mark.slow
def test_a_key_written_without_its_separator_is_respelled_end_to_end(tmp_path: Path) -> None:
    codes = sorted(CODES)[:6]
    dim = pa.table({"site_code": codes, "region": ["north", "south", "east", "west", "north", "south"]})
    ids = list(range(60))
    before = pa.table({"reading_id": ids, "site_code": [codes[i % 6] for i in ids], "kwh": [1.0 + i for i in ids]})
    after = before.set_column(1, "site_code", pa.array([codes[i % 6].replace("-", "").lower() for i in ids]))
    folder = write_incident(
        tmp_path / "incidents",
        name="site-codes-respelled",
        sql="SELECT d.region, SUM(r.kwh) AS kwh FROM readings r JOIN sites d ON d.site_code = r.site_code "
        "GROUP BY d.region",
        checks="checks for site_codes_respelled:\n  - row_count > 0\n",
        before={"readings": before, "sites": dim},
        after={"readings": after, "sites": dim},
    )
    result = run(folder, tmp_path / "work")
    assert result.sandbox_ok, result.repair.diagnosis if result.repair else result.error
    assert (result.category, result.remediation) == ("format_drift", "code_change")
    out = {r["region"]: r["kwh"] for r in pq.read_table(result.output).to_pylist()}
    region = dict(zip(codes, ["north", "south", "east", "west", "north", "south"], strict=True))
    expected: dict[str, float] = {}
    for i in ids:
        expected[region[codes[i % 6]]] = expected.get(region[codes[i % 6]], 0.0) + 1.0 + i
    assert out == pytest.approx(expected)
