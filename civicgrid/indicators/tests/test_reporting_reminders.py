"""Reminders: due soon and overdue, once per submission and kind, to the unit's reporters."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.indicators.models import Reminder
from civicgrid.indicators.selectors.reporting import reminders_for
from civicgrid.indicators.services import reporting
from civicgrid.indicators.services.reminders import reminders_send

from .core_setup import Catalogue, People

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_reminders_are_sent_once_and_skip_submitted_reports(
    territory, catalogue: Catalogue, people: People
) -> None:
    catalogue.care.first_period = "2015"
    catalogue.care.save()
    # 2015 is due on 15 January 2016: three days before, both communities are reminded
    assert reminders_send(today=dt.date(2016, 1, 12)) == 2
    assert reminders_send(today=dt.date(2016, 1, 13)) == 0
    assert list(reminders_for(people.xz_reporter).values_list("kind", flat=True)) == ["due_soon"]
    assert not reminders_for(people.dm_street).exists()
    submission = reporting.values_save(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period="2015",
        values={"BEDS": "1"},
        today=dt.date(2016, 1, 13),
    )
    reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    # after the due date only the community that has not submitted is reminded again
    assert reminders_send(today=dt.date(2016, 1, 20)) == 1
    overdue = Reminder.objects.get(kind="overdue")
    assert overdue.submission.unit_code == "440403001001"
    assert list(overdue.recipients.all()) == [people.dm_reporter]
    assert reminders_send(today=dt.date(2016, 1, 21)) == 0
