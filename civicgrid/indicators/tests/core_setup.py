"""Shared set-up of the indicators tests: a small catalogue on the conftest territory and users
at every approval level (fixtures ``catalogue`` and ``people`` in this package's conftest)."""

from __future__ import annotations

from dataclasses import dataclass

from civicgrid.accounts.models import User
from civicgrid.indicators.models import DataElement, DataSet, Indicator
from civicgrid.indicators.services import definitions


@dataclass
class Catalogue:
    beds: DataElement
    capacity: DataElement
    elderly: DataElement
    residents: DataElement
    beds_rate: Indicator  # beds per 1,000 elderly (reported / computed)
    occupancy: Indicator  # beds / capacity, percentage (both reported)
    care: DataSet  # yearly, communities report beds and capacity


@dataclass
class People:
    xz_reporter: User  # community staff of 紫荆社区
    dm_reporter: User  # community staff of 白藤一社区
    xz_street: User  # approver of 翠香街道
    dm_street: User
    xz_district: User  # approver of 香洲区
    city: User  # programme office (whole city)
    citizen: User


def build_catalogue() -> Catalogue:
    beds = definitions.element_create(
        actor=None, code="BEDS", name="养老床位", is_integer=True, aggregation="last"
    )
    capacity = definitions.element_create(
        actor=None, code="BED_CAPACITY", name="核定床位", is_integer=True, aggregation="last"
    )
    elderly = definitions.element_create(
        actor=None,
        code="ELDERLY60",
        name="60岁以上老人",
        source="computed",
        computed_source="registry.elderly_60",
        aggregation="last",
    )
    residents = definitions.element_create(
        actor=None,
        code="RESIDENTS",
        name="实有人口",
        source="computed",
        computed_source="registry.residents",
        aggregation="last",
    )
    beds_rate = definitions.indicator_create(
        actor=None,
        code="BEDS_PER_1000_ELDERLY",
        name="每千名老人拥有养老床位",
        kind="per_thousand",
        numerator="#{BEDS}",
        denominator="#{ELDERLY60}",
        unit_label="张",
    )
    occupancy = definitions.indicator_create(
        actor=None,
        code="BED_USE",
        name="床位与核定床位之比",
        kind="percentage",
        numerator="#{BEDS}",
        denominator="#{BED_CAPACITY}",
    )
    care = definitions.data_set_create(
        actor=None,
        code="ELDERLY_CARE",
        name="养老服务年报",
        period_type="yearly",
        element_codes=["BEDS", "BED_CAPACITY"],
        unit_level="community",
        first_period="2012",
    )
    return Catalogue(beds, capacity, elderly, residents, beds_rate, occupancy, care)
