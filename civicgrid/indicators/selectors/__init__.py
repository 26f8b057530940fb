"""Reads of civicgrid.indicators: each selector takes the acting user and applies its scope."""
