"""Models of civicgrid.indicators."""
