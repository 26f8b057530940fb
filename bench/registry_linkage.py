"""Benchmark: probabilistic linkage of noisy source rows to registry persons, with known truth.

    .venv/bin/python bench/registry_linkage.py [--persons 100000] [--rows 10000]
        [--seed 4404] [--threads 2] [--accept 0.95] [--review 0.5] [--memory-limit 12GB]
        [--through-database [--database-url postgres://postgres@127.0.0.1:5432/NAME]]

What it does, in one run:

1. Generates ``--persons`` registry persons (name, phone, birth date, standard address parts
   of a Zhuhai dwelling; households share an address, surname and sometimes a phone) and
   ``--rows`` source rows as a tenant list or a grid worker's notes would have them: most are
   noisy copies of a person (the truth is kept), some are people the registry does not hold.
2. Links the rows to the persons with :func:`civicgrid.registry.linkage.link_rows` (Splink,
   DuckDB embedded): the model learns u by random sampling and m by EM from the data itself.
3. Scores the decisions against the truth.

Prints one JSON line:

* ``precision`` / ``recall`` / ``f1``: of the automatic links (a link is right when the person is
  the row's true person; recall counts rows that have a true person);
* ``review_share``: rows sent to the review queue; ``with_review_*``: the same figures if a
  reviewer accepted every review candidate that is right (an upper bound for the queue);
* ``seconds`` (generation excluded) with the linker's own phases, ``pairs`` scored, the
  trained parameters and the machine's CPU count.

The issue's goal: 200,000 rows against 2,500,000 persons with F1 at least 0.97.
The noise is the bench's own (see ``noisy_row``); the linker is told nothing about it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_DEBUG", "false")

# --- a small generator (the registry's own synthetic city may replace it) -------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰建国志文辉力鹏飞斌宇浩凯健俊帆"
    "帅旭宁龙林欢阳佳嘉琪琳晨雪婷倩颖欣怡梓涵子轩浩然博文思雨一诺雨萱宏海波峰春梅秋菊冬松柏"
    "金银山水云天瑞祥福寿安康乐荣昌盛兴旺德才贤良美慧巧玲珊珍翠凤燕莉丹青蓉薇晓东南西北"
)
DISTRICTS = {
    "香洲区": ["拱北街道", "吉大街道", "翠香街道", "梅华街道", "前山街道", "湾仔街道", "狮山街道"],
    "金湾区": ["三灶镇", "红旗镇", "平沙镇"],
    "斗门区": ["井岸镇", "白蕉镇", "白藤街道", "斗门镇"],
}
ROAD_WORDS = "人民凤凰迎宾海滨情侣吉大拱北前山梅华紫荆翠香南屏湾仔明珠金鸡白石兰埔柠溪桃园"
ROAD_ENDS = ("路", "路", "大道", "街")
ESTATES = ["花园", "小区", "新村", "苑", "广场", "公寓", "大厦"]
TRADITIONAL = dict(
    zip(
        "张刘陈杨黄赵吴郑谢韩邓冯伟华国丽强军杰龙凤云兴",
        "張劉陳楊黃趙吳鄭謝韓鄧馮偉華國麗強軍傑龍鳳雲興",
        strict=True,
    )
)
CN = "零一二三四五六七八九"


@dataclass
class Person:
    key: int
    name: str
    phone: str
    birth_date: date
    parts: dict[str, str]


def _phone(rng: random.Random) -> str:
    return rng.choice("3456789") and f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _dwelling(rng: random.Random, roads: list[tuple[str, str, str]]) -> dict[str, str]:
    district, street, road = rng.choice(roads)
    return {
        "district": district,
        "street": street,
        "community": "",
        "road": road,
        "house_number": f"{rng.randint(1, 300)}号",
        "building": f"{rng.randint(1, 30)}栋",
        "unit": f"{rng.randint(1, 4)}单元",
        "room": f"{rng.randint(1, 32)}{rng.randint(1, 8):02d}",
    }


def make_persons(count: int, rng: random.Random) -> list[Person]:
    # Surnames and given characters follow a long tail, as real names do (Zipf-like weights).
    surname_weights = [1 / (i + 1) ** 0.9 for i in range(len(SURNAMES))]
    given_weights = [1 / (i + 1) ** 0.6 for i in range(len(GIVEN))]
    roads = []
    for district, streets in DISTRICTS.items():
        for i in range(60):
            word = ROAD_WORDS[i % len(ROAD_WORDS)] + ROAD_WORDS[(i * 7 + 3) % len(ROAD_WORDS)]
            roads.append((district, rng.choice(streets), word + rng.choice(ROAD_ENDS)))
    persons: list[Person] = []
    while len(persons) < count:
        parts = _dwelling(rng, roads)
        surname = rng.choices(SURNAMES, surname_weights)[0]
        family_phone = _phone(rng)
        head_year = rng.randint(1940, 2000)
        for member in range(min(rng.choice((1, 1, 2, 2, 3, 3, 4, 5)), count - len(persons))):
            given = "".join(rng.choices(GIVEN, given_weights, k=rng.choice((1, 2, 2, 2))))
            last = surname if member != 1 else rng.choices(SURNAMES, surname_weights)[0]
            year = head_year + (rng.randint(22, 35) if member >= 2 else rng.randint(-3, 3))
            year = min(year, 2023)
            born = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            phone = family_phone if (member >= 2 and rng.random() < 0.4) else _phone(rng)
            persons.append(Person(len(persons), last + given, phone, born, dict(parts)))
    return persons


def _address_text(parts: dict[str, str], rng: random.Random) -> str:
    room = parts["room"]
    pieces = []
    if rng.random() < 0.3:
        pieces.append("珠海市")
    if rng.random() < 0.6:
        pieces.append(parts["district"])
    if rng.random() < 0.3:
        pieces.append(parts["street"])
    number, building = parts["house_number"], parts["building"]
    if rng.random() < 0.2:  # Chinese numerals for the building
        building = "".join(CN[int(d)] for d in building[:-1]) + rng.choice("栋座幢")
    text = "".join(pieces) + parts["road"] + number
    if rng.random() < 0.3:
        text += rng.choice(ESTATES)
    text += building
    if rng.random() < 0.5:
        text += parts["unit"]
    if rng.random() < 0.9:
        text += room + rng.choice(("", "房", "室"))
    return text


def noisy_row(person: Person, rng: random.Random, roads_from: list[Person]) -> dict[str, Any]:
    name = list(person.name)
    roll = rng.random()
    if roll < 0.08:  # a different character in the given name
        position = rng.randrange(1, len(name)) if len(name) > 1 else 0
        name[position] = rng.choice(GIVEN)
    elif roll < 0.13:  # traditional characters
        name = [TRADITIONAL.get(c, c) for c in name]
    elif roll < 0.16 and len(name) == 3:  # given-name characters swapped
        name[1], name[2] = name[2], name[1]
    elif roll < 0.18:  # a space inside
        name.insert(1, " ")
    phone = person.phone
    roll = rng.random()
    if roll < 0.15:
        phone = ""
    elif roll < 0.20:
        position = rng.randrange(3, 11)
        phone = (
            phone[:position]
            + str((int(phone[position]) + rng.randint(1, 9)) % 10)
            + phone[position + 1 :]
        )
    elif roll < 0.28:
        phone = _phone(rng)  # a new number
    elif roll < 0.33:
        phone = f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    birth: str = ""
    if rng.random() < 0.5:
        birth = person.birth_date.isoformat()
        if rng.random() < 0.04:
            birth = person.birth_date.replace(
                day=min(28, person.birth_date.day % 28 + 1)
            ).isoformat()
        elif rng.random() < 0.3:
            birth = (
                f"{person.birth_date.year}年{person.birth_date.month}月{person.birth_date.day}日"
            )
    parts = person.parts
    if rng.random() < 0.1:  # moved since: another person's dwelling
        parts = rng.choice(roads_from).parts
    address = _address_text(parts, rng) if rng.random() < 0.95 else ""
    return {"name": "".join(name), "phone": phone, "birth_date": birth, "address": address}


def make_rows(
    persons: list[Person], count: int, rng: random.Random, unmatched_share: float
) -> tuple[list[dict[str, Any]], list[int | None]]:
    rows: list[dict[str, Any]] = []
    truth: list[int | None] = []
    strangers = make_persons(max(1, int(count * unmatched_share) + 10), random.Random(rng.random()))
    chosen = rng.sample(range(len(persons)), count)
    for i in range(count):
        if i < int(count * unmatched_share):
            rows.append(noisy_row(strangers[i], rng, persons))
            truth.append(None)
        else:
            person = persons[chosen[i]]
            rows.append(noisy_row(person, rng, persons))
            truth.append(person.key)
    order = list(range(count))
    rng.shuffle(order)
    return [rows[i] for i in order], [truth[i] for i in order]


def synthetic_inputs(
    persons: int, rows: int, seed: int, unmatched_share: float
) -> tuple[list[Any], list[Any], list[Any]]:
    """Persons and noisy rows from the registry's synthetic city (the demo territory is loaded
    into a scratch SQLite database first); rows of people beyond ``persons`` have no match.

    Both sides' addresses are read by the registry's placement parser, as an import and a
    linkage run read them."""

    from django.core.management import call_command

    from civicgrid.demo.loader import load_territory
    from civicgrid.registry.linkage import LinkRecord
    from civicgrid.registry.linkage.features import AddressReader
    from civicgrid.registry.synthetic import SyntheticCity, grids_from_database, noisy_copies

    call_command("migrate", verbosity=0)
    load_territory()
    strangers = int(rows * unmatched_share)
    population = persons + strangers * 10  # strangers are drawn from people beyond the registry
    city = SyntheticCity(
        grids_from_database("4404"),
        seed=seed,
        dwellings=max(1000, population // 3),
        entities=max(100, population // 10),
    )
    people = list(city.persons(population))
    reader = AddressReader()
    registered = people[:persons]
    person_records = [
        LinkRecord(
            p["id_number"],
            p["name"],
            p.get("phone") or "",
            p.get("birth_date") or None,
            p.get("current_address") or "",
            address_parts=reader.parts(p.get("current_address") or ""),
        )
        for p in registered
    ]
    rng = random.Random(seed)
    inside = list(noisy_copies(registered, rows - strangers, seed, population=persons))
    outside = list(noisy_copies(people[persons:], strangers, seed + 1))
    copies = inside + outside
    rng.shuffle(copies)
    known = {p["id_number"] for p in registered}
    row_records = [
        LinkRecord(
            i,
            c["name"],
            c["phone"],
            c["birth_date"] or None,
            c["address"],
            address_parts=reader.parts(c["address"]),
        )
        for i, c in enumerate(copies)
    ]
    truth = [c["truth_id_number"] if c["truth_id_number"] in known else None for c in copies]
    global NOISE
    NOISE = [c.get("noise", "") for c in copies]
    return person_records, row_records, truth


NOISE: list[str] = []


def through_database(
    person_records: list[Any], row_records: list[Any], settings: Any
) -> tuple[list[Any], dict[str, float]]:
    """Store the persons (with their addresses) and the rows (as source records of ``grid``)
    in the scratch database, run :func:`link_source_records` as the command does, and read
    the outcome back as one result per row (linked: the record's person; review: its open
    candidates)."""
    from django.utils import timezone

    from civicgrid.registry import crypto
    from civicgrid.registry.linkage import LINKED, REVIEW, UNMATCHED, Candidate, RowLink
    from civicgrid.registry.linkage.features import normalise_birth_date
    from civicgrid.registry.linkage.services import link_source_records
    from civicgrid.registry.models import (
        Address,
        Building,
        LinkCandidate,
        Person,
        ReviewStatus,
        Source,
        SourceRecord,
    )

    timings: dict[str, float] = {}
    started = time.perf_counter()
    buildings: dict[str, Building] = {}
    addresses: dict[str, Address] = {}
    for record in person_records:
        parts = record.address_parts or {}
        if not parts.get("road") and not parts.get("community"):
            continue
        building_key = "|".join(
            parts.get(n, "") for n in ("district", "community", "road", "house_number", "building")
        )
        if building_key not in buildings:
            buildings[building_key] = Building(
                key=building_key[:200],
                district=parts.get("district", "")[:40],
                street=parts.get("street", "")[:40],
                community=parts.get("community", "")[:60],
                road=parts.get("road", "")[:60],
                house_number=parts.get("house_number", "")[:20],
                building_name=parts.get("building", "")[:60],
                admin_unit_code="4404",
            )
        address_key = f"{building_key}|{parts.get('unit', '')}|{parts.get('room', '')}"
        if address_key not in addresses:
            addresses[address_key] = Address(
                key=address_key[:240],
                building=buildings[building_key],
                unit=parts.get("unit", "")[:20],
                room=parts.get("room", "")[:20],
                full_text=(record.address or address_key)[:300],
                admin_unit_code="4404",
            )
    Building.objects.bulk_create(buildings.values(), batch_size=5000)
    for address in addresses.values():
        address.building_id = address.building.pk
    Address.objects.bulk_create(addresses.values(), batch_size=5000)
    batch: list[Person] = []
    for record in person_records:
        parts = record.address_parts or {}
        building_key = "|".join(
            parts.get(n, "") for n in ("district", "community", "road", "house_number", "building")
        )
        address = addresses.get(f"{building_key}|{parts.get('unit', '')}|{parts.get('room', '')}")
        key = str(record.key)
        batch.append(
            Person(
                id_hash=crypto.id_hash(key),
                id_sealed=key,  # the bench keeps the key readable: it is no real ID number
                id_masked=key[:18],
                name=record.name[:60],
                sex="M",
                birth_date=normalise_birth_date(record.birth_date) or "1900-01-01",
                region_code="440402",
                phone=(record.phone or "")[:20],
                current_address=address,
                admin_unit_code="4404",
            )
        )
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    source, _ = Source.objects.get_or_create(code="grid", defaults={"name": "网格采集"})
    now = timezone.now()
    SourceRecord.objects.bulk_create(
        (
            SourceRecord(
                source=source,
                entity_kind="person",
                natural_key="",
                fingerprint=f"bench-{i}",
                fields={
                    "name": r.name,
                    "phone": r.phone,
                    "address": r.address,
                    "birth_date": str(r.birth_date or ""),
                },
                received_at=now,
                line=i,
            )
            for i, r in enumerate(row_records)
        ),
        batch_size=5000,
    )
    timings["store_seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    summary = link_source_records(actor=None, settings=settings)
    timings["service_seconds"] = time.perf_counter() - started
    timings.update({f"service_{k}": v for k, v in summary.timings.items()})

    key_of = {
        pk: crypto_key
        for pk, crypto_key in Person.objects.values_list("pk", "id_sealed").iterator(
            chunk_size=20000
        )
    }
    original = {str(r.key): r.key for r in person_records}
    by_line = dict(SourceRecord.objects.filter(source=source).values_list("line", "person_id"))
    record_line = dict(SourceRecord.objects.filter(source=source).values_list("pk", "line"))
    open_candidates: dict[int, list[Any]] = {}
    for record_id, person_id, probability in LinkCandidate.objects.filter(
        status=ReviewStatus.OPEN
    ).values_list("source_record_id", "person_id", "match_probability"):
        open_candidates.setdefault(record_line[record_id], []).append(
            Candidate(original[key_of[person_id]], probability, 0.0)
        )
    results = []
    for i in range(len(row_records)):
        person_id = by_line.get(i)
        if person_id is not None:
            key = original[key_of[person_id]]
            results.append(RowLink(i, LINKED, key, 1.0))
        elif i in open_candidates:
            candidates = tuple(open_candidates[i])
            results.append(RowLink(i, REVIEW, candidates[0].person_key, 0.0, candidates))
        else:
            results.append(RowLink(i, UNMATCHED, None, 0.0))
    return results, timings


def misses_by_noise(results: list[Any], truth: list[Any]) -> dict[str, int]:
    """How often each kind of noise occurs in rows whose true person was not linked."""
    counts: dict[str, int] = {}
    for result, true_key, noise in zip(results, truth, NOISE, strict=False):
        if true_key is None or (result.decision == "linked" and result.person_key == true_key):
            continue
        for label in (noise or "none").split(";"):
            counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def score(results: list[Any], truth: list[Any]) -> dict[str, Any]:
    linked = right = review = review_right = 0
    for result, true_key in zip(results, truth, strict=True):
        if result.decision == "linked":
            linked += 1
            right += int(result.person_key == true_key)
        elif result.decision == "review":
            review += 1
            review_right += int(any(c.person_key == true_key for c in result.candidates))
    with_match = sum(1 for t in truth if t is not None)

    def prf(tp: int, predicted: int) -> tuple[float, float, float]:
        precision = tp / predicted if predicted else 1.0
        recall = tp / with_match if with_match else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return round(precision, 4), round(recall, 4), round(f1, 4)

    precision, recall, f1 = prf(right, linked)
    wr_precision, wr_recall, wr_f1 = prf(right + review_right, linked + review_right)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "linked": linked,
        "review": review,
        "unmatched": len(results) - linked - review,
        "review_share": round(review / len(results), 4) if results else 0.0,
        "with_review_precision": wr_precision,
        "with_review_recall": wr_recall,
        "with_review_f1": wr_f1,
        "rows_with_a_true_match": with_match,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--unmatched-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=4404)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--memory-limit", default=None)
    parser.add_argument("--accept", type=float, default=0.95)
    parser.add_argument("--review", type=float, default=0.5)
    parser.add_argument(
        "--generator",
        choices=("synthetic", "simple"),
        default="synthetic",
        help="the registry's synthetic city (default) or the bench's own small generator",
    )
    parser.add_argument(
        "--through-database",
        action="store_true",
        help="store persons and rows in the scratch database and link with the service",
    )
    parser.add_argument(
        "--database-url",
        help="postgres://…/NAME: a scratch PostgreSQL database instead of SQLite (created, "
        "migrated and dropped; never name a database you need)",
    )
    options = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="civicgrid-linkage-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    if options.database_url:
        from registry_import import _scratch_postgres  # this directory: the import bench

        _scratch_postgres(options.database_url, create=True)
        os.environ["DATABASE_URL"] = options.database_url
    import django

    django.setup()
    from civicgrid.registry.linkage import LinkageSettings, LinkRecord, link_rows

    started = time.perf_counter()
    if options.generator == "synthetic":
        person_records, row_records, truth = synthetic_inputs(
            options.persons, options.rows, options.seed, options.unmatched_share
        )
    else:
        if options.through_database:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        rng = random.Random(options.seed)
        persons = make_persons(options.persons, rng)
        rows, truth = make_rows(persons, options.rows, rng, options.unmatched_share)
        person_records = [
            LinkRecord(p.key, p.name, p.phone, p.birth_date, address_parts=p.parts) for p in persons
        ]
        row_records = [
            LinkRecord(i, r["name"], r["phone"], r["birth_date"] or None, r["address"])
            for i, r in enumerate(rows)
        ]
    generation_seconds = time.perf_counter() - started
    settings = LinkageSettings(
        accept_threshold=options.accept,
        review_threshold=options.review,
        threads=options.threads,
        memory_limit=options.memory_limit,
        seed=options.seed,
    )
    if options.through_database:
        results, timings = through_database(person_records, row_records, settings)
        report = {
            "bench": "registry_linkage",
            "mode": "through_database",
            "persons": options.persons,
            "rows": options.rows,
            "generator": options.generator,
            **score(results, truth),
            "seconds": round(timings["service_seconds"], 1),
            "phases": {k: round(v, 1) for k, v in timings.items()},
            "generation_seconds": round(generation_seconds, 1),
            "accept_threshold": options.accept,
            "review_threshold": options.review,
            "misses_by_noise": misses_by_noise(results, truth) if NOISE else None,
            "cpus": os.cpu_count(),
            "database": "postgresql" if options.database_url else "sqlite",
        }
        print(json.dumps(report, ensure_ascii=False))
        shutil.rmtree(workdir, ignore_errors=True)
        if options.database_url:
            from django.db import connections

            connections.close_all()
            _scratch_postgres(options.database_url, create=False)
        return 0
    started = time.perf_counter()
    outcome = link_rows(row_records, person_records, settings=settings)
    seconds = time.perf_counter() - started

    report = {
        "bench": "registry_linkage",
        "mode": "engine",
        "persons": options.persons,
        "rows": options.rows,
        "generator": options.generator,
        **score(outcome.results, truth),
        "seconds": round(seconds, 1),
        "phases": {k: round(v, 1) for k, v in outcome.timings.items()},
        "pairs": outcome.pair_count,
        "generation_seconds": round(generation_seconds, 1),
        "accept_threshold": options.accept,
        "review_threshold": options.review,
        "trained": outcome.model.get("trained"),
        "misses_by_noise": misses_by_noise(outcome.results, truth) if NOISE else None,
        "parameters": outcome.model.get("parameters"),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(report, ensure_ascii=False))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
