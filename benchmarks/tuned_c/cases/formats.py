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
