"""Web pages of the base registry (一库): one module per part, each with its own urlpatterns."""
