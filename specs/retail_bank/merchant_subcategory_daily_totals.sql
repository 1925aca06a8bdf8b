SELECT
    merchant_subcategory,
    CAST(event_time AS DATE) AS day,
    SUM(amount) AS total_amount,
    COUNT(*) AS txn_count
FROM transactions
GROUP BY merchant_subcategory, CAST(event_time AS DATE)
