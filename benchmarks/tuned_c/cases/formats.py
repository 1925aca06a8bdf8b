"""Format drift: the same values in a new representation (decimal comma, currency text, percent text, Y/N flags,
month names, epoch seconds, units in the value, lost leading zeros, another code standard), and one where the
new representation no longer says what the values mean."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def _grow(a, b):  # noqa: ANN001, ANN202
    return derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=a, b=b)


def claims_peril_month_sum_varchar() -> Case:
    pol = w.policies(400, seed=1601)
    ids = pol["policy_id"].to_pylist()
    old = w.claims(ids, "2026-02-02", 42, 30, seed=1602)
    new = w.claims(ids, "2026-03-16", 6, 30, seed=1603, first_id=old.num_rows + 1)
    # Claims keyed in the new claims-desk system (from 2026-03-16) write the amount with a decimal comma.
    after = derive(
        "SELECT claim_id, policy_id, peril, loss_date, reported_at, "
        "CASE WHEN reported_at >= TIMESTAMP '2026-03-16' THEN replace(printf('%.2f', claim_amount), '.', ',') "
        "ELSE printf('%.2f', claim_amount) END AS claim_amount, status FROM c",
        c=_grow(old, new),
    )
    sql = """SELECT peril, date_trunc('month', loss_date) AS loss_month,
       COUNT(*) AS claims,
       ROUND(SUM(claim_amount), 2) AS claimed,
       ROUND(MAX(claim_amount), 2) AS largest_claim
FROM claims
WHERE status IN ('approved', 'paid')
GROUP BY 1, 2
"""
    ref = sql.replace(
        "FROM claims\n",
        "FROM (SELECT * REPLACE (CAST(replace(claim_amount, ',', '.') AS DOUBLE) AS claim_amount) FROM claims)\n",
    )
    return Case(
        id="claims-peril-month-sum-varchar",
        now="2026-03-22T06:00:00Z",
        asset="peril_monthly_losses",
        description="Approved and paid claims per peril and month of loss: count, total claimed and the largest "
        "single claim, for the loss-ratio model.",
        sql=sql,
        checks="""checks for peril_monthly_losses:
  - row_count > 0
  - duplicate_count(peril, loss_month) = 0
  - invalid_count(claimed) = 0:
      valid min: 0
""",
        formats={"claims": "parquet", "policies": "csv"},
        before={"claims": old, "policies": pol},
        after={"claims": after},
        category="format_drift",
        remediation="code_change",
        root_cause="claim_amount arrives as text: claims keyed in the new claims-desk system since 2026-03-16 write "
        "it with a decimal comma ('1234,56'), older rows with a point. The amounts are the same; the transform must "
        "read both (comma as the decimal separator) as a number.",
        reference=Reference(kind="sql", sql=ref),
    )


def parcel_hub_dwell_date_trunc_bigint() -> Case:
    full = w.parcel_scans("2026-07-06", 7, 180, seed=1611)
    before = derive("SELECT * FROM f WHERE scanned_at < TIMESTAMP '2026-07-12 00:00:00'", f=full)
    # The new scan gateway exports epoch seconds (UTC) instead of ISO timestamps.
    after = derive(
        "SELECT scan_id, parcel_id, depot, scan_type, epoch(scanned_at)::BIGINT AS scanned_at FROM f "
        "WHERE scanned_at < TIMESTAMP '2026-07-13 00:00:00'",
        f=full,
    )
    sql = """WITH per_parcel AS (
    SELECT parcel_id, depot,
           MIN(scanned_at) FILTER (WHERE scan_type = 'pickup') AS picked_up_at,
           MIN(scanned_at) FILTER (WHERE scan_type = 'hub') AS at_hub_at
    FROM parcel_scans
    GROUP BY 1, 2
)
SELECT depot, date_trunc('day', picked_up_at) AS pickup_day, COUNT(*) AS parcels,
       ROUND(AVG(date_diff('minute', picked_up_at, at_hub_at)) / 60.0, 2) AS avg_hours_to_hub
FROM per_parcel
WHERE at_hub_at IS NOT NULL AND picked_up_at IS NOT NULL
GROUP BY 1, 2
"""
    ref = sql.replace(
        "    FROM parcel_scans\n",
        "    FROM (SELECT * REPLACE (make_timestamp(scanned_at * 1000000) AS scanned_at) FROM parcel_scans)\n",
    )
    return Case(
        id="parcel-hub-dwell-date-trunc-bigint",
        now="2026-07-13T05:00:00Z",
        asset="depot_hub_dwell",
        description="Parcels picked up per depot and day and the average hours from pickup to the sorting hub.",
        sql=sql,
        checks="""checks for depot_hub_dwell:
  - row_count > 0
  - missing_count(pickup_day) = 0
  - invalid_count(avg_hours_to_hub) = 0:
      valid min: 0
      valid max: 24
""",
        formats={"parcel_scans": "csv"},
        before={"parcel_scans": before},
        after={"parcel_scans": after},
        category="format_drift",
        remediation="code_change",
        root_cause="The new scan gateway exports scanned_at as Unix epoch seconds (UTC) instead of an ISO timestamp: "
        "1783327200 for 2026-07-06 07:20:00. The moments are the same; the transform must convert the seconds to a "
        "timestamp before truncating and differencing them.",
        reference=Reference(kind="sql", sql=ref),
    )


def returns_refund_band_binder_error() -> Case:
    products = w.product_ids(120, seed=1621)
    old = w.returns(products, "2026-04-06", 21, 50, seed=1622)
    new = w.returns(products, "2026-04-27", 4, 50, seed=1623, first=old.num_rows + 1)
    # The returns service v2 (from 2026-04-27) writes the refund with its currency as a suffix.
    after = derive(
        "SELECT * REPLACE (CASE WHEN returnedAt >= TIMESTAMP '2026-04-27' "
        "THEN printf('%.2f EUR', refundAmount) ELSE printf('%.2f', refundAmount) END AS refundAmount) FROM r",
        r=_grow(old, new),
    )
    sql = """WITH banded AS (
    SELECT returnReason, refundAmount,
           CASE WHEN refundAmount >= 200 THEN 'high'
                WHEN refundAmount >= 50 THEN 'mid'
                ELSE 'low' END AS refundBand
    FROM returns
)
SELECT returnReason, refundBand, COUNT(*) AS returnCount, ROUND(SUM(refundAmount), 2) AS refundTotal
FROM banded
GROUP BY 1, 2
"""
    ref = sql.replace(
        "    FROM returns\n",
        "    FROM (SELECT returnReason, CAST(trim(replace(refundAmount, 'EUR', '')) AS DOUBLE) AS refundAmount\n"
        "          FROM returns)\n",
    )
    return Case(
        id="returns-refund-band-binder-error",
        now="2026-05-01T03:30:00Z",
        asset="refund_bands_by_reason",
        description="Returns and refunds per return reason and refund band (high from 200, mid from 50, low "
        "below), for the customer-care team.",
        sql=sql,
        checks="""checks for refund_bands_by_reason:
  - row_count > 0
  - duplicate_count(returnReason, refundBand) = 0
  - invalid_count(refundBand) = 0:
      valid values: [high, mid, low]
  - invalid_count(refundTotal) = 0:
      valid min: 0
""",
        formats={"returns": "parquet"},
        before={"returns": old},
        after={"returns": after},
        category="format_drift",
        remediation="code_change",
        root_cause="refundAmount arrives as text: returns recorded by the returns service v2 (since 2026-04-27) carry "
        "the currency as a suffix ('48.20 EUR'), older rows are plain numbers. Every refund is in euros; the "
        "transform must strip the suffix and read the number.",
        reference=Reference(kind="sql", sql=ref),
    )


def class_attendance_rate_binder_error() -> Case:
    import pyarrow as pa  # noqa: PLC0415 - only this world builds a summary table by hand

    def rates(start_week: int, weeks: int, seed: int) -> pa.Table:
        return derive(
            f"SELECT 'Y' || (7 + c // 3)::VARCHAR || substr('ABC', c % 3 + 1, 1) AS class_id, "
            f"DATE '2026-01-05' + INTERVAL (d) DAY AS session_date, "
            f"round(0.86 + ((c * 37 + d * 11 + {seed}) % 130) / 1000.0, 3) AS attendance_rate, "
            f"28 AS on_roll "
            f"FROM range(9) t(c), range({start_week * 7}, {(start_week + weeks) * 7}) s(d) "
            f"WHERE dayofweek(DATE '2026-01-05' + INTERVAL (d) DAY) BETWEEN 1 AND 5 ORDER BY session_date, class_id"
        )

    old, new = rates(0, 5, 1631), rates(5, 1, 1632)
    # The new management information system exports the rate as a percentage string.
    after = derive(
        "SELECT class_id, session_date, printf('%.1f%%', attendance_rate * 100) AS attendance_rate, on_roll FROM a",
        a=_grow(old, new),
    )
    sql = """SELECT class_id, date_trunc('week', session_date) AS week_start,
       ROUND(AVG(attendance_rate), 4) AS avg_rate,
       COUNT(*) FILTER (WHERE attendance_rate < 0.9) AS days_below_90,
       CASE WHEN AVG(attendance_rate) >= 0.95 THEN 'excellent'
            WHEN AVG(attendance_rate) >= 0.90 THEN 'expected'
            ELSE 'concern' END AS attendance_band
FROM class_daily_rates
GROUP BY 1, 2
"""
    ref = sql.replace(
        "FROM class_daily_rates\n",
        "FROM (SELECT class_id, session_date,\n"
        "             CAST(rtrim(attendance_rate, '%') AS DOUBLE) / 100 AS attendance_rate\n"
        "      FROM class_daily_rates)\n",
    )
    return Case(
        id="class-attendance-rate-binder-error",
        now="2026-02-14T08:00:00Z",
        asset="class_weekly_attendance",
        description="Average daily attendance rate per class and week, the days under 90%, and a band (excellent "
        "from 95%, expected from 90%, concern below), for heads of year.",
        sql=sql,
        checks="""checks for class_weekly_attendance:
  - row_count > 0
  - duplicate_count(class_id, week_start) = 0
  - invalid_count(avg_rate) = 0:
      valid min: 0
      valid max: 1
""",
        formats={"class_daily_rates": "csv"},
        before={"class_daily_rates": old},
        after={"class_daily_rates": after},
        category="format_drift",
        remediation="code_change",
        root_cause="The new management information system exports attendance_rate as a percentage string ('92.5%') "
        "instead of a fraction (0.925), for every row it re-exported. The rates are the same: the transform must "
        "strip the percent sign and divide by 100.",
        reference=Reference(kind="sql", sql=ref),
    )


def station_member_trips_conversion_error() -> Case:
    st = w.stations(24, seed=1641)
    ids = st["station_id"].to_pylist()
    old = w.trips(ids, "2026-05-11", 10, 500, seed=1642)
    new = w.trips(ids, "2026-05-21", 2, 500, seed=1643, first=old.num_rows + 1)
    # The dock firmware's new exporter writes the membership flag as Y/N, for the whole re-exported file.
    after = derive(
        "SELECT * REPLACE (CASE WHEN is_member THEN 'Y' ELSE 'N' END AS is_member) FROM t", t=_grow(old, new)
    )
    sql = """SELECT s.station_name, s.neighbourhood, CAST(t.started_at AS DATE) AS trip_date,
       COUNT(*) AS trips,
       SUM(CAST(t.is_member AS INTEGER)) AS member_trips,
       ROUND(AVG(date_diff('second', t.started_at, t.ended_at)) / 60.0, 1) AS avg_minutes
FROM trips t
JOIN stations s ON s.station_id = t.start_station
GROUP BY 1, 2, 3
"""
    ref = sql.replace("CAST(t.is_member AS INTEGER)", "CASE WHEN upper(t.is_member) = 'Y' THEN 1 ELSE 0 END")
    return Case(
        id="station-member-trips-conversion-error",
        now="2026-05-23T02:00:00Z",
        asset="station_daily_trips",
        description="Trips started per station and day, how many by members, and the average trip length in "
        "minutes, for the membership team.",
        sql=sql,
        checks="""checks for station_daily_trips:
  - row_count > 0
  - missing_count(member_trips) = 0
  - duplicate_count(station_name, trip_date) = 0
""",
        formats={"trips": "csv", "stations": "csv"},
        before={"trips": old, "stations": st},
        after={"trips": after},
        category="format_drift",
        remediation="code_change",
        root_cause="The docks' new exporter writes is_member as 'Y'/'N' instead of true/false, for the whole file. "
        "The flags mean the same; the transform must count a trip as a member trip when the flag is Y.",
        reference=Reference(kind="sql", sql=ref),
    )


def gallery_weekly_visitors_date_conversion() -> Case:
    kiosk = w.visits("2026-03-02", 28, 220, seed=1651)
    # The web shop's export (since 2026-03-23) writes the visit date as 'Mar 23, 2026'.
    after = derive(
        "SELECT VisitId, GalleryCode, CASE WHEN Channel = 'Web' AND VisitDate >= DATE '2026-03-23' "
        "THEN strftime(VisitDate, '%b %d, %Y') ELSE strftime(VisitDate, '%Y-%m-%d') END AS VisitDate, "
        "EnteredAt, Channel, TicketPrice, PartySize FROM k",
        k=kiosk,
    )
    before = derive("SELECT * FROM k WHERE VisitDate < DATE '2026-03-23'", k=kiosk)
    sql = """SELECT GalleryCode, Channel, date_trunc('week', CAST(VisitDate AS DATE)) AS WeekStart,
       SUM(PartySize) AS Visitors,
       ROUND(SUM(PartySize * TicketPrice), 2) AS TicketRevenue
FROM visits
GROUP BY 1, 2, 3
"""
    ref = sql.replace(
        "CAST(VisitDate AS DATE)",
        "COALESCE(TRY_CAST(VisitDate AS DATE), CAST(strptime(VisitDate, '%b %d, %Y') AS DATE))",
    )
    return Case(
        id="gallery-weekly-visitors-date-conversion",
        now="2026-03-30T06:00:00Z",
        asset="gallery_weekly_visitors",
        description="Visitors and ticket revenue per gallery, sales channel and week, for the visitor-experience team.",
        sql=sql,
        checks="""checks for gallery_weekly_visitors:
  - row_count > 0
  - missing_count(WeekStart) = 0
  - duplicate_count(GalleryCode, Channel, WeekStart) = 0
""",
        formats={"visits": "parquet"},
        before={"visits": derive("SELECT * REPLACE (strftime(VisitDate, '%Y-%m-%d') AS VisitDate) FROM b", b=before)},
        after={"visits": after},
        category="format_drift",
        remediation="code_change",
        root_cause="VisitDate is text; since 2026-03-23 the web shop's rows write it with the month's name "
        "('Mar 23, 2026') instead of ISO (2026-03-23). Kiosk and desk rows are unchanged. The transform must read "
        "both forms as the same dates.",
        reference=Reference(kind="sql", sql=ref),
    )


def freight_region_spend_missing_region() -> Case:
    old = w.invoices("2026-05-04", 30, 40, seed=1661)
    new = w.invoices("2026-06-03", 3, 40, seed=1662, first=old.num_rows + 1)
    codes = w.country_codes()
    regions = derive(
        "SELECT ISO2 AS CTRY_CD, CASE WHEN ISO2 IN ('DE', 'NL', 'FR') THEN 'CORE' WHEN ISO2 IN ('PL', 'CZ') THEN "
        "'EAST' WHEN ISO2 IN ('ES', 'IT') THEN 'SOUTH' ELSE 'NORDIC' END AS TRADE_REGION FROM c ORDER BY 1",
        c=codes,
    )
    # The ERP upgrade re-exported the invoices with ISO 3166 alpha-3 country codes.
    after = derive(
        "SELECT i.* REPLACE (o.ISO3 AS ORIG_CTRY, d.ISO3 AS DEST_CTRY) FROM i "
        "JOIN c o ON o.ISO2 = i.ORIG_CTRY JOIN c d ON d.ISO2 = i.DEST_CTRY ORDER BY i.INV_NO",
        i=_grow(old, new),
        c=codes,
    )
    sql = """SELECT r.TRADE_REGION AS DEST_REGION, date_trunc('week', i.INV_DT) AS WEEK_START,
       COUNT(*) AS SHIPMENTS, ROUND(SUM(i.INV_AMT), 2) AS SPEND, ROUND(SUM(i.WEIGHT_KG) / 1000, 3) AS TONNES
FROM freight_invoices i
LEFT JOIN trade_regions r ON r.CTRY_CD = i.DEST_CTRY
GROUP BY 1, 2
"""
    ref = """SELECT r.TRADE_REGION AS DEST_REGION, date_trunc('week', i.INV_DT) AS WEEK_START,
       COUNT(*) AS SHIPMENTS, ROUND(SUM(i.INV_AMT), 2) AS SPEND, ROUND(SUM(i.WEIGHT_KG) / 1000, 3) AS TONNES
FROM freight_invoices i
LEFT JOIN country_codes m ON m.ISO3 = i.DEST_CTRY
LEFT JOIN trade_regions r ON r.CTRY_CD = m.ISO2
GROUP BY 1, 2
"""
    return Case(
        id="freight-region-spend-missing-region",
        now="2026-06-06T05:15:00Z",
        asset="dest_region_weekly_spend",
        description="Freight spend, shipments and tonnes per destination trade region and week, for the network "
        "planners.",
        sql=sql,
        checks="""checks for dest_region_weekly_spend:
  - row_count > 0
  - missing_count(DEST_REGION) = 0
  - duplicate_count(DEST_REGION, WEEK_START) = 0
""",
        formats={"freight_invoices": "csv", "trade_regions": "csv", "country_codes": "csv"},
        before={"freight_invoices": old, "trade_regions": regions, "country_codes": codes},
        after={"freight_invoices": after},
        category="format_drift",
        remediation="code_change",
        root_cause="After the ERP upgrade the invoices carry ISO 3166 alpha-3 country codes (DEU, FRA) instead of "
        "alpha-2 (DE, FR), for the whole re-exported file; trade_regions is keyed by alpha-2, so no destination "
        "matches. The catalog's country_codes table maps one to the other: the transform must translate DEST_CTRY "
        "through it before looking up the region.",
        reference=Reference(kind="sql", sql=ref),
    )


def store_takeaway_share_column_missing() -> Case:
    st = w.stores(seed=1671)
    ids = st["store_id"].to_pylist()
    old = w.orders(ids, "2026-10-05", 14, 30, seed=1672)
    new = w.orders(ids, "2026-10-19", 2, 30, seed=1673, first=old.num_rows + 1)
    # The POS upgrade replaced the takeaway flag with a numeric service code; no code list came with it.
    after = derive(
        "SELECT order_id, store_id, ordered_at, covers, order_total, "
        "CASE WHEN NOT takeaway THEN 1 WHEN order_id % 3 = 0 THEN 3 ELSE 2 END AS service_cd FROM o",
        o=_grow(old, new),
    )
    sql = """SELECT s.store_name, s.country, CAST(o.ordered_at AS DATE) AS order_date,
       COUNT(*) AS orders, SUM(o.covers) AS covers, ROUND(SUM(o.order_total), 2) AS revenue,
       ROUND(AVG(CASE WHEN o.takeaway THEN 1.0 ELSE 0.0 END), 3) AS takeaway_share
FROM orders o
JOIN stores s ON s.store_id = o.store_id
GROUP BY 1, 2, 3
"""
    reading = "ROUND(AVG(CASE WHEN o.service_cd {} THEN 1.0 ELSE 0.0 END), 3) AS takeaway_share"
    old_expr = "ROUND(AVG(CASE WHEN o.takeaway THEN 1.0 ELSE 0.0 END), 3) AS takeaway_share"
    return Case(
        id="store-takeaway-share-column-missing",
        now="2026-10-21T04:00:00Z",
        asset="store_daily_sales",
        description="Orders, covers, revenue and the share of takeaway orders per restaurant and day, for the "
        "area managers.",
        sql=sql,
        checks="""checks for store_daily_sales:
  - row_count > 0
  - duplicate_count(store_name, order_date) = 0
  - invalid_count(takeaway_share) = 0:
      valid min: 0
      valid max: 1
""",
        formats={"orders": "csv", "stores": "csv"},
        before={"orders": old, "stores": st},
        after={"orders": after},
        category="format_drift",
        remediation="escalate",
        root_cause="The POS upgrade replaced the boolean takeaway with service_cd, a numeric code taking the values "
        "1, 2 and 3, and no code list came with it (nothing in the catalog maps the codes). 1 lines up with the old "
        "dine-in orders, but orders that were takeaway now split between 2 and 3 (perhaps collection and delivery): "
        "whether delivery counts as takeaway is a business decision. A person must decide.",
        reference=Reference(
            kind="escalate",
            readings=[sql.replace(old_expr, reading.format("= 2")), sql.replace(old_expr, reading.format("IN (2, 3)"))],
        ),
    )
