"""Demo indicators (``civicgrid demo indicators``): the measurable targets of the three shared
policy documents, their data elements, yearly demo values per Zhuhai district 2012–2016, the
targets with their source passages, and a district assessment scheme.

Reads ``civicgrid/demo/data/indicator_*.csv`` (written by :mod:`civicgrid.demo.indicator_csv`)
and calls the indicators services with ``actor=None`` (system). Safe to run again: what exists
is kept, values already imported (approved, so locked) are not imported twice.

The demo values of elements that CivicGrid can compute (residents, elderly, households, social
organisations, appeals) are history from before the platform: they are loaded as reported
figures, and the element description names the figure that computes them in production.
When the plans demo has extracted the same clauses, each indicator and target is linked to the
plans target (``plans_target_id``) whose text holds the clause.
"""

from __future__ import annotations

import csv
import importlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from civicgrid.indicators.models import (
    AssessmentScheme,
    DataElement,
    DataSet,
    DataSubmission,
    Indicator,
    PopulationComparison,
    Target,
    UnitGroup,
)
from civicgrid.indicators.services import aggregates as aggregate_services
from civicgrid.indicators.services import definitions
from civicgrid.indicators.services import groups as group_services
from civicgrid.indicators.services import imports as import_services
from civicgrid.territory.models import AdminUnit

from .indicator_csv import DATA_DIR

DATA_SET_CODE = "DEMO-YEARLY"
DISTRICTS = ("440402", "440403", "440404")
FIRST_YEAR = "2012"
DOCUMENT_TITLES = {
    "guangdong-2011-social-construction-1plus7.txt": (
        "中共广东省委 广东省人民政府关于加强社会建设的决定及配套文件(2011)"
    ),
    "zhuhai-2012-public-service-equalization-plan.txt": (
        "珠海市深入推进基本公共服务均等化综合改革工作实施方案(2012-2014年)"
    ),
    "zhuhai-2014-social-system-reform-plan.txt": "珠海市深化社会体制改革工作方案(珠改组〔2014〕4)",
}
THEMES = {
    "guangdong-2011-social-construction-1plus7.txt": "广东1+7",
    "zhuhai-2012-public-service-equalization-plan.txt": "珠海均等化方案",
    "zhuhai-2014-social-system-reform-plan.txt": "珠海社会体制改革方案",
}
DECIMALS = {"percentage": 1, "per_thousand": 1, "per_ten_thousand": 2, "count": 0}
# The 2015 district assessment: indicator code → weight (points, summing to 100).
ASSESSMENT_CODE = "DEMO-DISTRICT-2015"
ASSESSMENT_ITEMS = {
    "VOLUNTEER_RATE": 15,
    "ELDERLY_BEDS_PER_1K": 15,
    "INPATIENT_REIMBURSEMENT": 10,
    "AFFORDABLE_HOUSING_COVERAGE": 10,
    "RC_DIRECT_ELECTION": 10,
    "OPENNESS_STANDARD": 10,
    "HYGIENIC_VILLAGES_RATE": 10,
    "ONLINE_LICENSING": 10,
    "STREET_SERVICES_IT": 10,
}


@dataclass
class IndicatorDemoSummary:
    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.lines.append(text)


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def source_document(row: dict[str, str]) -> str:
    """The document's title and the item the clause stands in, as the cockpit shows them."""
    title = DOCUMENT_TITLES.get(row["source_document"], row["source_document"])
    return f"{title} {row['source_section']}".strip()[:200]


def plans_target_ids() -> dict[str, int]:
    """Plans targets by their clause text, when the plans demo has extracted them."""
    try:
        from civicgrid.plans.models import PlanTarget
    except ImportError:  # pragma: no cover - the plans app is part of the project
        return {}
    return {
        text: pk for pk, text in PlanTarget.objects.order_by("pk").values_list("pk", "text") if text
    }


def _plans_target_for(quote: str, targets: dict[str, int]) -> int | None:
    for text, pk in targets.items():
        if quote in text or text in quote:
            return pk
    return None


def _ensure_elements(summary: IndicatorDemoSummary) -> None:
    existing = set(DataElement.objects.values_list("code", flat=True))
    created = 0
    for row in _rows("indicator_data_elements.csv"):
        if row["code"] in existing:
            continue
        description = row["name_en"]
        if row["source"] == "computed":
            description += f" — computed in production from {row['computed_from']}"
        if row["department"]:
            description += f" — reported by {row['department']}"
        definitions.element_create(
            actor=None,
            code=row["code"],
            name=row["name_zh"],
            source="reported",
            aggregation=row["aggregation"],
            unit_label=row["unit"],
            is_integer=row["unit"] not in {"万元", "平方米", "人·年"},
            description=description,
        )
        created += 1
    summary.add(f"data elements: {created} created")


def _ensure_indicators(summary: IndicatorDemoSummary, plans: dict[str, int]) -> None:
    existing = set(Indicator.objects.values_list("code", flat=True))
    created = linked = 0
    for order, row in enumerate(_rows("indicator_catalogue.csv"), start=1):
        if row["code"] in existing:
            continue
        plans_target = _plans_target_for(row["source_quote"], plans)
        linked += plans_target is not None
        definitions.indicator_create(
            actor=None,
            code=row["code"],
            name=row["name_zh"],
            kind=row["kind"],
            numerator="#{" + row["numerator"] + "}",
            denominator="#{" + row["denominator"] + "}" if row["denominator"] else "",
            direction=row["direction"],
            unit_label=row["unit"],
            theme=THEMES.get(row["source_document"], ""),
            description=" ".join(part for part in (row["name_en"], row["note"]) if part),
            source_document=source_document(row),
            source_passage=row["source_quote"],
            plans_target_id=plans_target,
            decimals=DECIMALS.get(row["kind"], 2),
            sort_order=order,
        )
        created += 1
    summary.add(f"indicators: {created} created, {linked} linked to plans targets")


def _ensure_data_set() -> DataSet:
    data_set = DataSet.objects.filter(code=DATA_SET_CODE).first()
    if data_set is not None:
        return data_set
    return definitions.data_set_create(
        actor=None,
        code=DATA_SET_CODE,
        name="区级年度指标数据(演示)",
        period_type="yearly",
        element_codes=[row["code"] for row in _rows("indicator_data_elements.csv")],
        unit_codes=DISTRICTS,
        due_days=60,
        first_period=FIRST_YEAR,
    )


def _import_values(summary: IndicatorDemoSummary, data_set: DataSet) -> None:
    if DataSubmission.objects.filter(data_set=data_set).exists():
        summary.add("values: already imported")
        return
    result = import_services.data_values_import(
        actor=None,
        rows=_rows("indicator_values.csv"),
        data_set=data_set,
        as_approved=True,
    )
    summary.add(f"values: {result.values} imported as approved ({len(result.submissions)} reports)")


def _city_values(element_rows: list[dict[str, str]]) -> dict[tuple[str, str], float]:
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for row in element_rows:
        totals[(row["dataElement"], row["period"])] += float(row["value"])
    return totals


FACTORS = {"percentage": 100, "per_thousand": 1000, "per_ten_thousand": 10000}


def _baseline(row: dict[str, str], totals: dict[tuple[str, str], float]) -> Decimal | None:
    """The city's value in the first demo year (the target's baseline)."""
    numerator = totals.get((row["numerator"], FIRST_YEAR))
    if numerator is None:
        return None
    if not row["denominator"]:
        return Decimal(str(round(numerator, 4)))
    denominator = totals.get((row["denominator"], FIRST_YEAR))
    if not denominator:
        return None
    return Decimal(str(round(FACTORS.get(row["kind"], 1) * numerator / denominator, 4)))


def _ensure_targets(summary: IndicatorDemoSummary, plans: dict[str, int]) -> None:
    have = set(Target.objects.values_list("indicator__code", flat=True))
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    totals = _city_values(_rows("indicator_values.csv"))
    created = 0
    for row in _rows("indicator_catalogue.csv"):
        if row["code"] in have or row["code"] not in indicators:
            continue
        scope = row["scope"]
        baseline = _baseline(row, totals) if scope == "city" else None
        definitions.target_create(
            actor=None,
            indicator=indicators[row["code"]],
            value=row["target_value"],
            deadline_period=row["deadline_year"],
            comparator=row["comparator"],
            scope=scope,
            baseline_value=baseline,
            baseline_period=FIRST_YEAR if baseline is not None else "",
            plans_target_id=_plans_target_for(row["source_quote"], plans),
            name=row["name_zh"],
            source_document=source_document(row),
            source_passage=row["source_quote"],
        )
        created += 1
    summary.add(f"targets: {created} created")


def _ensure_assessment(summary: IndicatorDemoSummary) -> None:
    try:
        assessment_services = importlib.import_module("civicgrid.indicators.services.assessment")
    except ImportError:  # the assessment services are being written
        summary.add("assessment: not available yet")
        return
    if AssessmentScheme.objects.filter(code=ASSESSMENT_CODE).exists():
        summary.add("assessment: exists")
        return
    scheme = assessment_services.scheme_create(
        actor=None,
        code=ASSESSMENT_CODE,
        name="2015年度各区社会建设指标考核(演示)",
        year=2015,
        subject="district",
    )
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    for code, weight in ASSESSMENT_ITEMS.items():
        indicator = indicators[code]
        target = Target.objects.filter(indicator=indicator).first()
        assessment_services.item_add(
            actor=None,
            scheme=scheme,
            kind="indicator",
            title=indicator.name,
            weight=weight,
            indicator=indicator,
            target=target,
            rule="linear",
        )
    scores = assessment_services.scheme_score(actor=None, scheme=scheme)
    summary.add(f"assessment: {len(scores)} districts scored")


# Unit groups for the equalisation page. The demo values exist per district only, so the groups
# are made of districts. In the division list 香洲区 is mostly streets (街道: 9 of its street-level
# units, with 6 towns), 斗门区 is 5 towns and 1 street and 金湾区 towns only (plus two industrial
# zones): urban = 香洲区, rural = 斗门区 + 金湾区. The 2012 equalisation plan calls the same two
# districts the 西部地区 (western area: 西部地区公交, 西部地区职业健康检查机构, 西部地区农场职工
# 危房改造), a region of its own. 横琴新区 is a functional zone; in the division list it is the town
# 横琴镇 (440402104) under 香洲区 (the demo has no values at that level: the page says so). With
# street-level data urban / rural would better be 街道 vs 镇 (docs/adr/0008-indicator-groups.md).
UNIT_GROUPS = (
    ("URBAN", "城市地区(香洲区)", "urban_rural", ("440402",), "珠海东部城区。"),
    ("RURAL", "农村地区(斗门区、金湾区)", "urban_rural", ("440403", "440404"), "以镇为主。"),
    ("WEST", "西部地区", "region", ("440403", "440404"), "均等化方案所称西部地区:斗门区、金湾区。"),
    ("HENGQIN", "横琴新区", "functional_zone", ("440402104",), "区划名录中为香洲区横琴镇。"),
)
EQUALISATION_DOCUMENT = "zhuhai-2012-public-service-equalization-plan.txt"
# Registered residents vs the floating population (户籍 / 流动人口): the three services the 2012
# equalisation plan promises migrants on the same terms, each measured for both groups from data
# elements reported per group (values in indicator_population_values.csv, invented).
POPULATION_ELEMENTS = (
    ("PUPILS_REG", "户籍义务教育阶段在校生数", "人", "zh-education"),
    ("PUPILS_REG_PUBLIC", "户籍义务教育阶段公办学校在校生数", "人", "zh-education"),
    ("PUPILS_FLT", "随迁子女义务教育阶段在校生数", "人", "zh-education"),
    ("PUPILS_FLT_PUBLIC", "随迁子女义务教育阶段公办学校在校生数", "人", "zh-education"),
    ("EMPLOYED_REG", "户籍从业人员数", "人", "zh-human-resources"),
    ("PENSION_REG", "户籍从业人员参加职工基本养老保险人数", "人", "zh-human-resources"),
    ("EMPLOYED_FLT", "异地务工人员数", "人", "zh-human-resources"),
    ("PENSION_FLT", "异地务工人员参加职工基本养老保险人数", "人", "zh-human-resources"),
    ("CHILDREN_REG", "户籍适龄儿童数", "人", "zh-health"),
    ("VACCINATED_REG", "户籍适龄儿童免疫规划疫苗全程接种数", "人", "zh-health"),
    ("CHILDREN_FLT", "流动人口适龄儿童数", "人", "zh-health"),
    ("VACCINATED_FLT", "流动人口适龄儿童免疫规划疫苗全程接种数", "人", "zh-health"),
)
# code, name, (registered name, numerator, denominator), (floating ...), overall name, passage
POPULATION_COMPARISONS = (
    (
        "PUBLIC_SCHOOL",
        "义务教育阶段公办学校就读比例:户籍学生与随迁子女",
        ("户籍学生入读公办学校比例", "PUPILS_REG_PUBLIC", "PUPILS_REG"),
        ("随迁子女入读公办学校比例", "PUPILS_FLT_PUBLIC", "PUPILS_FLT"),
        "义务教育阶段学生入读公办学校比例",
        "逐步取消对流动人口在子女入学、户口和社会保障等方面的差别待遇",
    ),
    (
        "PENSION_COVERAGE",
        "职工基本养老保险参保率:户籍从业人员与异地务工人员",
        ("户籍从业人员养老保险参保率", "PENSION_REG", "EMPLOYED_REG"),
        ("异地务工人员养老保险参保率", "PENSION_FLT", "EMPLOYED_FLT"),
        "从业人员职工基本养老保险参保率",
        "确保异地务工人员无差别地参加本市职工基本养老保险、基本医疗保险、失业保险、工伤保险、"
        "生育保险,享受同等待遇",
    ),
    (
        "IMMUNISATION",
        "适龄儿童免疫规划疫苗接种率:户籍儿童与流动人口子女",
        ("户籍适龄儿童免疫规划疫苗接种率", "VACCINATED_REG", "CHILDREN_REG"),
        ("流动人口适龄儿童免疫规划疫苗接种率", "VACCINATED_FLT", "CHILDREN_FLT"),
        "适龄儿童免疫规划疫苗接种率",
        "确保流动人口子女享受同等计划免疫服务",
    ),
)
POPULATION_DATA_SET = "DEMO-POPULATION"


def _ensure_unit_groups(summary: IndicatorDemoSummary) -> None:
    existing = set(UnitGroup.objects.values_list("code", flat=True))
    present = set(AdminUnit.objects.values_list("code", flat=True))
    created = 0
    for order, (code, name, kind, units, description) in enumerate(UNIT_GROUPS):
        if code in existing or not set(units) <= present:
            continue
        group_services.unit_group_create(
            actor=None,
            code=code,
            name=name,
            kind=kind,
            unit_codes=units,
            description=description,
            sort_order=order,
        )
        created += 1
    summary.add(f"unit groups: {created} created")


def _ensure_population_comparisons(summary: IndicatorDemoSummary) -> None:
    """Elements per population group, their data set and values, the indicator pairs."""
    have = set(DataElement.objects.values_list("code", flat=True))
    for code, name, unit, department in POPULATION_ELEMENTS:
        if code not in have:
            definitions.element_create(
                actor=None,
                code=code,
                name=name,
                aggregation="last",
                unit_label=unit,
                is_integer=True,
                description=f"reported by {department} (demo, per population group)",
            )
    data_set = DataSet.objects.filter(code=POPULATION_DATA_SET).first()
    if data_set is None:
        data_set = definitions.data_set_create(
            actor=None,
            code=POPULATION_DATA_SET,
            name="户籍与流动人口公共服务年度数据(演示)",
            period_type="yearly",
            element_codes=[row[0] for row in POPULATION_ELEMENTS],
            unit_codes=DISTRICTS,
            due_days=60,
            first_period=FIRST_YEAR,
        )
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    source = DOCUMENT_TITLES[EQUALISATION_DOCUMENT]
    theme = THEMES[EQUALISATION_DOCUMENT]

    def indicator(code: str, name: str, numerator: str, denominator: str, order: int) -> Indicator:
        if code not in indicators:
            indicators[code] = definitions.indicator_create(
                actor=None,
                code=code,
                name=name,
                kind="percentage",
                numerator=numerator,
                denominator=denominator,
                unit_label="%",
                theme=theme,
                source_document=source,
                decimals=1,
                sort_order=order,
            )
        return indicators[code]

    existing = set(PopulationComparison.objects.values_list("code", flat=True))
    created = 0
    for order, (code, name, registered, floating, overall, passage) in enumerate(
        POPULATION_COMPARISONS, start=1
    ):
        base = 900 + 3 * order
        reg = indicator(
            f"{code}_REG", registered[0], f"#{{{registered[1]}}}", f"#{{{registered[2]}}}", base
        )
        flt = indicator(
            f"{code}_FLT", floating[0], f"#{{{floating[1]}}}", f"#{{{floating[2]}}}", base + 1
        )
        total = indicator(
            f"{code}_ALL",
            overall,
            f"#{{{registered[1]}}} + #{{{floating[1]}}}",
            f"#{{{registered[2]}}} + #{{{floating[2]}}}",
            base + 2,
        )
        if code in existing:
            continue
        group_services.population_comparison_create(
            actor=None,
            code=code,
            name=name,
            indicator=total,
            registered=reg,
            floating=flt,
            source_document=source,
            source_passage=passage,
            sort_order=order,
        )
        created += 1
    summary.add(f"population comparisons: {created} created")
    if DataSubmission.objects.filter(data_set=data_set).exists():
        return
    result = import_services.data_values_import(
        actor=None,
        rows=_rows("indicator_population_values.csv"),
        data_set=data_set,
        as_approved=True,
    )
    summary.add(f"population values: {result.values} imported as approved")


def load() -> IndicatorDemoSummary:
    """Create the demo catalogue, values, targets and assessment (idempotent)."""
    summary = IndicatorDemoSummary()
    missing = [code for code in DISTRICTS if not AdminUnit.objects.filter(code=code).exists()]
    if missing:
        raise RuntimeError(f"Districts {missing} are missing: run `civicgrid demo load` first.")
    plans = plans_target_ids()
    _ensure_elements(summary)
    _ensure_indicators(summary, plans)
    data_set = _ensure_data_set()
    _import_values(summary, data_set)
    _ensure_targets(summary, plans)
    _ensure_unit_groups(summary)
    _ensure_population_comparisons(summary)
    result = aggregate_services.aggregates_refresh(reason="demo indicators")
    summary.add(f"aggregates: {result.rows} rows for {result.indicators} indicators")
    _ensure_assessment(summary)
    return summary
