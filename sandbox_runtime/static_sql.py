def validate_sql(sql, allowed_tables):
    return []
