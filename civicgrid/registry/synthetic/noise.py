"""Noisy copies of persons for record-linkage tests (with the true ID number)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import tables
from .common import mobile_phone


def noisy_copies(
    persons: Iterable[Mapping[str, Any]],
    n: int,
    seed: int,
    *,
    population: int | None = None,
) -> Iterator[dict[str, str]]:
    """Noisy copies of ``n`` persons drawn without replacement, for record-linkage tests.

    ``persons`` are person rows (``id_number``, ``name``, ``phone``, ``current_address``,
    ``birth_date``; ``address_parts`` from :class:`SyntheticCity` allows more address
    variants). With ``population`` (the number of rows ``persons`` will yield) the sample is
    drawn while streaming (selection sampling, nothing kept); without it a reservoir of ``n``
    rows is kept. Copies come in the order of ``persons``.

    Each copy is a dict: ``name``, ``phone``, ``address``, ``birth_date`` (may be empty),
    ``truth_id_number`` (the person's ID number: the copy itself has none) and ``noise`` (what
    was changed, ``;``-separated). Every copy differs from its person in at least one field.
    """
    rng = random.Random(f"{seed}:noisy")
    if n <= 0:
        return
    if population is not None:
        left, wanted = population, n
        for person in persons:
            if left <= 0 or wanted <= 0:
                break
            if rng.random() * left < wanted:
                wanted -= 1
                yield noisy_copy(person, rng)
            left -= 1
        return
    reservoir: list[tuple[int, Mapping[str, Any]]] = []
    for index, person in enumerate(persons):
        if index < n:
            reservoir.append((index, person))
        else:
            slot = rng.randrange(index + 1)
            if slot < n:
                reservoir[slot] = (index, person)
    for _index, person in sorted(reservoir, key=lambda pair: pair[0]):
        yield noisy_copy(person, rng)


def noisy_copy(person: Mapping[str, Any], rng: random.Random) -> dict[str, str]:
    """One noisy copy of ``person`` (see :func:`noisy_copies`)."""
    noise: list[str] = []
    name = _noisy_name(str(person["name"]), rng, noise)
    phone = _noisy_phone(str(person.get("phone") or ""), rng, noise)
    address = _noisy_address(person, rng, noise)
    birth_date = _noisy_birth_date(str(person.get("birth_date") or ""), rng, noise)
    if not noise:  # never an exact copy: at least the address is written differently
        address = _address_variant(person, rng, noise, forced=True)
    return {
        "name": name,
        "phone": phone,
        "address": address,
        "birth_date": birth_date,
        "truth_id_number": str(person["id_number"]),
        "noise": ";".join(noise),
    }


def _noisy_name(name: str, rng: random.Random, noise: list[str]) -> str:
    draw = rng.random()
    if draw < 0.22:
        positions = [i for i, char in enumerate(name) if char in tables.HOMOPHONES]
        if positions:
            position = rng.choice(positions)
            replacement = rng.choice(tables.HOMOPHONES[name[position]])
            noise.append("name_homophone")
            return name[:position] + replacement + name[position + 1 :]
    elif draw < 0.30:
        traditional = "".join(tables.TRADITIONAL.get(char, char) for char in name)
        if traditional != name:
            noise.append("name_traditional")
            return traditional
    elif draw < 0.33 and len(name) >= 3:
        position = rng.randrange(1, len(name))
        noise.append("name_missing_character")
        return name[:position] + name[position + 1 :]
    elif draw < 0.36 and len(name) == 2:
        noise.append("name_space")
        return f"{name[0]} {name[1]}"
    return name


def _noisy_phone(phone: str, rng: random.Random, noise: list[str]) -> str:
    if not phone:
        return ""
    draw = rng.random()
    digits = [i for i, char in enumerate(phone) if char.isdigit()][3:]  # keep the prefix
    if draw < 0.15:
        noise.append("phone_missing")
        return ""
    if draw < 0.25 and digits:
        position = rng.choice(digits)
        other = rng.choice([d for d in "0123456789" if d != phone[position]])
        noise.append("phone_digit_changed")
        return phone[:position] + other + phone[position + 1 :]
    if draw < 0.30 and len(digits) >= 2:
        index = rng.randrange(len(digits) - 1)
        first, second = digits[index], digits[index + 1]
        if second == first + 1 and phone[first] != phone[second]:
            noise.append("phone_digits_swapped")
            return phone[:first] + phone[second] + phone[first] + phone[second + 1 :]
    if draw < 0.34:
        noise.append("phone_other_number")
        return mobile_phone(rng)
    return phone


def _noisy_birth_date(birth_date: str, rng: random.Random, noise: list[str]) -> str:
    if not birth_date:
        return ""
    draw = rng.random()
    if draw < 0.35:
        noise.append("birth_date_missing")
        return ""
    if draw < 0.42:
        year, month, day = birth_date.split("-")
        if month != day and int(day) <= 12:
            noise.append("birth_date_day_month_swapped")
            return f"{year}-{day}-{month}"
    return birth_date


def _noisy_address(person: Mapping[str, Any], rng: random.Random, noise: list[str]) -> str:
    if rng.random() < 0.4:
        return str(person.get("current_address") or "")
    return _address_variant(person, rng, noise)


def _address_variant(
    person: Mapping[str, Any], rng: random.Random, noise: list[str], *, forced: bool = False
) -> str:
    text = str(person.get("current_address") or "")
    parts = person.get("address_parts")
    city = tables.ZHUHAI_CITY
    if not parts or len(parts) != 8:
        noise.append("address_full_width" if forced or rng.random() < 0.5 else "address_no_city")
        if noise[-1] == "address_no_city" and text.startswith(city):
            return text.removeprefix(city)
        return text.translate(tables.FULL_WIDTH_DIGITS)
    district, street, community, road, number, building, unit, room = parts
    building_digits = building.removesuffix("栋")
    unit_digits = unit.removesuffix("单元")
    variants = [
        ("address_no_city", f"{district}{street}{community}{road}{number}{building}{unit}{room}"),
        ("address_from_street", f"{street}{community}{road}{number}{building}{unit}{room}"),
        ("address_from_road", f"{road}{number}{building}{unit}{room}"),
        ("address_full_width", text.translate(tables.FULL_WIDTH_DIGITS)),
        ("address_room_suffix", f"{city}{district}{road}{number}{building}{unit}{room}室"),
    ]
    if building and unit:
        short = f"{road}{number}{building_digits}-{unit_digits}-{room}"
        variants.append(("address_dashes", short))
        variants.append(("address_zhuang", f"{community}{road}{number}{building_digits}幢{room}"))
    label, variant = rng.choice(variants)
    noise.append(label)
    return variant
