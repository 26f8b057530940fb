"""Reads of the taxonomy and responsibility catalogue for the administrators' page (分类与权责
清单). The catalogue is configuration, not personal data: it needs no data scope, only the
administrator check the page does."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import AppealType, Category, ResponsibilityRule, TimeLimit


@dataclass
class CategoryNode:
    category: Category
    depth: int
    limits: dict[str, TimeLimit] = field(default_factory=dict)  # type → own override


@dataclass
class CatalogueOverview:
    categories: list[CategoryNode]
    defaults: list[TimeLimit]
    rules: list[ResponsibilityRule]


def categories_in_tree_order(categories: list[Category]) -> list[tuple[Category, int]]:
    """Each category with its depth, parents before their children, siblings by code."""
    children: dict[int | None, list[Category]] = {}
    for category in sorted(categories, key=lambda c: c.code):
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[tuple[Category, int]] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for child in children.get(parent_id, []):
            if child.pk in seen:
                continue
            seen.add(child.pk)
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    ordered.extend((c, 0) for c in sorted(categories, key=lambda c: c.code) if c.pk not in seen)
    return ordered


def catalogue_overview() -> CatalogueOverview:
    """The category tree with its own time limits, the defaults per type and every rule
    (a fixed number of queries whatever the size)."""
    categories = list(Category.objects.select_related("parent"))
    overrides: dict[int, dict[str, TimeLimit]] = {}
    defaults: dict[str, TimeLimit] = {}
    for limit in TimeLimit.objects.all():
        if limit.category_id is None:
            defaults[limit.appeal_type] = limit
        else:
            overrides.setdefault(limit.category_id, {})[limit.appeal_type] = limit
    nodes = [
        CategoryNode(category, depth, overrides.get(category.pk, {}))
        for category, depth in categories_in_tree_order(categories)
    ]
    rules = list(
        ResponsibilityRule.objects.select_related("category", "admin_unit", "lead_department")
        .prefetch_related("cooperating_departments")
        .order_by("category__code", "admin_unit__code")
    )
    ordered_defaults = [defaults[t] for t in AppealType.values if t in defaults]
    return CatalogueOverview(nodes, ordered_defaults, rules)
