"""Writing chunks of addresses and households (see :mod:`.writers` for the common flow)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.masking import mask_id_number

from .. import crypto
from ..models import (
    Address,
    Building,
    EntityKind,
    Household,
    HouseholdMember,
    Relation,
)
from .bulk import dumps, select_in
from .merge import Conflict, merge_fields, new_field_sources
from .placement import address_key
from .validation import AddressRow, HouseholdRow, RowError, masked
from .writers import (
    ChunkCounts,
    Context,
    Place,
    _fingerprint,
    _known_fingerprints,
    _locate,
    _open_conflicts,
    keep_source_records,
)

# ------------------------------------------------------------------------------ addresses


def write_addresses(ctx: Context, rows: Sequence[AddressRow]) -> ChunkCounts:
    counts = ChunkCounts()
    kind = EntityKind.ADDRESS
    prepared = []
    for row in rows:
        key = address_key(row.address)
        fields = {"key": key, **row.values}
        fields_json = dumps(fields)
        prepared.append((row, key, fields_json, _fingerprint(key, fields_json)))
    known = _known_fingerprints(ctx, kind, [item[3] for item in prepared])
    todo = [item for item in prepared if (item[1], item[3]) not in known]
    counts.unchanged += len(prepared) - len(todo)
    if not todo:
        return counts
    keys = [item[1] for item in todo]
    before = set(Address.objects.filter(key__in=keys).values_list("key", flat=True))
    located = _locate(ctx, [item[0].point for item in todo])
    parsed_with_points = [
        (
            row.address
            if row.point is None
            else ctx.placer.with_point(row.address, row.point[0], row.point[1]),
            located[i],
        )
        for i, (row, *_rest) in enumerate(todo)
    ]
    ctx.addresses.resolve(parsed_with_points)
    buildings = {
        address.key: address
        for address in Address.objects.filter(key__in=keys).select_related("building")
    }
    conflicts: list[tuple[int | None, int | None, str, str, Conflict]] = []
    changed_buildings: dict[int, Building] = {}
    changed_addresses: dict[int, Address] = {}
    for i, (row, key, _fields, fingerprint) in enumerate(todo):
        if key not in before:
            counts.created += 1
            address = buildings[key]
            address.field_sources = new_field_sources(
                ["key", *(["location"] if row.point else [])], ctx.source_code, ctx.at_iso
            )
            changed_addresses[address.pk] = address
            continue
        address = buildings[key]
        if row.point is None:
            counts.unchanged += 1
            continue
        building = address.building
        current = f"{building.lon:.6f},{building.lat:.6f}" if building.lon is not None else ""
        incoming = f"{row.point[0]:.6f},{row.point[1]:.6f}"
        result = merge_fields(
            authority=ctx.authority,
            kind=kind,
            source=ctx.source_code,
            at=ctx.at_iso,
            current={"location": current},
            field_sources=address.field_sources or {},
            incoming={"location": incoming},
        )
        conflicts.extend((None, None, key, fingerprint, c) for c in result.conflicts)
        if not result.is_changed:
            counts.unchanged += 1
            continue
        counts.updated += 1
        if "location" in result.changes:
            building.lon, building.lat = row.point
            if located[i] is not None:
                building.admin_unit_code, building.admin_unit_id = located[i]
                address.admin_unit_code = located[i][0]
            changed_buildings[building.pk] = building
        address.field_sources = result.field_sources
        changed_addresses[address.pk] = address
    Building.objects.bulk_update(
        changed_buildings.values(),
        ["lon", "lat", "admin_unit", "admin_unit_code", "updated_at"],
        batch_size=500,
    )
    Address.objects.bulk_update(
        changed_addresses.values(), ["field_sources", "admin_unit_code"], batch_size=500
    )
    keep_source_records(
        ctx,
        kind,
        (
            (row.line, key, fields_json, fingerprint, buildings[key].admin_unit_code, None, None)
            for row, key, fields_json, fingerprint in todo
        ),
    )
    counts.conflicts += _open_conflicts(ctx, kind, conflicts)
    return counts


# ----------------------------------------------------------------------------- households


def write_households(ctx: Context, rows: Sequence[HouseholdRow]) -> ChunkCounts:
    counts = ChunkCounts()
    kind = EntityKind.HOUSEHOLD
    prepared = []
    for row in rows:
        member = crypto.id_hash(row.id_number)
        key = f"{row.number}:{member}"
        fields = {
            "household_number": row.number,
            "id_masked": mask_id_number(row.id_number),
            "relation": row.relation,
            **row.values,
        }
        fields_json = dumps(fields)
        prepared.append((row, key, fields_json, _fingerprint(key, fields_json), member))
    known = _known_fingerprints(ctx, kind, [item[3] for item in prepared])
    todo = [item for item in prepared if (item[1], item[3]) not in known]
    counts.unchanged += len(prepared) - len(todo)
    if not todo:
        return counts
    persons = dict(
        select_in(
            "SELECT id_hash, id FROM registry_person WHERE id_hash IN_VALUES",
            [item[4] for item in todo],
        )
    )
    ok = []
    for item in todo:
        if item[4] not in persons:
            row = item[0]
            counts.errors.append(
                RowError(
                    row.line,
                    "id_number",
                    masked("id_number", row.id_number),
                    _(
                        "身份证号 (id_number): no person with this ID number in the registry; "
                        "import the persons first."
                    ),
                )
            )
        else:
            ok.append(item)
    todo = ok
    if not todo:
        return counts
    with_address = [i for i, item in enumerate(todo) if item[0].address is not None]
    places: list[Place | None] = [None] * len(todo)
    for i, resolved_place in zip(
        with_address,
        ctx.addresses.resolve([(todo[i][0].address, None) for i in with_address]),  # type: ignore[misc]
        strict=True,
    ):
        places[i] = resolved_place
    numbers = list(dict.fromkeys(item[0].number for item in todo))
    households = {
        h.number: h for h in Household.objects.filter(number__in=numbers).select_related("address")
    }
    conflicts: list[tuple[int | None, int | None, str, str, Conflict]] = []
    touched: dict[str, Household] = {}
    created_numbers = set()
    for i, (row, _key, _fields, fingerprint, _member) in enumerate(todo):
        place = places[i]
        household = households.get(row.number)
        if household is None:
            household = Household(
                number=row.number,
                kind=row.values.get("kind", Household.Kind.FAMILY),
                admin_unit_code=ctx.city_code,
            )
            given = [name for name in ("kind",) if name in row.values]
            if place is not None and place.address_id is not None:
                household.address_id = place.address_id
                given.append("address")
            if place is not None and place.unit_code:
                household.admin_unit_code = place.unit_code
            household.field_sources = new_field_sources(given, ctx.source_code, ctx.at_iso)
            households[row.number] = household
            created_numbers.add(row.number)
            touched[row.number] = household
            continue
        current = {
            "kind": household.kind if "kind" in (household.field_sources or {}) else "",
            "address": household.address.key if household.address else "",
        }
        incoming: dict[str, Any] = {}
        if "kind" in row.values:
            incoming["kind"] = row.values["kind"]
        if place is not None and place.address_key:
            incoming["address"] = place.address_key
        result = merge_fields(
            authority=ctx.authority,
            kind=kind,
            source=ctx.source_code,
            at=ctx.at_iso,
            current=current,
            field_sources=household.field_sources or {},
            incoming=incoming,
        )
        conflicts.extend((None, None, row.number, fingerprint, c) for c in result.conflicts)
        if result.is_changed:
            for name, value in result.changes.items():
                if name == "address" and place is not None:
                    household.address_id = place.address_id
                    household.admin_unit_code = place.unit_code or household.admin_unit_code
                elif name == "kind":
                    household.kind = value
            household.field_sources = result.field_sources
            touched[row.number] = household
    Household.objects.bulk_create(
        [households[number] for number in created_numbers], batch_size=500
    )
    Household.objects.bulk_update(
        [h for number, h in touched.items() if number not in created_numbers],
        ["kind", "address", "admin_unit_code", "field_sources", "updated_at"],
        batch_size=500,
    )
    household_ids = dict(Household.objects.filter(number__in=numbers).values_list("number", "pk"))
    # Members: add or change the relation; one head per household.
    members = {
        (m.household_id, m.person_id): m
        for m in HouseholdMember.objects.filter(household_id__in=household_ids.values())
    }
    heads = {hid: pid for (hid, pid), m in members.items() if m.relation == Relation.HEAD}
    new_members = []
    changed_members = []
    for row, _key, _fields, _fp, member in todo:
        hid = household_ids[row.number]
        pid = persons[member]
        if row.relation == Relation.HEAD and heads.get(hid, pid) != pid:
            counts.errors.append(
                RowError(
                    row.line,
                    "relation",
                    row.relation,
                    _("与户主关系 (relation): household %(number)s already has a head.")
                    % {"number": row.number},
                )
            )
            continue
        if row.relation == Relation.HEAD:
            heads[hid] = pid
        found = members.get((hid, pid))
        if found is None:
            found = HouseholdMember(household_id=hid, person_id=pid, relation=row.relation)
            members[(hid, pid)] = found
            new_members.append(found)
            counts.created += 1
        elif found.relation != row.relation:
            if found.relation == Relation.HEAD:
                heads.pop(hid, None)
            found.relation = row.relation
            changed_members.append(found)
            counts.updated += 1
        elif row.number in touched and row.number not in created_numbers:
            counts.updated += 1  # the household's kind or address changed
        else:
            counts.unchanged += 1
    HouseholdMember.objects.bulk_create(new_members, batch_size=500)
    HouseholdMember.objects.bulk_update(changed_members, ["relation", "updated_at"], batch_size=500)
    bad_lines = {error.line for error in counts.errors}
    keep_source_records(
        ctx,
        kind,
        (
            (
                row.line,
                key,
                fields_json,
                fingerprint,
                households[row.number].admin_unit_code,
                persons[member],
                None,
            )
            for row, key, fields_json, fingerprint, member in todo
            if row.line not in bad_lines
        ),
    )
    counts.conflicts += _open_conflicts(ctx, kind, conflicts)
    return counts
