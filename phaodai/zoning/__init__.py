"""Measure regimes, criteria tables, classification, proposals, decisions and what is allowed where."""
