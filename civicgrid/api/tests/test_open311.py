"""Open311 GeoReport v2 over plain HTTP (Django test client): both formats, the spec's error
lists, filters, submission with an API key and rate limit, and no personal data in public GETs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from civicgrid.accounts.models import Role, User
from civicgrid.appeals import services
from civicgrid.appeals.models import Appeal, Category
from civicgrid.territory.locator import invalidate_locator

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
KEY = "test-key-0123456789"


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> Iterator[None]:
    settings.CIVICGRID_OPEN311_API_KEYS = [KEY, "second-key"]
    settings.CIVICGRID_OPEN311_POST_LIMIT = 20
    invalidate_locator()
    with translation.override("en"):
        yield
    invalidate_locator()


@pytest.fixture
def client() -> Client:
    """Answers in English (the default language is Simplified Chinese). The language cookie,
    because civicgrid.web's ChineseFirstMiddleware drops Accept-Language outside /api/."""
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return english


@pytest.fixture
def categories(db: Any) -> dict[str, Category]:
    city = Category.objects.create(code="city-management", name="城市管理")
    return {
        "city": city,
        "stalls": Category.objects.create(code="street-stalls", name="占道经营", parent=city),
        "lights": Category.objects.create(code="street-lights", name="路灯"),
        "old": Category.objects.create(code="old-category", name="旧分类", is_active=False),
    }


@pytest.fixture
def operator(territory: Any, make_user: Callable[..., User]) -> User:
    return make_user(Role.HOTLINE_OPERATOR, scope_unit=territory.city, username="op")


@pytest.fixture
def accept(operator: User, categories: dict[str, Category]) -> Callable[..., Appeal]:
    def make(**overrides: Any) -> Appeal:
        values: dict[str, Any] = {
            "actor": operator,
            "channel": "hotline",
            "appeal_type": "complaint",
            "category": categories["stalls"],
            "title": "小区门口占道经营",
            "text": "我是张三丰，电话13800138000，小区门口有商贩占道经营。",
            "lon": 2,
            "lat": 5,
            "address": "紫荆路1号",
            "citizen_name": "张三丰",
            "citizen_phone": "13800138000",
        }
        values.update(overrides)
        return services.appeal_accept(**values)[0]

    return make


def xml_of(response: Any) -> ElementTree.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own answer, in a test


def json_of(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def assert_spec_error(response: Any, status: int, fmt: str = "json") -> str:
    """The spec's error list with one error; returns its description."""
    assert response.status_code == status, response.content
    if fmt == "json":
        body = json_of(response)
        assert isinstance(body, list)
        assert len(body) == 1
        assert set(body[0]) == {"code", "description"}
        assert body[0]["code"] == status
        return str(body[0]["description"])
    root = xml_of(response)
    assert root.tag == "errors"
    (error,) = list(root)
    assert error.tag == "error"
    assert [child.tag for child in error] == ["code", "description"]
    assert error.findtext("code") == str(status)
    return error.findtext("description") or ""


# ---------------------------------------------------------------- discovery and services


def test_discovery_in_both_formats(client: Client, categories: Any) -> None:
    body = json_of(client.get(f"{BASE}/discovery.json"))
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml_of(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/type") == "production"


def test_services_are_the_active_categories(client: Client, categories: Any) -> None:
    body = json_of(client.get(f"{BASE}/services.json"))
    assert body == [
        {
            "service_code": "city-management",
            "service_name": "城市管理",
            "description": "城市管理",
            "metadata": False,
            "type": "realtime",
            "keywords": "城市管理",
            "group": "",
        },
        {
            "service_code": "street-lights",
            "service_name": "路灯",
            "description": "路灯",
            "metadata": False,
            "type": "realtime",
            "keywords": "路灯",
            "group": "",
        },
        {
            "service_code": "street-stalls",
            "service_name": "占道经营",
            "description": "城市管理 › 占道经营",
            "metadata": False,
            "type": "realtime",
            "keywords": "占道经营, 城市管理",
            "group": "城市管理",
        },
    ]
    root = xml_of(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services_xml = root.findall("service")
    assert [s.findtext("service_code") for s in services_xml] == [
        "city-management",
        "street-lights",
        "street-stalls",
    ]
    assert services_xml[2].findtext("group") == "城市管理"
    assert services_xml[2].findtext("metadata") == "false"


def test_service_definition_and_unknown_service(client: Client, categories: Any) -> None:
    assert json_of(client.get(f"{BASE}/services/street-lights.json")) == {
        "service_code": "street-lights",
        "attributes": [],
    }
    root = xml_of(client.get(f"{BASE}/services/street-lights.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "street-lights"
    description = assert_spec_error(client.get(f"{BASE}/services/old-category.json"), 404)
    assert description == "Unknown service_code old-category."
    assert_spec_error(client.get(f"{BASE}/services/nope.xml"), 404, "xml")


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("/nothing.json", "json"), ("/services.csv", "xml"), ("/requests/a/b.xml", "xml")],
)
def test_unknown_addresses_are_spec_404s(client: Client, path: str, fmt: str) -> None:
    assert_spec_error(client.get(BASE + path), 404, fmt)


def test_wrong_method_is_405(client: Client, categories: Any) -> None:
    response = client.delete(f"{BASE}/requests.json")
    assert_spec_error(response, 405)
    assert response["Allow"] == "GET, POST"
    assert_spec_error(client.post(f"{BASE}/services.xml"), 405, "xml")


# ---------------------------------------------------------------- POST requests


def submit(
    client: Client, fmt: str = "json", remote_addr: str = "127.0.0.1", **overrides: Any
) -> Any:
    data = {
        "api_key": KEY,
        "service_code": "street-lights",
        "lat": "5",
        "long": "2",
        "address_string": "紫荆路8号",
        "description": "紫荆路的路灯坏了一周，晚上很黑。",
        "first_name": "四",
        "last_name": "李",
        "phone": "13900139000",
        "email": "lisi@example.com",
        "device_id": "device-1",
        "account_id": "acct-7",
    }
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"{BASE}/requests.{fmt}", data, REMOTE_ADDR=remote_addr)


def test_post_registers_an_open311_appeal(client: Client, territory: Any, categories: Any) -> None:
    response = submit(client)
    assert response.status_code == 200, response.content
    (answer,) = json_of(response)
    appeal = Appeal.objects.get()
    assert answer["service_request_id"] == appeal.number
    assert answer["account_id"] == "acct-7"
    assert appeal.number in answer["service_notice"]
    assert (appeal.channel, appeal.appeal_type, appeal.category) == (
        "open311",
        "help",
        categories["lights"],
    )
    assert appeal.title == "路灯：紫荆路的路灯坏了一周，晚上很黑。"
    assert appeal.text == "紫荆路的路灯坏了一周，晚上很黑。"
    assert (appeal.citizen_name, appeal.citizen_phone) == ("李四", "13900139000")
    assert (appeal.lon, appeal.lat, appeal.address) == (2.0, 5.0, "紫荆路8号")
    assert appeal.admin_unit_code == "440402001001001"
    assert appeal.created_by is None


def test_post_in_xml_with_an_address_only_and_a_photo(
    client: Client, territory: Any, categories: Any
) -> None:
    response = submit(
        client, "xml", lat=None, long=None, media_url="https://example.org/p.jpg", account_id=None
    )
    root = xml_of(response)
    assert root.tag == "service_requests"
    appeal = Appeal.objects.get()
    assert root.findtext("request/service_request_id") == appeal.number
    assert root.findtext("request/account_id") == ""
    assert appeal.lon is None
    assert appeal.admin_unit_code == "4404"
    assert appeal.text.endswith("Photo: https://example.org/p.jpg")


@pytest.mark.parametrize(
    ("overrides", "status", "description"),
    [
        ({"api_key": None}, 403, "api_key is missing or not valid."),
        ({"api_key": "wrong"}, 403, "api_key is missing or not valid."),
        ({"service_code": None}, 400, "service_code is required."),
        ({"service_code": "old-category"}, 400, "Unknown service_code old-category."),
        (
            {"lat": None, "long": None, "address_string": None},
            400,
            "Give the place: lat and long, or address_string.",
        ),
        ({"lat": "north"}, 400, "lat and long must both be numbers."),
        ({"long": "30"}, 400, "lat/long: location: "),
        ({"phone": "12"}, 400, "phone: "),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url is not a valid web address."),
        ({"description": "长" * 5001}, 400, "description: The text may have at most 5000"),
    ],
)
def test_post_refusals_follow_the_spec_and_create_nothing(
    client: Client,
    territory: Any,
    categories: Any,
    overrides: dict[str, Any],
    status: int,
    description: str,
) -> None:
    text = assert_spec_error(submit(client, **overrides), status)
    assert text.startswith(description)
    assert Appeal.objects.count() == 0


def test_post_is_rate_limited_per_address(
    client: Client, territory: Any, categories: Any, settings: Any
) -> None:
    settings.CIVICGRID_OPEN311_POST_LIMIT = 2
    assert submit(client).status_code == 200
    assert submit(client, api_key="wrong").status_code == 403
    assert_spec_error(submit(client), 429)
    assert submit(client, remote_addr="10.0.0.9").status_code == 200
    assert Appeal.objects.count() == 2


def test_api_keys_fall_back_to_the_environment(
    client: Client, territory: Any, categories: Any, settings: Any, monkeypatch: Any
) -> None:
    del settings.CIVICGRID_OPEN311_API_KEYS
    monkeypatch.setenv("CIVICGRID_OPEN311_API_KEYS", " env-key-1 , env-key-2 ")
    assert submit(client, api_key="env-key-2").status_code == 200
    assert submit(client).status_code == 403


# ---------------------------------------------------------------- GET requests


def test_request_detail_has_the_spec_fields_and_no_personal_data(
    client: Client, accept: Callable[..., Appeal], territory: Any, operator: User
) -> None:
    appeal = accept()
    dispatcher = User.objects.create_user(
        username="disp", password="x", role=Role.DISPATCHER, scope_unit=territory.city
    )
    services.appeal_dispatch(
        actor=dispatcher, appeal=appeal, expected_version=1, department=territory.xz_government
    )
    appeal.refresh_from_db()
    response = client.get(f"{BASE}/requests/{appeal.number}.json")
    (body,) = json_of(response)
    assert body["service_request_id"] == appeal.number
    assert body["status"] == "open"
    assert body["status_notes"] == "dispatched"
    assert (body["service_code"], body["service_name"]) == ("street-stalls", "占道经营")
    assert body["agency_responsible"] == "珠海市香洲区人民政府"
    assert body["description"] == "我是***，电话***********，小区门口有商贩占道经营。"
    assert body["address"] == "紫荆路1号"
    assert (body["lat"], body["long"]) == (5.0, 2.0)
    expected = timezone.make_aware(
        dt.datetime.combine(appeal.handling_deadline, dt.time(23, 59, 59))
    )
    assert dt.datetime.fromisoformat(body["expected_datetime"]) == expected
    assert dt.datetime.fromisoformat(body["requested_datetime"]) == appeal.created_at.replace(
        microsecond=0
    )
    assert body["requested_datetime"].endswith("+08:00")
    for fmt in ("json", "xml"):
        content = client.get(f"{BASE}/requests/{appeal.number}.{fmt}").content.decode()
        assert "张三丰" not in content
        assert "13800138000" not in content
        assert "citizen" not in content
    root = xml_of(client.get(f"{BASE}/requests/{appeal.number}.xml"))
    assert root.findtext("request/agency_responsible") == "珠海市香洲区人民政府"
    assert root.findtext("request/status") == "open"


def test_confidential_and_cancelled_appeals_are_hidden(
    client: Client, accept: Callable[..., Appeal], territory: Any
) -> None:
    public = accept()
    confidential = accept(is_confidential=True)
    cancelled = accept()
    Appeal.objects.filter(pk=cancelled.pk).update(status="cancelled")
    listed = [r["service_request_id"] for r in json_of(client.get(f"{BASE}/requests.json"))]
    assert listed == [public.number]
    for hidden in (confidential, cancelled):
        assert_spec_error(client.get(f"{BASE}/requests/{hidden.number}.json"), 404)
        assert_spec_error(client.get(f"{BASE}/requests/{hidden.number}.xml"), 404, "xml")
        ids = f"{public.number},{hidden.number}"
        rows = json_of(client.get(f"{BASE}/requests.json?service_request_id={ids}"))
        assert [r["service_request_id"] for r in rows] == [public.number]


def test_request_filters(client: Client, accept: Callable[..., Appeal], categories: Any) -> None:
    stalls = accept()
    lights = accept(category=categories["lights"])
    closed = accept(category=categories["lights"])
    Appeal.objects.filter(pk=closed.pk).update(status="closed")
    old = accept()
    Appeal.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=100))

    def ids(query: str) -> list[str]:
        response = client.get(f"{BASE}/requests.json?{query}")
        assert response.status_code == 200, response.content
        return [row["service_request_id"] for row in json_of(response)]

    assert ids("") == [closed.number, lights.number, stalls.number]
    assert ids("service_code=street-lights") == [closed.number, lights.number]
    assert ids("service_code=street-lights,street-stalls&status=open") == [
        lights.number,
        stalls.number,
    ]
    assert ids("status=closed") == [closed.number]
    assert ids("status=open,closed") == [closed.number, lights.number, stalls.number]
    # service_request_id overrides every other filter, the 90-day window included
    assert ids(f"service_request_id={old.number},{stalls.number}&status=closed") == [
        stalls.number,
        old.number,
    ]
    now = timezone.localtime()
    start = (now - dt.timedelta(days=120)).date().isoformat()
    end = (now - dt.timedelta(days=60)).date().isoformat()
    assert ids(f"start_date={start}T00:00:00%2B08:00&end_date={end}T00:00:00%2B08:00") == [
        old.number
    ]
    assert ids(f"end_date={end}") == [old.number]
    future = (now + dt.timedelta(days=1)).isoformat()
    assert ids(f"start_date={future.replace('+', '%2B')}") == []


@pytest.mark.parametrize(
    ("query", "description"),
    [
        ("status=pending", "status must be open or closed."),
        ("start_date=yesterday", "start_date is not a date and time"),
        ("end_date=2026-13-40", "end_date is not a date and time"),
        ("start_date=2026-01-01&end_date=2026-06-01", "start_date and end_date may not be more"),
        ("start_date=2026-06-01&end_date=2026-05-01", "end_date is before start_date."),
    ],
)
def test_bad_request_filters_are_spec_400s(
    client: Client, categories: Any, query: str, description: str
) -> None:
    assert assert_spec_error(client.get(f"{BASE}/requests.json?{query}"), 400).startswith(
        description
    )
    assert_spec_error(client.get(f"{BASE}/requests.xml?{query}"), 400, "xml")


def test_requests_list_in_xml_is_well_formed(client: Client, accept: Callable[..., Appeal]) -> None:
    first, second = accept(), accept(lon=None, lat=None, address="")
    root = xml_of(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert [r.findtext("service_request_id") for r in requests] == [second.number, first.number]
    assert requests[0].findtext("lat") == ""
    assert requests[1].findtext("long") == "2.0"
    assert "13800138000" not in ElementTree.tostring(root, encoding="unicode")


def test_list_query_count_does_not_grow(
    client: Client, accept: Callable[..., Appeal], django_assert_num_queries: Any
) -> None:
    accept()
    with django_assert_num_queries(1):
        client.get(f"{BASE}/requests.json")
    accept()
    accept()
    with django_assert_num_queries(1):
        assert len(json_of(client.get(f"{BASE}/requests.json"))) == 3


def test_token_returns_the_request_id(client: Client, territory: Any, categories: Any) -> None:
    (answer,) = json_of(submit(client))
    number = answer["service_request_id"]
    assert json_of(client.get(f"{BASE}/tokens/{number}.json")) == [
        {"service_request_id": number, "token": number}
    ]
    assert xml_of(client.get(f"{BASE}/tokens/{number}.xml")).findtext("request/token") == number
    assert_spec_error(client.get(f"{BASE}/tokens/unknown.json"), 404)


@pytest.mark.parametrize(
    "overrides",
    [
        {"lat": "nan", "long": "2"},
        {"lat": "5", "long": "inf"},
        {"description": "路灯\x00坏了"},
        {"first_name": "\x00" * 100},
        {"address_string": "地" * 1000, "lat": None, "long": None},
        {"account_id": "a" * 1000},
    ],
)
def test_odd_submissions_never_crash(
    client: Client, territory: Any, categories: Any, overrides: dict[str, Any]
) -> None:
    response = submit(client, **overrides)
    assert response.status_code in {200, 400}, response.content
    if response.status_code == 400:
        assert_spec_error(response, 400)
        assert Appeal.objects.count() == 0
    else:
        appeal = Appeal.objects.get()
        assert "\x00" not in appeal.text + appeal.title + appeal.citizen_name


@pytest.mark.parametrize(
    "query",
    [
        "start_date=2026-01-01T25:00:00",
        "end_date=%00",
        "service_request_id=" + ",".join(["x"] * 201),
        "service_code=" + "a" * 5000,
    ],
)
def test_odd_queries_never_crash(client: Client, query: str) -> None:
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code in {200, 400}, response.content
    if response.status_code == 400:
        assert_spec_error(response, 400)
