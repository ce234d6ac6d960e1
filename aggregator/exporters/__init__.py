"""Exporters: feeds for readers (RSS, Atom) and data for analysts."""
