"""报告待审: which submitted reports wait for whom."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from civicgrid.plans import selectors, services

from .core_helpers import *  # noqa: F403


def test_reports_wait_for_the_lead_then_for_the_office(published: Any, people: Any) -> None:
    task = published.tasks_by_key["1"]  # lead: civil affairs; cooperating: finance, xz
    coop = services.progress_report_save(
        actor=people["finance"], task=task, period="2026-11", text="资金已下达", percent_done=50
    )
    assert not selectors.reports_waiting_for(people["civil"]).exists()  # a draft waits for none
    services.progress_report_submit(actor=people["finance"], report=coop)
    assert list(selectors.reports_waiting_for(people["civil"])) == [coop]
    for name in ("office", "finance", "xz", "hr", "leader", "supervisor", "citizen"):
        assert coop not in selectors.reports_waiting_for(people[name]), name
    lead = services.progress_report_save(
        actor=people["civil"], task=task, period="2026-11", text="中心选址完成", percent_done=60
    )
    services.progress_report_submit(actor=people["civil"], report=lead)  # consolidates coop
    assert not selectors.reports_waiting_for(people["civil"]).exists()
    assert list(selectors.reports_waiting_for(people["office"])) == [lead]
    assert list(selectors.reports_waiting_for(people["admin"])) == [lead]
    services.progress_report_accept(actor=people["office"], report=lead)
    assert not selectors.reports_waiting_for(people["office"]).exists()


def test_the_waiting_page_lists_them_for_the_office_only(published: Any, people: Any) -> None:
    task = published.tasks_by_key["2"]
    report = services.progress_report_save(
        actor=people["hr"], task=task, period="2026-12", text="培训一期", percent_done=30
    )
    services.progress_report_submit(actor=people["hr"], report=report)
    url = reverse("web:plans_reports_waiting")
    office = Client()
    office.force_login(people["office"])
    page = office.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-report="{report.pk}"' in html
    assert reverse("web:plans_task", args=[task.pk]) in html
    hr = Client()
    hr.force_login(people["hr"])
    assert f'data-report="{report.pk}"' not in hr.get(url).content.decode()
    citizen = Client()
    citizen.force_login(people["citizen"])
    assert citizen.get(url).status_code in (302, 403)
