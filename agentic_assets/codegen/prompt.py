"""The prompt: framework context, the spec, the sources, the output contract, examples and rules.

The same text goes to every model; the built-in planner reads the description section of it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from agentic_assets.codegen.context import CodegenDeps

DESCRIPTION_HEADING = "## Description"

INSTRUCTIONS = """\
You write the transform of one data asset of a Dagster platform: a single DuckDB SELECT over the
asset's sources, nothing else. The platform validates it statically (one SELECT, only the listed
sources, every column must exist), runs it in a sandbox on real sample data with the asset's
SodaCL checks, and publishes the result to an Iceberg or Delta table.

Rules:
- Exactly one SELECT (CTEs allowed). No DDL, DML, PRAGMA, ATTACH, COPY, file or network functions.
- Read only the listed sources, by their names. Use only the listed columns.
- Keep every condition the description states; never drop a business rule.
- No silent precision loss: never CAST amounts to DECIMAL(10,2) or any DECIMAL narrower than the
  source's type, nor to FLOAT; keep sums in the source's decimal type.
- Name output columns as the declared columns and the checks name them; otherwise use
  snake_case names: total_<column> for sums, <thing>_count for counts, day/week/month/quarter/year
  for time grains (dates: CAST(date_trunc('month', ts) AS DATE)).
- Deterministic output: break ties explicitly when ordering or ranking.
- If the request cannot be mapped to the sources with confidence (a meaning you would have to
  guess, a column that does not exist, an identifier that may have changed meaning), answer with
  CannotGenerate and say what is missing instead of guessing.
- Answer with the structured output: sql, a one-paragraph explanation, the output columns, and
  every assumption you made.
"""


def _table_lines(deps: CodegenDeps) -> list[str]:
    lines: list[str] = []
    for t in deps.tables:
        head = f"### {t.name}" + (f" — {t.description}" if t.description else "")
        lines.append(head)
        for c in t.columns:
            extra = []
            if c.pii:
                extra.append("PII, values withheld")
            if c.samples:
                extra.append("values: " + ", ".join(repr(v) for v in c.samples[:15]))
            if c.description:
                extra.append(c.description)
            lines.append(f"- {c.name} {c.type}" + (f" ({'; '.join(extra)})" if extra else ""))
    return lines


def build_prompt(deps: CodegenDeps) -> str:
    spec = deps.spec
    parts = [
        f"# Asset {spec.name} (tier {spec.tier})",
        "",
        DESCRIPTION_HEADING,
        " ".join(spec.description.split()),
        "",
        "## Sources",
        *_table_lines(deps),
        "",
        "## Output contract",
        f"- sink: {spec.sink.format} table {spec.sink.table}, mode {spec.sink.mode}"
        + (f", merge keys {', '.join(spec.sink.merge_keys)}" if spec.sink.merge_keys else ""),
        f"- declared columns: {', '.join(deps.declared_columns) or 'none (choose names per the rules)'}",
        f"- columns the checks use: {', '.join(deps.check_columns) or 'none'}",
        f"- unique together: {', '.join(deps.unique_keys) or 'nothing stated'}",
        "- checks (SodaCL; they must pass on the output):",
        *["    " + line for line in deps.checks_text.strip().splitlines()],
        "",
        "## Worked examples",
    ]
    for e in deps.examples:
        parts += [f"Request: {e.description}", f"Sources: {e.sources}", "SQL:", e.sql.strip(), ""]
    return "\n".join(parts).rstrip() + "\n"


def description_from_prompt(prompt: str) -> str | None:
    """The description section of a prompt built by `build_prompt`."""
    if DESCRIPTION_HEADING not in prompt:
        return None
    after = prompt.split(DESCRIPTION_HEADING, 1)[1]
    return after.split("\n## ", 1)[0].strip()


def prompt_sha256(instructions: str, prompt: str) -> str:
    return hashlib.sha256((instructions + "\n\n" + prompt).encode()).hexdigest()


def store_prompt(state_dir: Path, instructions: str, prompt: str) -> str:
    """Keep the full prompt under its hash (content-addressed, written once); return the hash."""
    digest = prompt_sha256(instructions, prompt)
    folder = Path(state_dir) / "prompts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.txt"
    if not path.exists():
        path.write_text(instructions + "\n\n" + prompt, encoding="utf-8")
    return digest
