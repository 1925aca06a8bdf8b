WITH spend AS (
    SELECT customer_id, SUM(amount) AS settled_spend, COUNT(*) AS txn_count
    FROM transactions
    WHERE status = 'settled'
    GROUP BY customer_id
)
SELECT
    c.customer_id,
    c.country,
    COALESCE(s.settled_spend, 0) AS settled_spend,
    COALESCE(s.txn_count, 0) AS txn_count,
    CASE
        WHEN COALESCE(s.settled_spend, 0) > 5000 THEN 'high'
        WHEN COALESCE(s.settled_spend, 0) > 1000 THEN 'medium'
        ELSE 'low'
    END AS segment
FROM customers AS c
LEFT JOIN spend AS s ON s.customer_id = c.customer_id
