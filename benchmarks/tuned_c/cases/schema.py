"""Schema drift: a source column renamed, dropped, widened, moved to another table, an identifier re-keyed, or
a column added where the output's schema is checked."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def _grow(a, b):  # noqa: ANN001, ANN202
    return derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=a, b=b)


def freight_lane_costs_binder_error() -> Case:
    old = w.invoices("2026-02-02", 40, 35, seed=1401)
    new = w.invoices("2026-03-14", 3, 35, seed=1402, first=old.num_rows + 1)
    car = w.carriers()
    sql = """SELECT c.CARRIER_NM AS CARRIER, i.ORIG_CTRY || '-' || i.DEST_CTRY AS LANE,
       COUNT(*) AS SHIPMENTS, ROUND(SUM(i.INV_AMT), 2) AS SPEND,
       ROUND(AVG(i.INV_AMT / i.WEIGHT_KG * 1000), 2) AS AVG_EUR_PER_T
FROM freight_invoices i
JOIN carriers c ON c.CARRIER_CD = i.CARRIER_CD
WHERE i.ORIG_CTRY <> i.DEST_CTRY
GROUP BY 1, 2
HAVING COUNT(*) >= 3
"""
    return Case(
        id="freight-lane-costs-binder-error",
        now="2026-03-17T05:00:00Z",
        asset="carrier_lane_costs",
        description="Cross-border freight lanes (origin-destination country) with at least three shipments per "
        "carrier: shipments, spend and average cost per tonne, for tender preparation.",
        sql=sql,
        checks="""checks for carrier_lane_costs:
  - row_count > 0
  - missing_count(CARRIER) = 0
  - duplicate_count(CARRIER, LANE) = 0
""",
        formats={"freight_invoices": "csv", "carriers": "csv"},
        before={"freight_invoices": old, "carriers": car},
        after={
            "freight_invoices": _grow(old, new),
            "carriers": derive("SELECT CARRIER_CD, CARRIER_NM AS CARRIER_NAME, MODE FROM c", c=car),
        },
        category="schema_drift",
        remediation="code_change",
        root_cause="The carrier master data export renamed CARRIER_NM to CARRIER_NAME; codes, names and modes are "
        "unchanged. The transform must read CARRIER_NAME and keep the output column CARRIER.",
        reference=Reference(kind="sql", sql=sql.replace("c.CARRIER_NM", "c.CARRIER_NAME")),
    )


def attendance_punctuality_column_missing() -> Case:
    old = w.attendance(9, 26, "2026-01-12", 15, seed=1411)
    new = w.attendance(9, 26, "2026-02-02", 5, seed=1412, first=old.num_rows + 1)
    sql = """WITH weekly AS (
    SELECT class_id, date_trunc('week', session_date) AS week_start,
           COUNT(*) FILTER (WHERE status <> 'absent') AS attended,
           COUNT(*) FILTER (WHERE minutes_late > 0) AS late_arrivals,
           AVG(minutes_late) FILTER (WHERE minutes_late > 0) AS avg_minutes_late
    FROM attendance
    GROUP BY 1, 2
)
SELECT class_id, week_start, attended, late_arrivals,
       ROUND(COALESCE(avg_minutes_late, 0), 1) AS avg_minutes_late,
       CASE WHEN late_arrivals * 1.0 / attended < 0.05 THEN 'good'
            WHEN late_arrivals * 1.0 / attended < 0.10 THEN 'watch'
            ELSE 'concern' END AS punctuality
FROM weekly
"""
    ref = sql.replace(
        "    FROM attendance\n",
        "    FROM (SELECT *, date_diff('minute', session_start, arrived_at) AS minutes_late FROM attendance)\n",
    )
    return Case(
        id="attendance-punctuality-column-missing",
        now="2026-02-07T07:00:00Z",
        asset="class_weekly_punctuality",
        description="Per class and school week: pupils attending, late arrivals, the average minutes late of those "
        "who were late, and a punctuality band (good under 5% late, watch under 10%, concern above).",
        sql=sql,
        checks="""checks for class_weekly_punctuality:
  - row_count > 0
  - duplicate_count(class_id, week_start) = 0
  - invalid_count(punctuality) = 0:
      valid values: [good, watch, concern]
  - invalid_count(avg_minutes_late) = 0:
      valid min: 0
      valid max: 60
""",
        formats={"attendance": "csv"},
        before={"attendance": old},
        after={"attendance": derive("SELECT * EXCLUDE (minutes_late) FROM a", a=_grow(old, new))},
        category="schema_drift",
        remediation="code_change",
        root_cause="The registration system dropped the minutes_late column from its export. It was derived: "
        "session_start and arrived_at are still there, and the minutes between them give the same value for every "
        "pupil who attended. The transform must compute minutes_late from those two columns.",
        reference=Reference(kind="sql", sql=ref),
    )


def returns_category_refunds_binder_error() -> Case:
    products = w.product_ids(90, seed=1421)
    old = w.returns(products, "2026-05-04", 21, 60, seed=1422)
    new = w.returns(products, "2026-05-25", 7, 60, seed=1423, first=old.num_rows + 1)
    catalog = derive(
        "SELECT productId, any_value(productCategory) AS productCategory, "
        "'brand-' || right(productId, 2) AS brandCode FROM r GROUP BY productId ORDER BY productId",
        r=_grow(old, new),
    )
    sql = """SELECT productCategory, date_trunc('week', returnedAt) AS weekStart,
       COUNT(*) AS returnCount, ROUND(SUM(refundAmount), 2) AS refundTotal,
       COUNT(DISTINCT customerId) AS customers
FROM returns
GROUP BY 1, 2
"""
    ref = """SELECT p.productCategory, date_trunc('week', r.returnedAt) AS weekStart,
       COUNT(*) AS returnCount, ROUND(SUM(r.refundAmount), 2) AS refundTotal,
       COUNT(DISTINCT r.customerId) AS customers
FROM returns r
JOIN products p ON p.productId = r.productId
GROUP BY 1, 2
"""
    return Case(
        id="returns-category-refunds-binder-error",
        now="2026-06-01T04:45:00Z",
        asset="weekly_category_refunds",
        description="Returns, refunds and distinct returning customers per product category and week, for the "
        "merchandising team.",
        sql=sql,
        checks="""checks for weekly_category_refunds:
  - row_count > 0
  - missing_count(productCategory) = 0
  - duplicate_count(productCategory, weekStart) = 0
""",
        formats={"returns": "csv", "products": "csv"},
        before={"returns": old},
        after={"returns": derive("SELECT * EXCLUDE (productCategory) FROM r", r=_grow(old, new)), "products": catalog},
        category="schema_drift",
        remediation="code_change",
        root_cause="The returns service stopped denormalising the product category: productCategory left the "
        "returns table and now lives in the new products table, keyed by productId (every returned product is in "
        "it). The transform must join products for the category.",
        reference=Reference(kind="sql", sql=ref),
    )
