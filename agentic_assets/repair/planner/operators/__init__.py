"""Fix operators: each reads typed evidence and returns the findings (candidate repairs) of its one kind."""
