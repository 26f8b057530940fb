"""Every street-level unit gets its street office or town government, once."""

from __future__ import annotations

from typing import Any

import pytest

from civicgrid.core.errors import DomainError
from civicgrid.core.models import AuditRecord
from civicgrid.territory.models import AdminLevel, AdminUnit, Department
from civicgrid.territory.services import street_bodies_ensure


@pytest.mark.django_db
def test_street_bodies_are_created_once(territory: Any) -> None:
    AdminUnit.objects.create(
        code="440402100", name="唐家湾镇", level=AdminLevel.STREET, parent=territory.xiangzhou
    )
    assert street_bodies_ensure(actor=None, city_code="4404") == 3
    names = dict(Department.objects.filter(kind="street").values_list("code", "name"))
    assert names == {
        "street-440402001": "珠海市香洲区翠香街道办事处",
        "street-440402100": "珠海市香洲区唐家湾镇人民政府",
        "street-440403001": "珠海市斗门区白藤街道办事处",
    }
    assert street_bodies_ensure(actor=None, city_code="4404") == 0
    assert Department.objects.filter(kind="street").count() == 3
    assert list(
        AuditRecord.objects.filter(action="territory.ensure_street_bodies").values_list(
            "details", flat=True
        )
    ) == [{"created": 0}, {"created": 3}]


@pytest.mark.django_db
def test_unknown_city_is_a_clear_error(territory: Any) -> None:
    with pytest.raises(DomainError) as caught:
        street_bodies_ensure(actor=None, city_code="4403")
    assert caught.value.code == "not_found"
    assert Department.objects.filter(kind="street").count() == 0
