"""The third incident generator: worlds per domain, drifts written as DuckDB statements, verified by the harness."""
