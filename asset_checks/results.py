"""Check results as contracts: what a soda scan found, in a form Dagster, the sandbox and the agents share."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

CheckOutcome = Literal["pass", "warn", "fail", "error"]


class CheckResult(BaseModel):
    """One SodaCL check evaluated against one table."""

    name: str
    table: str
    column: str | None = None
    outcome: CheckOutcome
    value: float | int | str | None = Field(default=None, description="the measured metric value")
    definition: str = ""
    failing_rows_sample: list[dict[str, Any]] = Field(default_factory=list)
    failing_rows_count: int | None = None

    @property
    def passed(self) -> bool:
        return self.outcome in ("pass", "warn")


class CheckSuiteResult(BaseModel):
    """Every check of one scan; `errors` holds scan-level problems (bad SodaCL, unknown column...)."""

    table: str
    results: list[CheckResult] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.errors and all(r.passed for r in self.results)

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed]

    def summary(self) -> str:
        ok = sum(r.passed for r in self.results)
        text = f"{ok}/{len(self.results)} checks passed on {self.table}"
        if self.errors:
            text += f"; scan errors: {'; '.join(self.errors)}"
        return text
