"""Unit names → departments: entries built from the demo city's department list."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from civicgrid.plans.extraction.units import CatalogueEntry, UnitCatalogue

CSV = Path(__file__).resolve().parents[2] / "demo" / "data" / "zhuhai_departments.csv"


@pytest.fixture(scope="module")
def catalogue() -> UnitCatalogue:
    with CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    entries = [
        CatalogueEntry(
            code=row["code"],
            name=row["name"],
            short_name=row["short_name"],
            aliases=tuple(alias for alias in row["aliases"].split("|") if alias),
            kind=row["kind"],
            admin_unit_code=row["admin_unit_code"],
            parent_code=row["parent_code"],
        )
        for row in rows
    ]
    # Two street bodies, so that 各镇(街) has something to expand to.
    entries += [
        CatalogueEntry("zh-gongbei-street", "珠海市香洲区拱北街道办事处", "拱北街道", (), "street"),
        CatalogueEntry("zh-baijiao-town", "珠海市斗门区白蕉镇人民政府", "白蕉镇", (), "street"),
    ]
    return UnitCatalogue.from_entries(entries)


def test_exact_full_and_short_names(catalogue: UnitCatalogue) -> None:
    assert catalogue.resolve("市民政局").status == "exact"
    assert catalogue.resolve("市民政局").department_codes == ("zh-civil-affairs",)
    assert catalogue.resolve("珠海市民政局").department_codes == ("zh-civil-affairs",)
    assert catalogue.resolve(" 市 民政局 ").department_codes == ("zh-civil-affairs",)


@pytest.mark.parametrize("written", ["市人社局", "市人力资源和社会保障局", "市人力资源保障局"])
def test_the_three_names_of_human_resources_are_one_body(
    catalogue: UnitCatalogue, written: str
) -> None:
    resolution = catalogue.resolve(written)
    assert resolution.department_codes == ("zh-human-resources",)
    assert resolution.status in {"exact", "alias"}


def test_abbreviation_derived_without_an_alias_listed() -> None:
    entries = [
        CatalogueEntry("hr", "珠海市人力资源和社会保障局", kind="government"),
        CatalogueEntry("dev", "珠海市发展和改革局", kind="government"),
        CatalogueEntry("health", "珠海市卫生和计划生育局", kind="government"),
        CatalogueEntry("youth", "共青团珠海市委员会", kind="organisation"),
        CatalogueEntry("org", "中共珠海市委组织部", kind="party"),
    ]
    catalogue = UnitCatalogue.from_entries(entries)
    assert catalogue.resolve("市人社局").department_codes == ("hr",)
    assert catalogue.resolve("市人社局").status == "alias"
    assert catalogue.resolve("市人力资源保障局").department_codes == ("hr",)
    assert catalogue.resolve("市发改局").department_codes == ("dev",)
    assert catalogue.resolve("市卫计局").department_codes == ("health",)
    assert catalogue.resolve("团市委").department_codes == ("youth",)
    assert catalogue.resolve("市委组织部").department_codes == ("org",)


def test_prefix_dropped_in_a_table_is_restored(catalogue: UnitCatalogue) -> None:
    resolution = catalogue.resolve("社管部")
    assert resolution.department_codes == ("zh-social-management-dept",)
    assert resolution.status == "alias"


def test_bracket_naming_the_same_body(catalogue: UnitCatalogue) -> None:
    resolution = catalogue.resolve("市委政法委(市综治办)")
    assert resolution.department_codes == ("zh-political-legal-committee",)
    assert resolution.status in {"exact", "alias"}


def test_bracket_naming_a_separate_office_lists_both(catalogue: UnitCatalogue) -> None:
    resolution = catalogue.resolve("市委政法委(社管部)")
    assert resolution.department_codes == (
        "zh-political-legal-committee",
        "zh-social-management-dept",
    )
    assert "另一机构" in resolution.note


def test_collective_names_expand_to_the_kind_they_cover(catalogue: UnitCatalogue) -> None:
    districts = catalogue.resolve("各区")
    assert districts.status == "collective"
    assert set(districts.department_codes) == {
        "zh-xiangzhou-government",
        "zh-doumen-government",
        "zh-jinwan-government",
        "zh-hengqin-committee",
    }
    assert catalogue.resolve("各区(经济功能区)").department_codes == districts.department_codes
    streets = catalogue.resolve("各镇(街)")
    assert set(streets.department_codes) == {"zh-gongbei-street", "zh-baijiao-town"}
    assert set(catalogue.resolve("各乡镇(处)").department_codes) == set(streets.department_codes)


@pytest.mark.parametrize(
    "written", ["相关单位", "各有关部门", "市社工委各成员单位", "各相关职能部门"]
)
def test_open_collectives_stay_collective_and_are_flagged(
    catalogue: UnitCatalogue, written: str
) -> None:
    resolution = catalogue.resolve(written)
    assert resolution.status == "collective"
    assert resolution.department_codes == ()
    assert resolution.needs_review


def test_unknown_names_are_flagged_not_dropped(catalogue: UnitCatalogue) -> None:
    resolution = catalogue.resolve("市海洋渔业研究所")
    assert resolution.status == "unknown"
    assert resolution.needs_review
    assert "市海洋渔业研究所" in resolution.note


def test_near_miss_is_fuzzy(catalogue: UnitCatalogue) -> None:
    resolution = catalogue.resolve("市食品药监局")
    assert resolution.department_codes[0] == "zh-food-drug"
    assert resolution.status in {"alias", "fuzzy"}
