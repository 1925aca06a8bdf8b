"""Unit, sign, scale or code-set change: values outside a valid range or list that are not bad rows."""

from __future__ import annotations

import re
from typing import Any

# Share of values beyond a valid bound: bad rows are a tail (a sentinel, a handful of negatives); a unit, sign
# or scale change moves a large part of the distribution past the bound. A fifth of the values is well beyond
# any tail a check's bound is set to exclude (the bound sits past the bulk of the good values).
SHIFTED_SHARE = 0.2

# The 90th over the 10th percentile of a bounded quantity: a unit change by a factor of 1000 (Wh / kWh,
# g / kg, ms / s) mixing into a column spreads it over three orders of magnitude; 300 is half of that in log
# terms above a plain skewed spread (prices, durations rarely span more than two orders between p10 and p90).
UNIT_SPREAD = 300


def unit_change_reason(profile: dict[str, Any], config: dict[str, Any]) -> str | None:
    """Why the invalid values look like the same quantity in another unit or code set, or None."""
    q = profile.get("quantiles") or []
    if len(q) == 3 and "valid max" in config and q[0] > 0 and q[2] / q[0] >= UNIT_SPREAD:
        return f"jumped by orders of magnitude (10th percentile {q[0]:g}, 90th {q[2]:g}): a unit change"
    shifted = _shifted_share(profile, config)
    if shifted is not None:
        return (
            f"has {shifted:.0%} of its values outside the valid range, a shift of the whole distribution rather "
            "than a few bad rows: the values are written in another unit, sign or scale"
        )
    allowed = config.get("valid values")
    values = [v for v in profile.get("values", []) if isinstance(v, str)]
    if allowed and values:
        # Values outside the list written exactly like the listed codes (same length, same letters, digits and
        # marks in the same places) are more codes of the same standard: the list, not the rows, may be out
        # of date, and whether they are valid is the data owner's call. Values shaped otherwise are bad rows.
        shapes = {_shape(str(a)) for a in allowed}
        others = [v for v in values if v not in allowed]
        if others and len(shapes) == 1 and all(_shape(v) in shapes for v in others):
            return f"now also holds {', '.join(others)} where only {', '.join(map(str, allowed))} was valid"
    return None


def _shape(value: str) -> str:
    """A code's written shape: `A` per capital, `a` per small letter, `9` per digit, other marks as they are."""
    return re.sub(r"[0-9]", "9", re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", value)))


def _shifted_share(profile: dict[str, Any], config: dict[str, Any]) -> float | None:
    """The share of values beyond a numeric valid bound when it is too large for a few bad rows, else None.

    Bad rows are a tail (a sentinel, a handful of negatives); a unit, sign or scale change moves a large part
    of the distribution past the bound, with many distinct values."""
    pct = profile.get("percentiles") or []
    if len(pct) < 2:
        return None
    lo, hi = config.get("valid min"), config.get("valid max")
    outside = [x for x in pct if (isinstance(lo, int | float) and x < lo) or (isinstance(hi, int | float) and x > hi)]
    share = len(outside) / len(pct)
    distinct_outside = len(set(outside))
    if share >= SHIFTED_SHARE and distinct_outside >= 3:
        return share
    return None
