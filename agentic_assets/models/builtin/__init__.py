"""The built-in, offline model: deterministic planners behind pydantic-ai's `FunctionModel`.

Building blocks (text handling, schema matching, words-to-SQL planning, conversation reading) are
importable on their own so that every agent's built-in driver can reuse them.
"""
