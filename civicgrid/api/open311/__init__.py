"""Open311 GeoReport v2 (开放接口): services from the appeal categories, service requests as
public, non-confidential appeals, and anonymous submission with an API key.

Spec: http://wiki.open311.org/GeoReport_v2 . Mounted at ``/open311/v2/`` (config/urls.py).
"""
