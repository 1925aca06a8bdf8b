SELECT
    CAST(event_time AS DATE) AS day,
    channel,
    country,
    COUNT(*) AS txn_count,
    SUM(amount) AS total_amount
FROM transactions
WHERE status = 'settled'
GROUP BY CAST(event_time AS DATE), channel, country
