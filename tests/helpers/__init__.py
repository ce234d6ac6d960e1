"""Helpers shared by the tests (imported, never conftest magic)."""
