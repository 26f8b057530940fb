"""特殊人群: tagging a person as one of the special groups, and ending a tag.

Tags are the most sensitive part of the registry. Who may see them is decided by the
gatekeeper (field ``special_tags``); who may write them is narrower: community staff
(department staff whose scope is a community) and the programme office, for persons in their
scope. Grid workers see the tags of their grid but report changes through their community.
Every tag written or ended is kept in the audit trail with the actor's stated reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError

from ..models import Person, SpecialGroup, SpecialGroupTag
from ..selectors.access import FULL, persons_visible_to, registry_access
from .access import _clean_purpose

TAG_WRITER_ROLES = frozenset({Role.DEPARTMENT_STAFF, Role.PROGRAMME_OFFICE})


def may_write_tags(user: Any, person: Person | None = None) -> bool:
    """Whether ``user`` may tag persons (``person``: this one, in their scope)."""
    access = registry_access(user)
    if access.role not in TAG_WRITER_ROLES or access.person_access("special_tags") != FULL:
        return False
    return person is None or access.covers(person.admin_unit_code)


def _check(actor: Any, person: Person) -> None:
    if not persons_visible_to(actor).filter(pk=person.pk).exists():
        raise NotFoundError(_("No such person in your scope."))
    if not may_write_tags(actor, person):
        raise PermissionDeniedError(_("You may not change this person's special groups."))


def _source_of(actor: Any) -> Any:
    from ..models import Source

    department_id = getattr(actor, "department_id", None)
    if not department_id:
        return None
    return Source.objects.filter(department_id=department_id, is_active=True).first()


@transaction.atomic
def special_tag_add(
    *,
    actor: Any,
    person: Person,
    group: str,
    since: dt.date | None,
    note: str = "",
    reason: str,
) -> SpecialGroupTag:
    """Tag ``person`` as one of the special groups from ``since``; refuses a second open tag of
    the same group and dates in the future. Writes ``registry.special_tag.add``."""
    reason = _clean_purpose(reason)
    _check(actor, person)
    if group not in SpecialGroup.values:
        raise DomainError(
            _("Group: unknown special group “%(value)s”.") % {"value": str(group)[:40]},
            code="invalid",
            field="group",
        )
    if since is not None and since > timezone.localdate():
        raise DomainError(
            _("Since: the date may not be in the future."), code="invalid", field="since"
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise DomainError(
            _("Note: at most %(limit)s characters.") % {"limit": 300}, code="invalid", field="note"
        )
    if SpecialGroupTag.objects.filter(person=person, group=group, until__isnull=True).exists():
        raise ConflictError(
            _("This person is already tagged as “%(group)s”; end that tag first.")
            % {"group": SpecialGroup(group).label},
            code="duplicate",
        )
    try:
        with transaction.atomic():
            tag = SpecialGroupTag.objects.create(
                person=person,
                group=group,
                since=since,
                note=note,
                source=_source_of(actor),
                admin_unit_code=person.admin_unit_code,
            )
    except IntegrityError:  # tagged by somebody else a moment ago
        raise ConflictError(
            _("This person was tagged in the meantime; reload the page."), code="version_conflict"
        ) from None
    audit_record(
        actor=actor,
        action="registry.special_tag.add",
        target=person,
        purpose=reason,
        details={"group": group, "since": since.isoformat() if since else None, "tag": tag.pk},
    )
    return tag


@transaction.atomic
def special_tag_end(
    *, actor: Any, tag: SpecialGroupTag, until: dt.date, reason: str
) -> SpecialGroupTag:
    """End an open tag on ``until`` (not before it began, not in the future); the tag stays in
    the person's history. Writes ``registry.special_tag.end``."""
    reason = _clean_purpose(reason)
    locked = SpecialGroupTag.objects.select_for_update().select_related("person").get(pk=tag.pk)
    _check(actor, locked.person)
    if locked.until is not None:
        raise ConflictError(_("This tag has ended already."), code="invalid_state")
    if until > timezone.localdate():
        raise DomainError(
            _("Until: the date may not be in the future."), code="invalid", field="until"
        )
    if locked.since is not None and until < locked.since:
        raise DomainError(
            _("Until: the tag began on %(since)s; it cannot end before that.")
            % {"since": locked.since.isoformat()},
            code="invalid",
            field="until",
        )
    locked.until = until
    locked.save(update_fields=["until", "updated_at"])
    audit_record(
        actor=actor,
        action="registry.special_tag.end",
        target=locked.person,
        purpose=reason,
        details={"group": locked.group, "until": until.isoformat(), "tag": locked.pk},
    )
    return locked
