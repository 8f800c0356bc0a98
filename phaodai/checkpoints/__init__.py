"""Checkpoints, shift rosters, travel permits, health declarations, vehicles and the crossing log."""
