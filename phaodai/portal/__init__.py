"""Public pages and API: what is allowed here and now, criteria tables, decisions, the map."""
