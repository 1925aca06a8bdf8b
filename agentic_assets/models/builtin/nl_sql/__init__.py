"""Words to one DuckDB SELECT, for the common families of boilerplate transforms.

Families: aggregation by keys and time grains, filters stated in words, joins on a shared key,
deduplication by key keeping the latest (or first) row, top-N, small pivots, dead-letter splits.
Every name comes from the sources' schemas; a request this planner cannot map with confidence
gets a refusal naming what it could not map, never a guess. One module per concern:
`words` (vocabulary), `base` (state), `grain`, `measures`, `filters`, `joins`, `windows`, `pivot`,
`dead_letter`, `layout`, and `planner` (the dispatch). The ticket planner (several sentences
naming columns and rules) is `ticket` composed of `ticket_base`, `ticket_grain`, `ticket_measures`,
`ticket_filters`, `ticket_periods` (calendar windows), `ticket_joins`, `ticket_bands`, `ticket_pivot`,
`ticket_windows`, `ticket_ranking`, `ticket_stages` (the order of a composition's stages),
`ticket_dead_letter` and `ticket_layout`.
"""

from agentic_assets.models.builtin.nl_sql.planner import Planner, plan_sql
from agentic_assets.models.builtin.nl_sql.words import REFUSAL, CannotPlan

__all__ = ["REFUSAL", "CannotPlan", "Planner", "plan_sql"]
