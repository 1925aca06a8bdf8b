SELECT
    s.segment,
    m.month,
    COUNT(DISTINCT m.customer_id) AS active_customers,
    SUM(m.total_amount) AS total_amount
FROM monthly_customer_totals AS m
JOIN customer_segments AS s ON s.customer_id = m.customer_id
GROUP BY s.segment, m.month
