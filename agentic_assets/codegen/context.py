"""The agent's dependencies: everything it may know about one asset, gathered before it runs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from agentic_assets.codegen.checks_contract import check_columns
from agentic_assets.codegen.fewshot import Example
from agentic_assets.models.builtin.contracts import SqlRequest, TableInfo
from agentic_assets.specs.model import AssetSpec


@dataclass
class CodegenDeps:
    """Typed deps of the codegen agent (read by its tools and its output validator)."""

    spec: AssetSpec
    tables: list[TableInfo]
    checks_text: str
    examples: list[Example]
    # The real sample inputs, for the sandbox run that follows a valid answer.
    sample_tables: dict[str, pa.Table] = field(default_factory=dict)

    @property
    def schemas(self) -> dict[str, dict[str, str]]:
        return {t.name: {c.name: c.type for c in t.columns} for t in self.tables}

    @property
    def declared_columns(self) -> list[str]:
        return [c.name for c in self.spec.columns]

    @property
    def check_columns(self) -> list[str]:
        return check_columns(self.checks_text)[0]

    @property
    def unique_keys(self) -> list[str]:
        return check_columns(self.checks_text)[1]

    def request(self) -> SqlRequest:
        return SqlRequest(
            description=" ".join(self.spec.description.split()),
            tables=self.tables,
            output_columns=self.declared_columns,
            check_columns=self.check_columns,
            unique_keys=self.unique_keys,
            output_name=self.spec.name,
        )
