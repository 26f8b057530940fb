"""Demo registry slice: imported through the registry import, one conflict, tags; a rerun adds
nothing."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from civicgrid.core.audit import AuditRecord
from civicgrid.core.idnumbers import parse_id_number
from civicgrid.demo import loader
from civicgrid.demo import registry as demo_registry
from civicgrid.registry import crypto
from civicgrid.registry.models import (
    Address,
    FieldConflict,
    Household,
    HouseholdMember,
    ImportRun,
    LegalEntity,
    Person,
    SourceRecord,
    SpecialGroupTag,
)

PERSONS = 400
SIZES: dict[str, Any] = {"persons": PERSONS, "dwellings": 150, "entities": 40}


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Address,
            AuditRecord,
            FieldConflict,
            Household,
            HouseholdMember,
            ImportRun,
            LegalEntity,
            Person,
            SourceRecord,
            SpecialGroupTag,
        )
    }


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    folder = tmp_path_factory.mktemp("demo-registry")
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        loader.load_territory(actor=None)
        first = demo_registry.load(directory=folder, **SIZES)
        after_first = _counts()
        second = demo_registry.load(directory=folder, **SIZES)
        yield {
            "first": first,
            "second": second,
            "after_first": after_first,
            "after_second": _counts(),
            "folder": folder,
        }
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.mark.django_db
def test_the_slice_is_imported_through_the_registry_import(demo: Any) -> None:
    counts = demo["after_first"]
    assert counts["Person"] == PERSONS
    assert counts["HouseholdMember"] == PERSONS
    assert counts["LegalEntity"] == 40
    assert counts["Address"] >= 150  # the address file, plus any home only a person named
    runs = ImportRun.objects.order_by("pk")
    assert [(run.entity_kind, run.source.code) for run in runs] == [
        ("address", "grid"),
        ("entity", "shichang"),
        ("person", "gongan"),
        ("household", "gongan"),
        ("person", "minzheng"),
    ]
    assert {run.status for run in runs} == {"completed"}
    assert sum(run.invalid_count for run in runs) == 0
    assert all("completed" in what for what in demo["first"].imports.values())
    # every person of the slice lives in a grid of the four demo streets
    streets = {
        unit_code[:9] for unit_code in Person.objects.values_list("admin_unit_code", flat=True)
    }
    assert streets <= set(demo_registry.STREETS)
    placed = Person.objects.filter(admin_unit_code__regex=r"^[0-9]{15}$").count()
    assert placed >= PERSONS // 2  # at least those with coordinates are in their grid


@pytest.mark.django_db
def test_the_files_are_the_synthetic_city_with_valid_id_numbers(demo: Any) -> None:
    folder: Path = demo["folder"]
    with (folder / "persons.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == PERSONS
    for row in rows[:50]:
        info = parse_id_number(row["id_number"])
        person = Person.objects.get(id_hash=crypto.id_hash(info.number))
        assert person.birth_date == info.birth_date
        assert person.sex == info.sex
        assert person.name == row["name"]
        assert row["id_number"] not in person.id_sealed  # stored encrypted, not in plain text


@pytest.mark.django_db
def test_one_conflict_between_gongan_and_minzheng_waits_for_review(demo: Any) -> None:
    conflicts = list(FieldConflict.objects.select_related("person", "proposed_source"))
    assert len(conflicts) == 1
    conflict = conflicts[0]
    assert conflict.status == "open"
    assert conflict.field_name == "name"
    assert conflict.current_source == "gongan"
    assert conflict.proposed_source.code == "minzheng"
    assert conflict.person is not None
    assert conflict.person.name == conflict.current_value != conflict.proposed_value
    assert len(conflict.proposed_value) == len(conflict.current_value)
    assert demo["first"].open_conflicts == 1


@pytest.mark.django_db
def test_special_group_tags(demo: Any) -> None:
    tags = list(SpecialGroupTag.objects.select_related("person", "source"))
    assert len(tags) == demo["first"].tags_created
    assert 10 <= len(tags) <= 12  # 12 asked for; a small slice may have fewer old people alone
    groups = {tag.group for tag in tags}
    assert {"elderly_alone", "subsistence", "disability", "community_correction"} <= groups
    for tag in tags:
        assert tag.admin_unit_code == tag.person.admin_unit_code
        assert tag.source is not None
        assert tag.until is None
    assert AuditRecord.objects.filter(action="registry.special_group_tag").count() == len(tags)


@pytest.mark.django_db
def test_a_second_run_changes_nothing(demo: Any) -> None:
    assert demo["after_second"] == demo["after_first"]
    assert set(demo["second"].imports.values()) == {"already imported"}
    assert demo["second"].tags_created == 0


@pytest.mark.django_db
def test_the_command(demo: Any, capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    calls: list[dict[str, Any]] = []

    def fake_load(**options: Any) -> Any:
        calls.append(options)
        return demo["second"]

    monkeypatch.setattr(demo_registry, "load", fake_load)
    call_command("demo", "registry", "--persons", "123", "--seed", "5")
    assert calls == [{"persons": 123, "seed": 5}]
    out = capsys.readouterr().out
    assert "registry persons.csv (gongan): already imported" in out
    assert "1 open conflict(s) to review" in out
