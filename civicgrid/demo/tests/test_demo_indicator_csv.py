"""The demo indicator catalogue: real clauses of the documents, consistent values, reproducible."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from civicgrid.demo import indicator_csv

DATA = indicator_csv.DATA_DIR


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((DATA / name).read_text(encoding="utf-8"))))


def test_csv_files_are_what_the_generator_writes() -> None:
    for name, text in indicator_csv.render().items():
        assert (DATA / name).read_text(encoding="utf-8") == text, name


def test_every_target_quotes_its_document_at_the_stated_offset() -> None:
    documents = indicator_csv.load_documents()
    catalogue = _rows("indicator_catalogue.csv")
    assert len(catalogue) >= 25
    assert {row["source_document"] for row in catalogue} == set(documents)
    for row in catalogue:
        text = documents[row["source_document"]]
        start = int(row["source_offset"])
        assert text[start : start + int(row["source_length"])] == row["source_quote"], row["code"]


def test_catalogue_names_only_known_elements_and_kinds() -> None:
    elements = {row["code"] for row in _rows("indicator_data_elements.csv")}
    for row in _rows("indicator_catalogue.csv"):
        assert row["numerator"] in elements
        assert row["denominator"] in elements | {""}
        assert row["kind"] in {
            "percentage",
            "per_thousand",
            "per_ten_thousand",
            "count",
            "amount",
            "index",
        }
        assert row["comparator"] in {"ge", "le", "eq", "about"}
        assert row["scope"] in {"city", "each_district"}
        assert 2012 <= int(row["deadline_year"]) <= 2017


def test_values_cover_every_district_and_year_and_stay_within_their_denominators() -> None:
    values: dict[tuple[str, str, str], float] = {}
    for row in _rows("indicator_values.csv"):
        key = (row["dataElement"], row["orgUnit"], row["period"])
        assert key not in values
        values[key] = float(row["value"])
        assert values[key] >= 0
    per_element: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for element, unit, period in values:
        per_element[element].add((unit, period))
    assert per_element["POP_RESIDENT"] == {
        (unit, str(year)) for unit in indicator_csv.DISTRICTS for year in indicator_csv.YEARS
    }
    for row in _rows("indicator_catalogue.csv"):
        if row["kind"] != "percentage":
            continue
        for (element, unit, period), value in values.items():
            if element == row["numerator"]:
                assert value <= values[(row["denominator"], unit, period)], (row["code"], unit)


def test_demo_shows_gaps_and_misses() -> None:
    values = {
        (row["dataElement"], row["orgUnit"], row["period"]): float(row["value"])
        for row in _rows("indicator_values.csv")
    }

    def city(numerator: str, denominator: str, year: int, factor: float) -> float:
        top = sum(values[(numerator, unit, str(year))] for unit in indicator_csv.DISTRICTS)
        bottom = sum(values[(denominator, unit, str(year))] for unit in indicator_csv.DISTRICTS)
        return factor * top / bottom

    # 每千名老人养老床位 ≥ 30 by 2015: missed by the city, though 斗门 (rural) reached it.
    assert city("ELDERLY_CARE_BEDS", "POP_ELDERLY_60", 2015, 1000) < 30
    dm = 1000 * values[("ELDERLY_CARE_BEDS", "440403", "2015")]
    assert dm / values[("POP_ELDERLY_60", "440403", "2015")] >= 30
    # 注册志愿者 ≥ 10 % by 2015: met by the city, missed by 斗门.
    assert city("REGISTERED_VOLUNTEERS", "POP_RESIDENT", 2015, 100) >= 10
    volunteers = values[("REGISTERED_VOLUNTEERS", "440403", "2015")]
    assert 100 * volunteers / values[("POP_RESIDENT", "440403", "2015")] < 10
