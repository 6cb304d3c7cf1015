"""Structured inputs -> records, deterministically (no model)."""
