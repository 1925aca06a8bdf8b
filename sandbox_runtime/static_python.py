def validate_python(source):
    return []
