"""Config regressions: the latest deploy of the asset's own transform broke it; the sources are as they were."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def returns_hotspots_minimum_breached() -> Case:
    products = w.product_ids(140, seed=1201)
    old = w.returns(products, "2026-06-01", 28, 45, seed=1202)
    new = w.returns(products, "2026-06-29", 3, 45, seed=1203, first=old.num_rows + 1)
    v1 = """SELECT productId, productCategory, COUNT(*) AS returnCount,
       ROUND(SUM(refundAmount), 2) AS refundTotal,
       ROUND(100.0 * COUNT(*) FILTER (WHERE returnReason = 'damaged') / COUNT(*), 1) AS damagedPct
FROM returns
GROUP BY productId, productCategory
"""
    v2 = v1 + "HAVING COUNT(*) >= 5\n"
    current = v1 + "HAVING COUNT(*) >= 5 OR SUM(refundAmount) >= 5\n"
    return Case(
        id="returns-hotspots-minimum-breached",
        now="2026-07-02T03:00:00Z",
        asset="return_hotspots",
        description="Products returned at least five times, with their refunds and the share of returns for damage, "
        "for the quality team's weekly review.",
        sql=current,
        checks="""checks for return_hotspots:
  - row_count > 0
  - duplicate_count(productId) = 0
  - min(returnCount) >= 5
""",
        history=[(v1, "2026-02-02T10:00:00Z"), (v2, "2026-04-20T09:15:00Z")],
        deployed="2026-07-01T17:40:00Z",
        formats={"returns": "csv"},
        before={"returns": old},
        after={"returns": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=old, b=new)},
        category="config_regression",
        remediation="rollback",
        root_cause="The deploy of 2026-07-01 17:40 added 'OR SUM(refundAmount) >= 5' to the HAVING clause; "
        "almost every product has refunds above five, so products returned once or twice now reach the output. "
        "The returns feed only gained new days; rolling back to the version of 2026-04-20 restores the output.",
        reference=Reference(kind="rollback"),
    )


def museum_running_visitors_exceed_month() -> Case:
    old = w.visits("2026-09-01", 24, 260, seed=1211)
    new = w.visits("2026-09-25", 4, 260, seed=1212, first=old.num_rows + 1)
    v1 = """WITH daily AS (
    SELECT GalleryCode, VisitDate, SUM(PartySize) AS Visitors
    FROM visits
    GROUP BY 1, 2
)
SELECT GalleryCode, VisitDate, Visitors,
       SUM(Visitors) OVER (PARTITION BY GalleryCode, date_trunc('month', VisitDate) ORDER BY VisitDate)
           AS MonthToDateVisitors,
       SUM(Visitors) OVER (PARTITION BY GalleryCode, date_trunc('month', VisitDate)) AS MonthVisitors
FROM daily
"""
    current = v1.replace(
        "SUM(Visitors) OVER (PARTITION BY GalleryCode, date_trunc('month', VisitDate) ORDER BY VisitDate)",
        "SUM(Visitors) OVER (PARTITION BY date_trunc('month', VisitDate) ORDER BY VisitDate, GalleryCode)",
    )
    return Case(
        id="museum-running-visitors-exceed-month",
        now="2026-09-29T06:00:00Z",
        asset="gallery_month_to_date",
        description="Visitors per gallery and day with each gallery's month-to-date running total, for the "
        "curators' footfall board.",
        sql=current,
        checks="""checks for gallery_month_to_date:
  - row_count > 0
  - duplicate_count(GalleryCode, VisitDate) = 0
  - failed rows:
      name: a running total never exceeds its gallery's month
      fail condition: MonthToDateVisitors > MonthVisitors
""",
        history=[(v1, "2026-05-11T08:00:00Z")],
        deployed="2026-09-28T16:05:00Z",
        formats={"visits": "csv"},
        before={"visits": old},
        after={"visits": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=old, b=new)},
        category="config_regression",
        remediation="rollback",
        root_cause="The deploy of 2026-09-28 16:05 took GalleryCode out of the running total's PARTITION BY and "
        "into its ORDER BY, so the month-to-date figure runs across all galleries instead of resetting per "
        "gallery. The visits only gained new days; rolling back to the version of 2026-05-11 restores the output.",
        reference=Reference(kind="rollback"),
    )
