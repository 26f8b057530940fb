"""Unit names as written → departments of the catalogue (pure Python; the caller builds it).

``UnitCatalogue.from_entries(entries)`` takes the city's departments (code, full name, short
name, aliases, kind, admin unit, parent) and ``resolve(name)`` answers with a
:class:`UnitResolution`:

* ``exact``: the full or the short name (市民政局, 珠海市民政局);
* ``alias``: a listed alias, or an abbreviation derived from the names: the city prefix
  (珠海市 → 市, 中共珠海市委 → 市委, 共青团珠海市委员会 → 团市委), 人民政府 and 和 dropped, and a
  short form whose characters are taken in order from the full name with the same first and
  last character (市人社局 ← 市人力资源和社会保障局; 市人力资源保障局 too); a name the table wrote
  without its prefix (社管部 → 市委社管部);
* ``fuzzy``: a close but not certain match (several candidates, or only similar): review it;
* ``collective``: 各区 / 各镇(街) / 各乡镇(处) / 各社区 expand to the departments of that kind;
  相关单位 / 有关部门 / 各成员单位 stay collective without codes and are flagged;
* ``unknown``: no department found: flagged for review, never dropped.

A bracket names another name of the same body (市委政法委(市综治办)) or a separate office
(市委政法委(社管部)); both are resolved and the note says which.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

ResolutionStatus = Literal["exact", "alias", "fuzzy", "collective", "unknown"]

# Collective names → the kind of department they cover (None: no list can be made).
COLLECTIVE_KINDS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"^(各|全市各)(行政)?区(政府|人民政府|管委会)?$"), "district"),
    (re.compile(r"^(各|全市各)(县|县区|区县|县\(市、区\)|区\(县\))(政府)?$"), "district"),
    (
        re.compile(
            r"^(各|全市各)(镇街|镇\(街\)|镇\(街道\)|镇街道|街镇|乡镇|乡镇\(处\)|乡镇\(街道\)|"
            r"镇|街道|街道办事处|镇政府|镇人民政府)$"
        ),
        "street",
    ),
    (
        re.compile(r"^(各|全市各)(社区|村\(居\)|村居|村\(社区\)|社区居委会|居委会|村委会)$"),
        "community",
    ),
]
COLLECTIVE_WORDS = re.compile(
    r"(^(各|全市各|市直各|所有|相关|有关|其他|其它)|成员单位$|相关单位$|有关单位$|相关部门$|有关部门$|"
    r"职能部门$|各单位$|各部门$)"
)
CITY_PREFIXES = (
    ("中共珠海市委员会", "市委"),
    ("中共珠海市委", "市委"),
    ("共青团珠海市委员会", "团市委"),
    ("共青团珠海市委", "团市委"),
    ("珠海市人民政府", "市"),
    ("珠海市", "市"),
    ("珠海", ""),
)


FULL_WIDTH = str.maketrans("（）　", "() ")


@dataclass(frozen=True)
class CatalogueEntry:
    """A department of the city as the catalogue knows it."""

    code: str
    name: str
    short_name: str = ""
    aliases: tuple[str, ...] = ()
    kind: str = ""
    admin_unit_code: str | None = ""
    parent_code: str | None = ""


@dataclass(frozen=True)
class UnitResolution:
    """What a written name stands for."""

    status: ResolutionStatus
    department_codes: tuple[str, ...] = ()
    note: str = ""

    @property
    def needs_review(self) -> bool:
        return self.status in {"fuzzy", "unknown"} or (
            self.status == "collective" and not self.department_codes
        )


def _clean(name: str) -> str:
    text = name.translate(FULL_WIDTH)
    return re.sub(r"\s+", "", text)


def _outer_and_bracket(name: str) -> tuple[str, str]:
    match = re.fullmatch(r"(.+?)\(([^()]+)\)", name)
    if match:
        return match[1], match[2]
    return name, ""


def _city_forms(name: str, city: str) -> set[str]:
    """珠海市民政局 → {珠海市民政局, 市民政局, 民政局 …}: the forms a document may use."""
    forms = {name}
    prefixes = [(old.replace("珠海", city), new) for old, new in CITY_PREFIXES]
    for old, new in prefixes:
        if name.startswith(old):
            forms.add(new + name[len(old) :])
    more = set()
    for form in forms:
        more.add(form.replace("人民政府", ""))
        more.add(form.replace("和", ""))
        more.add(form.replace("委员会", "委"))
        more.add(form.replace("管理委员会", "管委会"))
        more.add(re.sub(r"^中共", "", form))
    forms |= more
    return {form for form in forms if len(form) >= 2}


def _is_subsequence(short: str, long: str) -> bool:
    iterator = iter(long)
    return all(ch in iterator for ch in short)


@dataclass
class UnitCatalogue:
    """Departments indexed by every form of their names."""

    entries: list[CatalogueEntry]
    city: str = "珠海"
    _by_form: dict[str, set[str]] = field(default_factory=dict)
    _listed: dict[str, str] = field(default_factory=dict)  # exact names → code
    _aliases: dict[str, str] = field(default_factory=dict)
    _full_forms: dict[str, set[str]] = field(default_factory=dict)  # code → forms

    @classmethod
    def from_entries(
        cls, entries: Iterable[CatalogueEntry], *, city: str = "珠海"
    ) -> UnitCatalogue:
        catalogue = cls(entries=list(entries), city=city)
        for entry in catalogue.entries:
            for name in (entry.name, entry.short_name):
                if name:
                    catalogue._listed[_clean(name)] = entry.code
            for alias in entry.aliases:
                if alias:
                    catalogue._aliases[_clean(alias)] = entry.code
            forms: set[str] = set()
            for name in (entry.name, entry.short_name, *entry.aliases):
                if name:
                    forms |= _city_forms(_clean(name), city)
            catalogue._full_forms[entry.code] = forms
            for form in forms:
                catalogue._by_form.setdefault(form, set()).add(entry.code)
        return catalogue

    def of_kind(self, kind: str) -> tuple[str, ...]:
        return tuple(entry.code for entry in self.entries if entry.kind == kind)

    def name_of(self, code: str) -> str:
        return next((entry.name for entry in self.entries if entry.code == code), code)

    def resolve(self, name_as_written: str) -> UnitResolution:
        """The department(s) a name as written stands for."""
        name = _clean(name_as_written)
        if not name:
            return UnitResolution("unknown", (), "空的单位名称 (empty name)")
        single = self._resolve_single(name)
        if single.status != "unknown":
            return single
        outer, inner = _outer_and_bracket(name)
        if inner:
            return self._resolve_bracketed(name, outer, inner)
        return single

    def _resolve_bracketed(self, name: str, outer: str, inner: str) -> UnitResolution:
        outer_found = self._resolve_single(outer)
        inner_found = self._resolve_single(inner)
        if outer_found.status == "collective":
            return UnitResolution(
                "collective",
                outer_found.department_codes,
                f"集合名称“{outer}”,括号“{inner}”为补充说明 (collective; bracket explains it)",
            )
        if outer_found.status == "unknown":
            if inner_found.status != "unknown":
                return UnitResolution(
                    "fuzzy",
                    inner_found.department_codes,
                    f"按括号内“{inner}”识别,请核对 (matched by the bracket only: check)",
                )
            return UnitResolution("unknown", (), f"未找到“{name}”对应的部门 (no department found)")
        if inner_found.status == "unknown" or set(inner_found.department_codes) <= set(
            outer_found.department_codes
        ):
            note = (
                f"括号内“{inner}”为同一机构的另一名称 (the bracket names the same body)"
                if inner_found.status != "unknown"
                else f"括号内“{inner}”未识别 (the bracket is not a known body)"
            )
            return UnitResolution("alias", outer_found.department_codes, note)
        codes = outer_found.department_codes + tuple(
            code
            for code in inner_found.department_codes
            if code not in outer_found.department_codes
        )
        return UnitResolution(
            "alias",
            codes,
            f"括号内“{inner}”为另一机构,一并列出 (the bracket names a separate office)",
        )

    def _resolve_single(self, name: str) -> UnitResolution:
        if name in self._listed:
            return UnitResolution("exact", (self._listed[name],))
        if name in self._aliases:
            return UnitResolution("alias", (self._aliases[name],), "别名 (listed alias)")
        collective = self._collective(name)
        if collective is not None:
            return collective
        for form in (name, f"市{name}", f"市委{name}"):
            codes = self._by_form.get(form)
            if codes and len(codes) == 1:
                note = (
                    "简称/全称 (short or full form)"
                    if form == name
                    else (f"补全前缀为“{form}” (prefix restored)")
                )
                return UnitResolution("alias", tuple(sorted(codes)), note)
            if codes:
                return UnitResolution(
                    "fuzzy", tuple(sorted(codes)), "对应多个部门,请选择 (several departments match)"
                )
        abbreviated = self._abbreviation(name)
        if abbreviated is not None:
            return abbreviated
        return self._similar(name)

    def _collective(self, name: str) -> UnitResolution | None:
        bare = re.sub(r"\([^()]*\)$", "", name) if not name.endswith("(处)") else name
        for pattern, kind in COLLECTIVE_KINDS:
            if pattern.match(bare) or pattern.match(name):
                codes = self.of_kind(kind) if kind else ()
                label = {"district": "各区", "street": "各镇街", "community": "各社区"}.get(
                    kind or "", ""
                )
                note = (
                    f"集合名称,展开为{label}的 {len(codes)} 个单位 (collective: expanded)"
                    if codes
                    else "集合名称,目录中尚无对应单位,请核对 (collective: none in the catalogue)"
                )
                return UnitResolution("collective", codes, note)
        if COLLECTIVE_WORDS.search(name):
            return UnitResolution(
                "collective", (), "集合名称,无法展开为具体部门,请核对 (collective: review it)"
            )
        return None

    def _abbreviation(self, name: str) -> UnitResolution | None:
        """市人社局 ← 市人力资源和社会保障局: same first and last character, in order."""
        if len(name) < 3:
            return None
        candidates: list[tuple[float, str]] = []
        for code, forms in self._full_forms.items():
            best = 0.0
            for form in forms:
                if len(form) <= len(name) or form[0] != name[0] or form[-1] != name[-1]:
                    continue
                if _is_subsequence(name, form):
                    best = max(best, len(name) / len(form))
            if best:
                candidates.append((best, code))
        if not candidates:
            return None
        candidates.sort(reverse=True)
        if len(candidates) == 1:
            code = candidates[0][1]
            return UnitResolution(
                "alias", (code,), f"简称,对应“{self.name_of(code)}” (abbreviation)"
            )
        return UnitResolution(
            "fuzzy",
            tuple(code for _, code in candidates[:3]),
            "简称对应多个部门,请选择 (abbreviation of several departments)",
        )

    def _similar(self, name: str) -> UnitResolution:
        scored: list[tuple[float, str]] = []
        for code, forms in self._full_forms.items():
            ratio = max(difflib.SequenceMatcher(None, name, form).ratio() for form in forms)
            if ratio >= 0.75:
                scored.append((ratio, code))
        if scored:
            scored.sort(reverse=True)
            code = scored[0][1]
            return UnitResolution(
                "fuzzy",
                tuple(code for _, code in scored[:3]),
                f"近似于“{self.name_of(code)}”,请核对 (similar name: check)",
            )
        return UnitResolution(
            "unknown", (), f"未找到“{name}”对应的部门,请核对 (no department found: review)"
        )
