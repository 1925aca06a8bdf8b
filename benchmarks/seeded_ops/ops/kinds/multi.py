"""Multi-cause incidents: two things went wrong at once and the repair needs both answers. Each is built from
a one-cause incident of another kind with a second cause laid over it; the verifier checks that neither
answer alone is enough."""

from __future__ import annotations

import random
import re

import pyarrow as pa

from ..harness import Case, Reference
from ..shapes import with_cte
from . import config, late, quality

VARIANTS = ("transient_config", "late_rename", "duplicates_format", "transient_null_keys")


def build(rng: random.Random, incident_id: str, variant: str) -> Case:
    return {
        "transient_config": _transient_config,
        "late_rename": _late_rename,
        "duplicates_format": _duplicates_format,
        "transient_null_keys": _transient_null_keys,
    }[variant](rng, incident_id)


def _read_fault(rng: random.Random, base: Case) -> dict[str, int]:
    name = rng.choice(sorted(base.before))
    return {name: rng.randint(1, 2)}


def _transient_config(rng: random.Random, incident_id: str) -> Case:
    base = config.build(rng, incident_id, rng.choice(("filter", "join", "grain", "cast")))
    faults = _read_fault(rng, base)
    ((name, k),) = faults.items()
    return base.model_copy(update={
        "faults": {"read_failures": faults},
        "category": ["config_regression", "transient"],
        "remediation": ["retry", "rollback"],
        "root_cause": f"Two causes. The object store failed the first {k} read(s) of {name} (transient), and "
        f"behind it a bad deploy: {base.root_cause}",
    })  # fmt: skip


def _renamed(name: str, rng: random.Random) -> str:
    suffix = rng.choice(["_v2", "_amt", "_value", "_total"])
    if name.isupper():
        suffix = suffix.upper()
    elif name[:1].isupper() or ("_" not in name and any(ch.isupper() for ch in name)):
        suffix = suffix.strip("_").capitalize()
    return name + suffix


def _late_rename(rng: random.Random, incident_id: str) -> Case:
    base = late.build(rng, incident_id, "short_partition")
    (fact,) = base.after
    schema = base.before[fact].schema
    old = next(n for n in schema.names if schema.field(n).type == pa.float64())  # the measure
    new = _renamed(old, rng)

    def rename(t: pa.Table) -> pa.Table:
        return t.rename_columns([new if n == old else n for n in t.column_names])

    ref = re.sub(rf"\b{re.escape(old)}\b", new, base.sql)
    return base.model_copy(update={
        "after": {fact: rename(base.after[fact])},
        "landed": {fact: rename(base.landed[fact])},
        "category": ["late_data", "schema_drift"],
        "remediation": ["code_change", "retry"],
        "root_cause": f"Two causes. The upstream renamed {old} to {new} in {fact} (schema drift), and the day is "
        f"late as well: {base.root_cause}",
        "reference": Reference(kind="sql", sql=ref, on_landed=True),
    })  # fmt: skip


def _duplicates_format(rng: random.Random, incident_id: str) -> Case:
    # The draw stays so that the incidents of earlier sets keep their bytes; the event-grain shape of scattered
    # duplicates reads the measure without arithmetic, so only a replayed batch shows the format change.
    rng.choice(("replayed_batch", "scattered_duplicates"))
    base = quality.build(rng, incident_id, "replayed_batch")
    (fact,) = base.after
    m = next(n for n in base.after[fact].column_names if base.after[fact].schema.field(n).type == pa.float64())
    fmt = rng.choice(("decimal_comma", "currency_suffix"))
    values = base.after[fact].column(m).to_pylist()
    if fmt == "decimal_comma":
        text = [f"{v:.2f}".replace(".", ",") for v in values]
        parse, told = f"CAST(replace({m}, ',', '.') AS DOUBLE)", "a decimal comma (12,50)"
    else:
        cur = rng.choice(["EUR", "GBP", "USD"])
        text = [f"{v:.2f} {cur}" for v in values]
        parse, told = f"CAST(replace({m}, ' {cur}', '') AS DOUBLE)", f"a currency suffix (12.50 {cur})"
    after = base.after[fact].set_column(base.after[fact].column_names.index(m), m, pa.array(text, pa.string()))
    key = next(n for n in after.column_names if n.lower().endswith("id") and after.schema.field(n).type == pa.int64())
    ts = next(n for n in after.column_names if pa.types.is_timestamp(after.schema.field(n).type))
    dedupe = f"QUALIFY ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {ts}) = 1"
    body = base.sql  # the shape over the raw table: swap the table for a cleaned CTE

    def over(cte_body: str) -> str:
        return _over(body, fact, "cleaned", cte_body)

    ref = over(f"SELECT * REPLACE ({parse} AS {m}) FROM {fact}\n    {dedupe}")
    parse_only = over(f"SELECT * REPLACE ({parse} AS {m}) FROM {fact}")
    return base.model_copy(update={
        "after": {fact: after},
        "category": ["data_quality", "format_drift"],
        "remediation": ["code_change", "dedupe"],
        "root_cause": f"Two causes. The upstream now writes {m} as text with {told} (format drift), and "
        f"duplicates arrived: {base.root_cause}",
        "reference": Reference(kind="sql", sql=ref, partials=[base.reference.sql, parse_only]),
    })  # fmt: skip


def _over(sql: str, table: str, cte: str, cte_body: str) -> str:
    """The same transform reading `table` through a CTE named `cte`."""
    swapped = re.sub(rf"\bFROM {re.escape(table)}\b", f"FROM {cte}", sql)
    head = with_cte(cte, cte_body)
    if swapped.startswith("WITH "):
        return "WITH " + head + ",\n" + swapped[len("WITH ") :]
    return "WITH " + head + "\n" + swapped


def _transient_null_keys(rng: random.Random, incident_id: str) -> Case:
    base = quality.build(rng, incident_id, "null_keys")
    faults = _read_fault(rng, base)
    ((name, k),) = faults.items()
    return base.model_copy(update={
        "faults": {"read_failures": faults},
        "category": ["data_quality", "transient"],
        "remediation": ["dead_letter", "retry"],
        "root_cause": f"Two causes. The object store failed the first {k} read(s) of {name} (transient), and "
        f"behind it bad rows: {base.root_cause}",
    })  # fmt: skip
