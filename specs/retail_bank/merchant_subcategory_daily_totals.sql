-- agentic-assets generated code: edit the spec's description, not this file
-- asset: merchant_subcategory_daily_totals
-- spec_fingerprint: 22525c8ab37417f8
-- model: builtin
-- prompt_sha256: a4f403ef123ce72dbfdb811cb4469c03f27f63d18fe82d478ef5b4edea506bf2
-- approver: demo-approver
-- frozen_at: 2026-12-03T12:02:21+00:00
-- sql_sha256: a157c117bbb46b738d02df7e1576d870c974519d27bcdaf734965e9f83f06a89
-- sandbox: 765 rows; 5/5 checks passed on merchant_subcategory_daily_totals
SELECT
    CAST(event_time AS DATE) AS day,
    merchant_subcategory,
    SUM(amount) AS total_amount,
    COUNT(*) AS txn_count
FROM transactions
GROUP BY merchant_subcategory, CAST(event_time AS DATE)
