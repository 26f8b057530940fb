"""A real GeoReport v2 client (the ``georeport`` package from PyPI, pinned in the dev extras)
against the live test server: list services, read a definition, post a request, read it back.

georeport 0.3.1 has no method for POST requests, so the submission is made with ``requests``
(the HTTP library georeport itself uses), as a form, the way the spec describes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from georeport import GeoReport

from civicgrid.appeals.models import Appeal, Category
from civicgrid.territory.locator import invalidate_locator

KEY = "live-key-42"


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> Iterator[None]:
    settings.CIVICGRID_OPEN311_API_KEYS = KEY
    invalidate_locator()
    yield
    invalidate_locator()


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_round_trip(
    live_server: Any, transactional_db: Any, territory: Any, output_format: str
) -> None:
    Category.objects.create(code="street-lights", name="路灯")
    root = f"{live_server.url}/open311/v2"
    client = GeoReport(root, api_key=KEY, output_format=output_format)

    services = client.get_service_list()
    if output_format == "xml":  # xmltodict gives one dict for a single <service>
        services = [services]
    assert [(s["service_code"], s["service_name"]) for s in services] == [("street-lights", "路灯")]
    definition = client.get_service_definition("street-lights")
    assert definition["service_code"] == "street-lights"

    response = requests.post(
        f"{root}/requests.{output_format}",
        data={
            "api_key": KEY,
            "service_code": "street-lights",
            "lat": "5",
            "long": "2",
            "description": "紫荆路的路灯不亮",
            "first_name": "四",
            "last_name": "李",
            "phone": "13900139000",
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    number = Appeal.objects.get().number
    assert number in response.text

    request = client.get_service_request(number)
    assert request["service_request_id"] == number
    assert request["status"] == "open"
    assert request["service_code"] == "street-lights"
    assert request["description"] == "紫荆路的路灯不亮"
    listed = client.get_service_requests(service_request_id=number)
    if output_format == "xml":
        listed = [listed]
    assert [r["service_request_id"] for r in listed] == [number]
    assert "13900139000" not in str(listed)
    assert "李四" not in str(listed)

    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_request("440400000000000000")
    assert refused.value.response.status_code == 404
