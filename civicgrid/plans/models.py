"""Models of civicgrid.plans."""
