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


def meter_daily_use_out_of_range() -> Case:
    import pyarrow as pa  # noqa: PLC0415 - the meter ids' declared width is the point here

    mtrs = w.meters(60, seed=1431)
    ids = mtrs["mtr_id"].to_pylist()
    reads = w.meter_reads(ids, "2026-08-01T00:00:00", 10, seed=1432)
    # The smart-meter rollout numbers its meters from 3,000,000,001: past the 32-bit range of the old ids.
    ami = derive(
        "SELECT 3000000000 + row_number() OVER (ORDER BY mtr_id) AS mtr_id, zone_cd, 'AMI' AS svc_cls FROM m "
        "WHERE mtr_id % 5 = 0 ORDER BY mtr_id",
        m=mtrs,
    )
    ami_reads = w.meter_reads(ami["mtr_id"].to_pylist(), "2026-08-09T00:00:00", 2, seed=1433, first=10**6)
    new_reads = w.meter_reads(ids, "2026-08-11T00:00:00", 1, seed=1434, first=2 * 10**6)

    def narrow(t: pa.Table) -> pa.Table:
        return t.set_column(t.schema.get_field_index("mtr_id"), "mtr_id", t["mtr_id"].cast(pa.int32()))

    sql = """SELECT CAST(r.mtr_id AS INTEGER) AS mtr_id, m.zone_cd, CAST(r.rdg_ts AS DATE) AS rdg_dt,
       COUNT(*) AS n_rdg, ROUND(SUM(r.cons_l), 1) AS cons_l
FROM mtr_rdg r
JOIN mtr m ON m.mtr_id = r.mtr_id
GROUP BY 1, 2, 3
"""
    checks = """checks for mtr_daily_use:
  - row_count > 0
  - duplicate_count(mtr_id, rdg_dt) = 0
  - schema:
      fail:
        when wrong column type:
          mtr_id: {}
  - invalid_count(cons_l) = 0:
      valid min: 0
"""
    return Case(
        id="meter-daily-use-out-of-range",
        now="2026-08-12T03:00:00Z",
        asset="mtr_daily_use",
        description="Litres used per water meter and day with the meter's zone and number of interval reads, for "
        "billing estimates and leak detection.",
        sql=sql,
        checks=checks.format("integer"),
        formats={"mtr": "parquet", "mtr_rdg": "parquet"},
        before={"mtr": narrow(mtrs), "mtr_rdg": narrow(reads)},
        after={
            "mtr": _grow(mtrs, ami),
            "mtr_rdg": derive(
                "SELECT * FROM a UNION ALL SELECT * FROM b UNION ALL SELECT * FROM c", a=reads, b=ami_reads, c=new_reads
            ),
        },
        category="schema_drift",
        remediation="schema_evolution",
        root_cause="The smart-meter rollout numbers its meters from 3,000,000,001, past the 32-bit integer range: "
        "mtr_id is now a 64-bit integer in both meter tables and the transform's CAST to INTEGER overflows. The "
        "output column mtr_id must widen to BIGINT, and the schema check with it.",
        reference=Reference(
            kind="sql",
            sql=sql.replace("CAST(r.mtr_id AS INTEGER)", "CAST(r.mtr_id AS BIGINT)"),
            checks=checks.format("bigint"),
        ),
    )


def venue_sell_through_missing_names() -> Case:
    evs = w.events(24, "2026-09-01", seed=1441)
    sales = w.ticket_sales(evs["event_id"].to_pylist(), "2026-08-18", 14, 180, seed=1442)
    new_sales = w.ticket_sales(evs["event_id"].to_pylist(), "2026-09-01", 2, 180, seed=1443, first=sales.num_rows + 1)
    # The box-office platform migration gave every venue a new key; the venue register kept the old ones.
    rekeyed = derive(
        "SELECT e.* REPLACE (CASE e.venue_id WHEN 3011 THEN 104 WHEN 3017 THEN 101 WHEN 3023 THEN 106 "
        "WHEN 3029 THEN 102 WHEN 3031 THEN 105 ELSE 103 END AS venue_id) FROM e",
        e=evs,
    )
    sql = """WITH sold AS (
    SELECT event_id, COUNT(*) AS tickets, ROUND(SUM(price), 2) AS gross
    FROM ticket_sales
    GROUP BY event_id
)
SELECT v.venue_name, v.city, e.event_id, e.event_name, e.event_date, s.tickets, s.gross,
       ROUND(s.tickets * 1.0 / e.capacity, 3) AS sell_through
FROM sold s
JOIN events e ON e.event_id = s.event_id
LEFT JOIN venues v ON v.venue_id = e.venue_id
"""
    return Case(
        id="venue-sell-through-missing-names",
        now="2026-09-03T05:00:00Z",
        asset="event_sell_through",
        description="Tickets sold, gross takings and sell-through (tickets over capacity) of every event, with its "
        "venue and city, for the promoters' dashboard.",
        sql=sql,
        checks="""checks for event_sell_through:
  - row_count > 0
  - duplicate_count(event_id) = 0
  - missing_count(venue_name) = 0
  - invalid_count(sell_through) = 0:
      valid min: 0
      valid max: 1
""",
        formats={"ticket_sales": "csv", "events": "csv", "venues": "csv"},
        before={"ticket_sales": sales, "events": evs, "venues": w.venues()},
        after={"ticket_sales": _grow(sales, new_sales), "events": rekeyed},
        category="schema_drift",
        remediation="escalate",
        root_cause="The box-office platform migration re-keyed the venues: events.venue_id now holds new keys "
        "(101-106) while the venue register still uses the old ones (3011-3043), and no mapping between them exists "
        "in the catalog. Matching venues by position or guesswork would attribute events to the wrong halls; a "
        "person must supply the mapping.",
        reference=Reference(kind="escalate"),
    )


def open_claims_worklist_schema_check() -> Case:
    pol = w.policies(300, seed=1451)
    ids = pol["policy_id"].to_pylist()
    old = w.claims(ids, "2026-10-05", 14, 25, seed=1452)
    new = w.claims(ids, "2026-10-19", 2, 25, seed=1453, first_id=old.num_rows + 1)
    # The claims platform now scores every claim for fraud and exports the score as a new column.
    after = derive("SELECT *, round(((claim_id * 7919) % 1000) / 1000.0, 3) AS fraud_score FROM c", c=_grow(old, new))
    sql = """SELECT *
FROM claims
WHERE status = 'open'
"""
    cols = """          claim_id: bigint
          policy_id: bigint
          peril: varchar
          loss_date: date
          reported_at: timestamp
          claim_amount: double
          status: varchar
"""
    checks = """checks for open_claims_worklist:
  - row_count > 0
  - duplicate_count(claim_id) = 0
  - schema:
      fail:
        when mismatching columns:
{}"""
    return Case(
        id="open-claims-worklist-schema-check",
        now="2026-10-21T06:00:00Z",
        asset="open_claims_worklist",
        description="Every open claim with all of the claim's fields as the claims platform records them, for the "
        "claims handlers' worklist.",
        sql=sql,
        checks=checks.format(cols),
        formats={"claims": "csv"},
        before={"claims": old},
        after={"claims": after},
        category="schema_drift",
        remediation="schema_evolution",
        root_cause="The claims platform added a fraud_score column (a double between 0 and 1) to its export. The "
        "worklist carries all of the claim's fields, so its schema evolves with the new column; the schema check, "
        "which lists the columns exactly, must list fraud_score too.",
        reference=Reference(kind="sql", sql=sql, checks=checks.format(cols + "          fraud_score: double\n")),
    )
