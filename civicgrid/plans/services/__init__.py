"""Writes of civicgrid.plans (services: one transaction and one event row each)."""
