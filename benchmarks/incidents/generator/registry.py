"""Every incident builder of the set, in a fixed order."""

from __future__ import annotations

from collections.abc import Callable

from generator.core import Incident


def all_builders() -> list[Callable[[], Incident]]:
    from generator import (
        catalog_drift,
        code_sets,
        data_quality,
        format_drift,
        late_arrivals,
        multi_cause,
        operations,
        operations_families,
        regressions,
        resources,
        schema_drift,
        written_forms,
    )

    modules = [
        *(schema_drift, format_drift, data_quality, operations, regressions, resources, multi_cause),
        late_arrivals,  # late data in other time types and schedules, and two look-alikes that are not
        *(catalog_drift, code_sets, operations_families),  # the families, one member per world
        written_forms,  # format drift in written forms the modules above do not use
    ]
    return [build for module in modules for build in module.BUILDERS]
