"""``civicgrid registry generate``: the synthetic city as CSV files from the console."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicgrid.core.idnumbers import parse_id_number
from civicgrid.registry.synthetic import (
    ADDRESS_COLUMNS,
    ENTITY_COLUMNS,
    HOUSEHOLD_COLUMNS,
    NOISY_COLUMNS,
    PERSON_COLUMNS,
)


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.mark.django_db
def test_generate_writes_the_five_files(
    territory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "city"
    sizes = ["--persons", "300", "--dwellings", "80", "--entities", "30", "--noisy", "40"]
    call_command("registry", "generate", str(out), *sizes, "--seed", "3")
    summary = json.loads(capsys.readouterr().out)
    assert {key: summary[key] for key in ("persons", "addresses", "entities", "noisy")} == {
        "persons": 300,
        "addresses": 80,
        "entities": 30,
        "noisy": 40,
    }
    header, persons = _rows(out / "persons.csv")
    assert header == list(PERSON_COLUMNS)
    assert len(persons) == 300
    for row in persons:
        assert parse_id_number(row["id_number"]).birth_date.isoformat() == row["birth_date"]
        assert row["current_address"].startswith(
            ("珠海市香洲区翠香街道紫荆社区", "珠海市斗门区白藤街道白藤一社区")
        )
    header, households = _rows(out / "households.csv")
    assert header == list(HOUSEHOLD_COLUMNS)
    assert len(households) == 300
    assert summary["households"] == len({row["household_number"] for row in households})
    assert _rows(out / "addresses.csv")[0] == list(ADDRESS_COLUMNS)
    assert _rows(out / "entities.csv")[0] == list(ENTITY_COLUMNS)
    header, noisy = _rows(out / "noisy.csv")
    assert header == list(NOISY_COLUMNS)
    numbers = {row["id_number"] for row in persons}
    assert len(noisy) == 40
    assert {row["truth_id_number"] for row in noisy} <= numbers
    # the same seed writes the same files
    first = (out / "persons.csv").read_bytes()
    call_command("registry", "generate", str(out), *sizes, "--seed", "3")
    assert (out / "persons.csv").read_bytes() == first


@pytest.mark.django_db
def test_generate_sets_the_share_of_foreign_households(territory: Any, tmp_path: Path) -> None:
    sizes = ["--persons", "400", "--dwellings", "100", "--entities", "1", "--noisy", "0"]

    def statuses(share: str) -> list[str]:
        out = tmp_path / share
        call_command("registry", "generate", str(out), *sizes, "--foreign-share", share)
        return [row["residence_status"] for row in _rows(out / "persons.csv")[1]]

    none, every = statuses("0"), statuses("1")
    assert "foreign" not in none
    assert every.count("foreign") > len(every) // 4  # small family households only
    assert len(every) == len(none) == 400
    with pytest.raises(CommandError, match="--foreign-share"):
        call_command("registry", "generate", str(tmp_path / "x"), "--foreign-share", "1.5")


@pytest.mark.django_db
def test_generate_refuses_without_grids_or_with_bad_numbers(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="demo load"):
        call_command("registry", "generate", str(tmp_path), "--scale", "0.0001")
    with pytest.raises(CommandError, match="--scale"):
        call_command("registry", "generate", str(tmp_path), "--scale", "0")
    with pytest.raises(CommandError, match="--persons"):
        call_command("registry", "generate", str(tmp_path), "--persons", "0")
    assert not any(tmp_path.iterdir())
