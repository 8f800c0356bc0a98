"""Vehicles at checkpoints: green-lane registrations, transit vehicles matched from entry to exit,
shippers and their hours."""
