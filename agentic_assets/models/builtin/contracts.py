"""What a planner is given and what it answers: the schema facts a model sees, as pydantic contracts."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ColumnInfo(BaseModel):
    name: str
    type: str
    pii: bool = False
    description: str | None = None
    samples: list[str] = Field(default_factory=list, description="distinct sample values (low-cardinality text)")
    distinct: int | None = Field(default=None, description="distinct values in the sample, when counted")

    @property
    def is_text(self) -> bool:
        return self.type.upper().startswith(("VARCHAR", "TEXT", "STRING", "CHAR"))

    @property
    def is_numeric(self) -> bool:
        t = self.type.upper()
        return t.startswith(("DECIMAL", "NUMERIC", "DOUBLE", "FLOAT", "REAL", "INT", "BIGINT", "SMALLINT", "HUGEINT"))

    @property
    def is_time(self) -> bool:
        return self.type.upper().startswith(("TIMESTAMP", "DATE", "DATETIME"))

    @property
    def is_identifier(self) -> bool:
        return self.name.endswith(("_id", "_key", "_code")) or self.name in ("id", "key")

    @property
    def is_measure(self) -> bool:
        """A quantity one adds up: numeric and not an identifier."""
        return self.is_numeric and not self.is_identifier


class TableInfo(BaseModel):
    name: str
    description: str = ""
    columns: list[ColumnInfo]
    rows: int | None = None
    unique_columns: list[str] = Field(default_factory=list, description="identifier columns unique in the sample")

    def column(self, name: str) -> ColumnInfo | None:
        return next((c for c in self.columns if c.name == name), None)


class SqlRequest(BaseModel):
    """A transform to write: the words, the inputs, and the contract its output must meet."""

    description: str
    tables: list[TableInfo] = Field(description="the sources, in the order the spec lists them")
    output_columns: list[str] = Field(default_factory=list, description="declared output column names")
    check_columns: list[str] = Field(default_factory=list, description="columns the checks refer to")
    unique_keys: list[str] = Field(default_factory=list, description="columns the checks say are unique together")
    output_name: str = "output"


class SqlPlan(BaseModel):
    sql: str
    explanation: str
    columns: list[str]
    assumptions: list[str] = Field(default_factory=list)


class PlanRefusal(BaseModel):
    reason: str
