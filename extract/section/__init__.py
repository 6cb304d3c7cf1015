"""Sectioning: find the parts of a text deterministically (criteria lists, page sections)."""
