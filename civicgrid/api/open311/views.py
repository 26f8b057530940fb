"""Open311 GeoReport v2 endpoints (plain Django views: the formats and errors are the spec's,
not the REST API's).

* GETs are public and show only non-confidential, non-cancelled appeals, with no personal data:
  no names, phones or e-mail; phone-like digit runs and the citizen's name in the description
  are masked.
* POST ``requests`` needs an API key (``CIVICGRID_OPEN311_API_KEYS``) and is rate-limited per
  client address; it registers the appeal at once (channel ``open311``), so the answer carries
  the ``service_request_id`` (the appeal number) and tokens are only kept for old clients.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicgrid.appeals import services
from civicgrid.appeals.models import (
    OPEN_STATUSES,
    Appeal,
    AppealStatus,
    AppealType,
    Category,
    Channel,
)
from civicgrid.appeals.selectors import appeals_public
from civicgrid.core.errors import DomainError
from civicgrid.core.masking import MASK

from .formats import error_response, render

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_RESULTS = 1000
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_IDS = 200
POST_LIMIT_DEFAULT = 20  # POSTs per client address and window
POST_WINDOW_SECONDS = 3600
TITLE_MAX = services.TITLE_MAX
OPEN311_APPEAL_TYPE = AppealType.HELP  # 求助: an Open311 report asks the city to act
DIGIT_RUN = re.compile(r"\d{7,}[Xx]?")
# Open311 "open": no reply has reached the citizen yet (a reply under review counts as open).
OPEN311_OPEN_STATUSES = OPEN_STATUSES | {AppealStatus.REVIEWING}
# appeal_accept's field names → the Open311 parameter the client sent
PARAMETER_OF_FIELD = {
    "location": "lat/long",
    "citizen_phone": "phone",
    "text": "description",
    "title": "description",
    "category": "service_code",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: Any) -> None:
        super().__init__(str(description))
        self.status = status
        self.description = description


# ---------------------------------------------------------------- settings


def api_keys() -> frozenset[str]:
    """Accepted API keys: ``settings.CIVICGRID_OPEN311_API_KEYS`` (a list or a comma list),
    else the environment variable of the same name."""
    configured: Any = getattr(settings, "CIVICGRID_OPEN311_API_KEYS", None)
    if configured is None:
        configured = os.environ.get("CIVICGRID_OPEN311_API_KEYS", "")
    if isinstance(configured, str):
        configured = configured.split(",")
    return frozenset(str(key).strip() for key in configured if str(key).strip())


def post_limit() -> int:
    return int(getattr(settings, "CIVICGRID_OPEN311_POST_LIMIT", POST_LIMIT_DEFAULT))


def key_is_valid(key: str) -> bool:
    return any(hmac.compare_digest(key.encode(), known.encode()) for known in api_keys())


def client_ip(request: HttpRequest) -> str:
    forwarded = ""
    if getattr(settings, "CIVICGRID_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() if forwarded else "") or str(
        request.META.get("REMOTE_ADDR", "")
    )


def count_post(request: HttpRequest) -> bool:
    """Count one POST for the client address; False when it is over the limit."""
    key = f"civicgrid:open311-post:{client_ip(request)}"
    if cache.add(key, 1, timeout=POST_WINDOW_SECONDS):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=POST_WINDOW_SECONDS)
            count = 1
    return count <= post_limit()


# ---------------------------------------------------------------- data


def w3c(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def end_of_day(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def public_text(appeal: Appeal) -> str:
    """The appeal's text without the citizen's name, phone or other long digit runs."""
    text = appeal.text
    for private in (appeal.citizen_name.strip(), appeal.citizen_phone.strip()):
        if len(private) >= 2:
            text = text.replace(private, MASK * len(private))
    return DIGIT_RUN.sub(lambda match: MASK * len(match.group()), text)


def service_of(category: Category) -> dict[str, Any]:
    group = category.parent.name if category.parent is not None else ""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{group} › {category.name}" if group else category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(name for name in (category.name, group) if name),
        "group": group,
    }


def request_of(appeal: Appeal) -> dict[str, Any]:
    category = appeal.category
    # A merged request (合并) is closed as a duplicate; its notes name the request it is
    # handled with, and the agency and expected date are that request's.
    handler = appeal.merged_into if appeal.merged_into_id else appeal
    assert handler is not None
    notes = str(appeal.get_status_display())
    if handler is not appeal:
        notes = _("Merged into %(number)s and handled together with it (now: %(status)s).") % {
            "number": handler.number,
            "status": handler.get_status_display(),
        }
    return {
        "service_request_id": appeal.number,
        "status": "open" if appeal.status in OPEN311_OPEN_STATUSES else "closed",
        "status_notes": notes,
        "service_name": category.name if category else "",
        "service_code": category.code if category else "",
        "description": public_text(appeal),
        "agency_responsible": handler.lead_department.name if handler.lead_department else "",
        "service_notice": "",
        "requested_datetime": w3c(appeal.created_at),
        "updated_datetime": w3c(appeal.updated_at),
        "expected_datetime": w3c(end_of_day(handler.handling_deadline)),
        "address": appeal.address,
        "address_id": "",
        "zipcode": "",
        "lat": appeal.lat,
        "long": appeal.lon,
        "media_url": "",
    }


# ---------------------------------------------------------------- plumbing


def open311_view(*methods: str) -> Callable[..., Callable[..., HttpResponse]]:
    """Allow ``methods``; turn Open311Error into the spec's error list in the asked format."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error_response(405, _("Method not allowed."), fmt)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as error:
                return error_response(error.status, error.description, fmt)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other address under /open311/v2/: the spec's 404 in XML (the required format)."""
    fmt = "json" if path.endswith(".json") else "xml"
    return error_response(404, _("Not found."), fmt)


def param(values: Any, name: str) -> str:
    """A form or query parameter, stripped, without NUL characters (PostgreSQL refuses them)."""
    return str(values.get(name, "")).replace("\x00", "").strip()


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _datetime_param(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = param(request.GET, name)
    if not raw:
        return None
    try:
        parsed = parse_datetime(raw)
        if parsed is None:
            day = parse_date(raw)
            parsed = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s is not a date and time such as 2026-11-01T00:00:00+08:00.")
            % {"name": name},
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


# ---------------------------------------------------------------- endpoints


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service discovery: where the GeoReport v2 endpoint is and which formats it speaks."""
    changed = Category.objects.aggregate(last=Max("updated_at"))["last"]
    changeset = w3c(changed) or w3c(timezone.now())
    data = {
        "changeset": changeset,
        "contact": str(getattr(settings, "CIVICGRID_OPEN311_CONTACT", "12345")),
        "key_service": _("Ask the city's 12345 hotline office for an API key."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2/"),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, "discovery", None)


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service types (the active appeal categories)."""
    categories = Category.objects.filter(is_active=True).select_related("parent").order_by("code")
    return render([service_of(category) for category in categories], fmt, "services", "service")


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """A service's definition; no extra attributes are asked for (``metadata`` is false)."""
    if not Category.objects.filter(code=code, is_active=True).exists():
        raise Open311Error(404, _("Unknown service_code %(code)s.") % {"code": code})
    data = {"service_code": code, "attributes": []}
    return render(data, fmt, "service_definition", None)


@open311_view("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: public service requests with the spec's filters. POST: report a new one."""
    if request.method == "POST":
        return _create_request(request, fmt)
    return render(_filtered_requests(request), fmt, "service_requests", "request")


def _filtered_requests(request: HttpRequest) -> list[dict[str, Any]]:
    appeals = appeals_public()
    ids = _comma_list(param(request.GET, "service_request_id"))
    if ids:  # the spec: service_request_id overrides every other parameter
        if len(ids) > MAX_IDS:
            raise Open311Error(
                400,
                _("Ask for at most %(max)s service_request_id values at once.") % {"max": MAX_IDS},
            )
        return [request_of(appeal) for appeal in appeals.filter(number__in=ids)[:MAX_RESULTS]]
    codes = _comma_list(param(request.GET, "service_code"))
    if codes:
        appeals = appeals.filter(category__code__in=codes)
    statuses = _comma_list(param(request.GET, "status"))
    if any(status not in {"open", "closed"} for status in statuses):
        raise Open311Error(400, _("status must be open or closed."))
    if set(statuses) == {"open"}:
        appeals = appeals.filter(status__in=OPEN311_OPEN_STATUSES)
    elif set(statuses) == {"closed"}:
        appeals = appeals.exclude(status__in=OPEN311_OPEN_STATUSES)
    start = _datetime_param(request, "start_date")
    end = _datetime_param(request, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - DEFAULT_WINDOW
    if end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > DEFAULT_WINDOW:
        raise Open311Error(400, _("start_date and end_date may not be more than 90 days apart."))
    appeals = appeals.filter(created_at__gte=start, created_at__lte=end)
    return [request_of(appeal) for appeal in appeals.order_by("-created_at", "-id")[:MAX_RESULTS]]


def _title(service_name: str, description: str) -> str:
    title = f"{service_name}：{' '.join(description.split())}"
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    if not count_post(request):
        raise Open311Error(429, _("Too many requests from your address; try again later."))
    data = request.POST
    if not key_is_valid(param(data, "api_key")):
        raise Open311Error(403, _("api_key is missing or not valid."))
    code = param(data, "service_code")
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(400, _("Unknown service_code %(code)s.") % {"code": code})
    raw_lat, raw_long = param(data, "lat"), param(data, "long")
    address = param(data, "address_string")
    lon = lat = None
    if raw_lat or raw_long:
        try:
            lat, lon = float(raw_lat), float(raw_long)
        except ValueError:
            raise Open311Error(400, _("lat and long must both be numbers.")) from None
    elif not address:
        raise Open311Error(400, _("Give the place: lat and long, or address_string."))
    media_url = param(data, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url is not a valid web address.")) from None
    description = param(data, "description")
    text = description or category.name
    if media_url:
        text = f"{text}\n\n{_('Photo')}: {media_url}"
    name = (param(data, "last_name") + param(data, "first_name"))[:60]
    try:
        appeal, query_code = services.appeal_accept(
            actor=None,
            channel=Channel.OPEN311,
            appeal_type=OPEN311_APPEAL_TYPE,
            title=_title(category.name, description or category.name),
            text=text,
            category=category,
            lon=lon,
            lat=lat,
            address=address,
            citizen_name=name,
            citizen_phone=param(data, "phone"),
        )
    except DomainError as error:
        if error.field:
            parameter = PARAMETER_OF_FIELD.get(error.field, error.field)
            raise Open311Error(
                400,
                _("%(parameter)s: %(message)s")
                % {"parameter": parameter, "message": error.message},
            ) from error
        raise Open311Error(400, error.message) from error
    notice = _(
        "Your appeal number is %(number)s and your query code %(code)s: keep both to follow it."
    ) % {"number": appeal.number, "code": query_code}
    account_id = param(data, "account_id")[:100] or None
    answer = [
        {"service_request_id": appeal.number, "service_notice": notice, "account_id": account_id}
    ]
    return render(answer, fmt, "service_requests", "request")


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    appeal = appeals_public().filter(number=request_id).first()
    if appeal is None:
        raise Open311Error(404, _("Unknown service_request_id %(id)s.") % {"id": request_id})
    return render([request_of(appeal)], fmt, "service_requests", "request")


@open311_view("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Requests are registered at once, so the token is the service_request_id itself."""
    appeal = appeals_public().filter(number=token, channel=Channel.OPEN311).first()
    if appeal is None:
        raise Open311Error(404, _("Unknown token %(token)s.") % {"token": token})
    answer = [{"service_request_id": appeal.number, "token": token}]
    return render(answer, fmt, "service_requests", "request")
