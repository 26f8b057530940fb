"""Seed the data sources and the default field authorities (一数一源).

Defaults (administrators change them in the admin): a person's name, sex, birth date,
registered (hukou) address and division code and residence permit come from 公安; the employer
from 人社; the current address, its grid and the residence status from grid collection (网格采集);
the phone from self-declaration (自主申报), then grid collection; every field of a legal entity
from 市场监管 (the actual address also from grid collection, second); households from 公安;
an address's location from grid collection. 民政 is a source without authority by default: its
values fill empty fields and otherwise go to review.
"""

from django.db import migrations

SOURCES = [
    ("gongan", "公安"),
    ("renshe", "人社"),
    ("minzheng", "民政"),
    ("shichang", "市场监管"),
    ("grid", "网格采集"),
    ("self", "自主申报"),
]
AUTHORITIES = [
    # (record kind, field, source, rank)
    *[
        ("person", name, "gongan", 1)
        for name in (
            "name",
            "sex",
            "birth_date",
            "registered_address",
            "registered_division_code",
            "permit_number",
            "permit_valid_until",
        )
    ],
    ("person", "employer", "renshe", 1),
    ("person", "current_address", "grid", 1),
    ("person", "admin_unit_code", "grid", 1),
    ("person", "residence_status", "grid", 1),
    ("person", "phone", "self", 1),
    ("person", "phone", "grid", 2),
    *[
        ("entity", name, "shichang", 1)
        for name in (
            "name",
            "kind",
            "legal_representative",
            "registered_address",
            "actual_address",
            "status",
            "established_on",
        )
    ],
    ("entity", "actual_address", "grid", 2),
    ("household", "kind", "gongan", 1),
    ("household", "address", "gongan", 1),
    ("address", "location", "grid", 1),
]


def seed(apps, schema_editor):
    Source = apps.get_model("registry", "Source")
    FieldAuthority = apps.get_model("registry", "FieldAuthority")
    by_code = {}
    for code, name in SOURCES:
        by_code[code], _created = Source.objects.get_or_create(code=code, defaults={"name": name})
    for kind, field_name, source, rank in AUTHORITIES:
        FieldAuthority.objects.get_or_create(
            entity_kind=kind,
            field_name=field_name,
            source=by_code[source],
            defaults={"rank": rank},
        )


def unseed(apps, schema_editor):
    Source = apps.get_model("registry", "Source")
    FieldAuthority = apps.get_model("registry", "FieldAuthority")
    for kind, field_name, source, _rank in AUTHORITIES:
        FieldAuthority.objects.filter(
            entity_kind=kind, field_name=field_name, source__code=source
        ).delete()
    for code, _name in SOURCES:
        Source.objects.filter(code=code, records__isnull=True, imports__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
