"""CivicGrid (社会治理综合信息平台)."""
