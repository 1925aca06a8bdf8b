"""The review page: proposals waiting at the approval gate, approved, rejected or modified in the browser."""
