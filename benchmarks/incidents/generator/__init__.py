"""Builders and verification for the incident benchmark set (see generate.py next to this package)."""
