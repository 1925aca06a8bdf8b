"""Every incident builder of the set, in a fixed order."""

from __future__ import annotations

from collections.abc import Callable

from generator.core import Incident


def all_builders() -> list[Callable[[], Incident]]:
    from generator import (
        catalog_drift,
        code_sets,
        operations_families,
        data_quality,
        format_drift,
        multi_cause,
        operations,
        regressions,
        resources,
        schema_drift,
    )

    modules = [schema_drift, format_drift, data_quality, operations, regressions, resources, multi_cause, catalog_drift, code_sets,
               operations_families]
    return [build for module in modules for build in module.BUILDERS]
