-- agentic-assets generated code: edit the spec's description, not this file
-- asset: segment_monthly_summary
-- spec_fingerprint: 6a6a95f27a0671c8
-- model: builtin
-- prompt_sha256: 268229babacfd832638e41e29936d9c8460af2824a746a9a3f057c3221d9f885
-- approver: demo-approver
-- frozen_at: 2026-12-03T12:02:55+00:00
-- sql_sha256: 9a7f9f2bd96d824971df24c8c3ebdae398d289585747420845819555bffc4fba
-- sandbox: 6 rows; 4/4 checks passed on segment_monthly_summary
SELECT
    cs.segment,
    mct.month,
    COUNT(DISTINCT mct.customer_id) AS active_customers,
    SUM(mct.total_amount) AS total_amount
FROM monthly_customer_totals AS mct
JOIN customer_segments AS cs ON cs.customer_id = mct.customer_id
GROUP BY cs.segment, mct.month
