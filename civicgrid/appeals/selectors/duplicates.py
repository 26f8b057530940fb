"""Likely duplicates (疑似重复诉求): appeals about the same matter at the same place, recently.

A candidate is an appeal the user may see (:func:`appeals_visible_to`), accepted within the
last ``AppealSettings.duplicate_window_days`` days, not cancelled and not merged, and near:

* both have coordinates: at most ``AppealSettings.duplicate_radius_m`` metres apart
  (equirectangular distance — exact enough at a few hundred metres);
* otherwise: the candidate lies in the same community (the first 12 digits of the division
  code; a place known only to a street, district or the city matches anywhere inside it).

Text similarity is the Jaccard index of the **character bigram sets** of title + text (spaces
and punctuation dropped, Latin letters lower-cased). Chinese has no spaces, so words are not at
hand without a segmenter; bigrams catch most two-character words (占道, 噪音, 路灯) and need no
fitted vocabulary, so a score does not depend on which other appeals happen to be in the
window (as TF-IDF weights would) and two people see the same number for the same pair.

The score (0…1) weighs text 0.6, place 0.2 (distance, or how specific the shared unit is),
recency 0.1 and same category 0.1; only candidates with text similarity of at least
:data:`MIN_TEXT_SIMILARITY` are offered. The database narrows first (window, status, scope,
bounding box around the point, at most :data:`PREFILTER_LIMIT` newest rows); only those rows are
scored in Python.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, ngettext

from civicgrid.accounts.models import Role
from civicgrid.core.masking import MASK, mask_name, mask_phone
from civicgrid.territory.selectors import locate_point

from .. import clock
from ..models import Appeal, AppealEvent, AppealSettings, AppealStatus
from . import appeals_visible_to

MIN_TEXT_SIMILARITY = 0.2
PREFILTER_LIMIT = 500  # newest rows scored per appeal
BATCH_PREFILTER_LIMIT = 3000  # rows scored for a whole page of the queue
SCORED_TEXT_CHARS = 600  # only the start of a long text is compared
COMMUNITY_CODE_LENGTH = 12
GRID_CODE_LENGTH = 15
METRES_PER_DEGREE = 111_320.0
EXCLUDED_STATUSES = (AppealStatus.CANCELLED, AppealStatus.MERGED)
WEIGHT_TEXT, WEIGHT_PLACE, WEIGHT_RECENCY, WEIGHT_CATEGORY = 0.6, 0.2, 0.1, 0.1
CANDIDATE_FIELDS = (
    "pk",
    "number",
    "title",
    "text",
    "status",
    "lon",
    "lat",
    "admin_unit_code",
    "accepted_on",
    "category_id",
    "version",
)


@dataclass
class Candidate:
    """One likely duplicate with its score and the reasons shown to staff."""

    appeal: Appeal
    score: float
    text_similarity: float
    distance_m: float | None
    days_ago: int
    same_category: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def reason_text(self) -> str:
        return " · ".join(self.reasons)


@dataclass
class _Probe:
    """What is compared: the new (or queued) appeal's text, place, day and category."""

    bigrams: frozenset[str]
    lon: float | None
    lat: float | None
    admin_unit_code: str
    category_id: int | None
    exclude_pk: int | None


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of ``text`` without spaces and punctuation (Latin lower-cased)."""
    kept = "".join(
        char.lower()
        for char in unicodedata.normalize("NFKC", text or "")
        if unicodedata.category(char)[0] in {"L", "N"}
    )
    if len(kept) == 1:
        return frozenset({kept})
    return frozenset(kept[i : i + 2] for i in range(len(kept) - 1))


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance in metres (error far below 1 % under a few kilometres)."""
    mean_lat = math.radians((lat1 + lat2) / 2)
    dx = (lon2 - lon1) * math.cos(mean_lat)
    dy = lat2 - lat1
    return math.hypot(dx, dy) * METRES_PER_DEGREE


def _place_prefix(code: str) -> str:
    return code[:COMMUNITY_CODE_LENGTH]


def _bbox(lon: float, lat: float, radius_m: float) -> Q:
    dlat = radius_m / METRES_PER_DEGREE
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return Q(lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon)


def _near_condition(probe: _Probe, radius_m: float) -> Q:
    """SQL side of "near": inside the bounding box, or (no point to compare) the same unit."""
    prefix = _place_prefix(probe.admin_unit_code)
    if probe.lon is not None and probe.lat is not None:
        return _bbox(probe.lon, probe.lat, radius_m) | Q(
            lat__isnull=True, admin_unit_code__startswith=prefix
        )
    return Q(admin_unit_code__startswith=prefix)


def _place_score(
    probe: _Probe, row: Appeal, radius_m: float
) -> tuple[float, float | None, str] | None:
    """(place score, distance in metres, reason) or ``None`` when the row is not near."""
    if (
        probe.lon is not None
        and probe.lat is not None
        and row.lon is not None
        and row.lat is not None
    ):
        metres = distance_m(probe.lon, probe.lat, row.lon, row.lat)
        if metres > radius_m:
            return None
        score = 1.0 - metres / radius_m if radius_m else 1.0
        return score, metres, gettext("%(metres)s m") % {"metres": round(metres)}
    prefix = _place_prefix(probe.admin_unit_code)
    if not prefix or not row.admin_unit_code.startswith(prefix):
        return None
    if (
        len(probe.admin_unit_code) >= GRID_CODE_LENGTH
        and row.admin_unit_code == probe.admin_unit_code
    ):
        return 0.6, None, gettext("same grid")
    if len(prefix) >= COMMUNITY_CODE_LENGTH:
        return 0.4, None, gettext("same community")
    return 0.1, None, gettext("same area")  # the place is known only to a street or wider


def _reasons(similarity: float, place: str, days: int, same_category: bool) -> list[str]:
    reasons = [gettext("similar text %(score)s") % {"score": f"{similarity:.2f}"}, place]
    if days <= 0:
        reasons.append(gettext("today"))
    else:
        reasons.append(ngettext("%(days)s day ago", "%(days)s days ago", days) % {"days": days})
    if same_category:
        reasons.append(gettext("same category"))
    return reasons


def _score(
    probe: _Probe,
    row: Appeal,
    row_bigrams: frozenset[str],
    *,
    radius_m: float,
    window_days: int,
    today: dt.date,
) -> Candidate | None:
    if probe.exclude_pk is not None and row.pk == probe.exclude_pk:
        return None
    place = _place_score(probe, row, radius_m)
    if place is None:
        return None
    similarity = jaccard(probe.bigrams, row_bigrams)
    if similarity < MIN_TEXT_SIMILARITY:
        return None
    place_score, metres, place_reason = place
    days = max((today - row.accepted_on).days, 0)
    recency = max(0.0, 1.0 - days / window_days) if window_days else 1.0
    same_category = probe.category_id is not None and row.category_id == probe.category_id
    score = (
        WEIGHT_TEXT * similarity
        + WEIGHT_PLACE * place_score
        + WEIGHT_RECENCY * recency
        + WEIGHT_CATEGORY * (1.0 if same_category else 0.0)
    )
    return Candidate(
        appeal=row,
        score=round(score, 4),
        text_similarity=round(similarity, 4),
        distance_m=None if metres is None else round(metres, 1),
        days_ago=days,
        same_category=same_category,
        reasons=_reasons(similarity, place_reason, days, same_category),
    )


def _recent(user: Any, window_days: int, today: dt.date) -> QuerySet[Appeal]:
    return (
        appeals_visible_to(user)
        .select_related(None)
        .filter(accepted_on__gte=today - dt.timedelta(days=window_days))
        .exclude(status__in=EXCLUDED_STATUSES)
        .only(*CANDIDATE_FIELDS)
        .order_by("-accepted_on", "-id")
    )


def _row_bigrams(row: Appeal) -> frozenset[str]:
    return bigrams(f"{row.title} {row.text[:SCORED_TEXT_CHARS]}")


def _ranked(candidates: list[Candidate], limit: int) -> list[Candidate]:
    candidates.sort(key=lambda found: (-found.score, found.days_ago, found.appeal.number))
    return candidates[:limit]


def _coordinate(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def duplicate_candidates(
    *,
    user: Any,
    title: str,
    text: str,
    lon: Any,
    lat: Any,
    admin_unit_code: str,
    category: Any = None,
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Candidate]:
    """Likely duplicates of an appeal being registered (or of ``exclude_pk``), best first.

    Two queries: the settings row and one prefiltered query of at most PREFILTER_LIMIT rows.
    """
    probe = _Probe(
        bigrams=bigrams(f"{title or ''} {(text or '')[:SCORED_TEXT_CHARS]}"),
        lon=_coordinate(lon),
        lat=_coordinate(lat),
        admin_unit_code=(admin_unit_code or "").strip(),
        category_id=getattr(category, "pk", category),
        exclude_pk=exclude_pk,
    )
    if not probe.bigrams or not probe.admin_unit_code:
        return []
    if (probe.lon is None) != (probe.lat is None):
        probe.lon = probe.lat = None
    settings_row = AppealSettings.load()
    radius = float(settings_row.duplicate_radius_m)
    window = int(settings_row.duplicate_window_days)
    today = clock.today()
    rows = _recent(user, window, today).filter(_near_condition(probe, radius))
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    found = []
    for row in rows[:PREFILTER_LIMIT]:
        candidate = _score(
            probe, row, _row_bigrams(row), radius_m=radius, window_days=window, today=today
        )
        if candidate is not None:
            found.append(candidate)
    return _ranked(found, limit)


def _probe_of(appeal: Appeal) -> _Probe:
    return _Probe(
        bigrams=_row_bigrams(appeal),
        lon=appeal.lon,
        lat=appeal.lat,
        admin_unit_code=appeal.admin_unit_code,
        category_id=appeal.category_id,
        exclude_pk=appeal.pk,
    )


def duplicates_for(user: Any, appeal: Appeal, limit: int = 5) -> list[Candidate]:
    """Likely duplicates of an existing appeal (its detail page)."""
    return duplicate_candidates(
        user=user,
        title=appeal.title,
        text=appeal.text,
        lon=appeal.lon,
        lat=appeal.lat,
        admin_unit_code=appeal.admin_unit_code,
        category=appeal.category_id,
        exclude_pk=appeal.pk,
        limit=limit,
    )


def duplicates_for_many(
    user: Any, appeals: list[Appeal], limit: int = 5
) -> dict[int, list[Candidate]]:
    """Likely duplicates of each appeal of a page (the dispatcher queue), in one pass.

    Two queries whatever the page size: the settings row and one query whose condition is the
    OR of every appeal's bounding box / unit (at most BATCH_PREFILTER_LIMIT rows); each row's
    bigrams are computed once and compared with the appeals it is near to.
    """
    probes = [_probe_of(appeal) for appeal in appeals if appeal.admin_unit_code]
    result: dict[int, list[Candidate]] = {appeal.pk: [] for appeal in appeals}
    if not probes:
        return result
    settings_row = AppealSettings.load()
    radius = float(settings_row.duplicate_radius_m)
    window = int(settings_row.duplicate_window_days)
    today = clock.today()
    near = Q()
    for probe in probes:
        near |= _near_condition(probe, radius)
    rows = list(_recent(user, window, today).filter(near)[:BATCH_PREFILTER_LIMIT])
    cache: dict[int, frozenset[str]] = {}
    for probe in probes:
        found = []
        for row in rows:
            if row.pk == probe.exclude_pk or _place_score(probe, row, radius) is None:
                continue
            if row.pk not in cache:
                cache[row.pk] = _row_bigrams(row)
            candidate = _score(
                probe, row, cache[row.pk], radius_m=radius, window_days=window, today=today
            )
            if candidate is not None:
                found.append(candidate)
        assert probe.exclude_pk is not None
        result[probe.exclude_pk] = _ranked(found, limit)
    return result


def place_code_for(lon: Any, lat: Any, user: Any = None) -> str:
    """The division code an appeal at (lon, lat) would get at intake: the grid containing the
    point; without a point, the grid worker's own unit or the city (as ``appeal_accept``)."""
    x, y = _coordinate(lon), _coordinate(lat)
    if x is not None and y is not None:
        located = locate_point(x, y)
        if located is not None:
            return str(located.unit.code)
    is_grid_worker = getattr(user, "role", "") == Role.GRID_WORKER
    scope_unit = getattr(user, "scope_unit", None) if is_grid_worker else None
    if scope_unit is not None:
        return str(scope_unit.code)
    return str(settings.CIVICGRID_CITY_CODE)


# ---------------------------------------------------------------- citizens of merged appeals

REPLY_VISIBLE_STATUSES = frozenset(
    {AppealStatus.REPLIED, AppealStatus.FOLLOWED_UP, AppealStatus.CLOSED}
)  # the reply has reached citizens (not while it is under review or a draft)
PRIMARY_EVENTS_HIDDEN = frozenset({"merged_in", "unmerged"})


LONG_DIGIT_RUN = re.compile(r"\d{7,}[Xx]?")


def text_for_other_citizens(appeal: Appeal, text: str) -> str:
    """``text`` of ``appeal`` as another citizen may read it: the appeal's citizen's name
    (surname kept, as everywhere) and phone, and any run of 7+ digits (phones, ID numbers)
    masked."""
    name = appeal.citizen_name.strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    phone = appeal.citizen_phone.strip()
    if phone:
        text = text.replace(phone, mask_phone(phone))
    return LONG_DIGIT_RUN.sub(lambda match: MASK * len(match.group()), text)


@dataclass
class MergedOutcome:
    """What the citizen of a merged appeal sees of the primary it is handled with: no
    personal data of the primary's citizen, no staff names, no notes."""

    primary: Appeal
    reply: str  # empty until the primary's reply is visible to citizens
    events: list[AppealEvent]

    @property
    def is_reply_visible(self) -> bool:
        return self.primary.status in REPLY_VISIBLE_STATUSES


def merged_outcome_for_citizen(appeal: Appeal) -> MergedOutcome | None:
    """For an appeal the citizen may follow (number + query code already checked): its
    primary's progress if it was merged, else ``None``. Two queries."""
    if appeal.status != AppealStatus.MERGED or appeal.merged_into_id is None:
        return None
    primary = (
        Appeal.objects.select_related("lead_department", "category")
        .filter(pk=appeal.merged_into_id)
        .first()
    )
    if primary is None:
        return None
    events = [
        event
        for event in primary.events.select_related("department").order_by("at", "id")
        if event.kind not in PRIMARY_EVENTS_HIDDEN
    ]
    reply = ""
    if primary.status in REPLY_VISIBLE_STATUSES:
        reply = text_for_other_citizens(primary, primary.reply)
    return MergedOutcome(primary=primary, reply=reply, events=events)
