"""REST views of CivicGrid, one module per area."""
