"""Writes of civicgrid.indicators (services: one transaction and one event row each)."""
