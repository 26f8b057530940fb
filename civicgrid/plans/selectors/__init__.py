"""Reads of civicgrid.plans: each selector takes the acting user and applies its scope."""
