"""Bandmate test suite."""
