"""Writes the demo indicator catalogue and its demo values (civicgrid/demo/data/indicator_*.csv).

Run ``python -m civicgrid.demo.indicator_csv`` to rewrite the CSV files; the output depends on
nothing but this file and the policy documents in ``civicgrid/demo/data/policy/`` (seeded random
numbers), so re-running it gives the same bytes.

The catalogue holds the measurable targets of the three shared policy documents that apply to
Zhuhai as a city or to each of its districts, each with the exact clause it comes from and the
character offset of that clause in the document text (a Python ``str`` index into the UTF-8
decoded file). The values are invented but plausible: per district (香洲 urban, 斗门 rural and
western, 金湾 western) and year 2012–2016, numerators and denominators rather than ratios, with
trends, gaps between districts and some targets missed. They are not official statistics.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
POLICY_DIR = DATA_DIR / "policy"
YEARS = (2012, 2013, 2014, 2015, 2016)
SEED = 20120601
XZ, DM, JW = "440402", "440403", "440404"
DISTRICTS = (XZ, DM, JW)

GD = "guangdong-2011-social-construction-1plus7.txt"
EQ = "zhuhai-2012-public-service-equalization-plan.txt"
ZH = "zhuhai-2014-social-system-reform-plan.txt"


@dataclass(frozen=True)
class Element:
    """A data element: a number reported (or computed) per admin unit and year."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    source: str  # "computed" (from CivicGrid's own data) or "reported"
    computed_from: str = ""  # which CivicGrid figure feeds it when computed
    department: str = ""  # the department that reports it (code in zhuhai_departments.csv)
    # How a year's value is formed from finer periods: "last" for stocks (population, beds),
    # "sum" for flows (appraisals, reimbursed amounts, appeals closed).
    aggregation: str = "last"


ELEMENTS: tuple[Element, ...] = (
    # Denominators and structural counts.
    Element(
        "POP_RESIDENT", "常住人口", "resident population", "人", "computed", "registry.residents"
    ),
    Element(
        "POP_ELDERLY_60",
        "60岁以上常住老年人口",
        "resident population aged 60 and over",
        "人",
        "computed",
        "registry.elderly_60",
    ),
    Element(
        "POP_URBAN",
        "城镇常住人口",
        "urban resident population",
        "人",
        "reported",
        "",
        "zh-development-reform",
    ),
    Element(
        "POP_25PLUS",
        "25周岁以上常住人口",
        "resident population aged 25 and over",
        "人",
        "reported",
        "",
        "zh-development-reform",
    ),
    Element(
        "HOUSEHOLDS", "常住户数", "resident households", "户", "computed", "registry.households"
    ),
    Element(
        "COMMUNITIES",
        "村(居)委会数",
        "communities and villages (村居)",
        "个",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "URBAN_COMMUNITIES",
        "社区居委会数",
        "urban communities (社区居委会)",
        "个",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "ADMIN_VILLAGES",
        "行政村数",
        "administrative villages (村委会)",
        "个",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element("TOWNS", "建制镇数", "towns (镇)", "个", "reported", "", "zh-civil-affairs"),
    Element(
        "STREETS_AND_COMMUNITIES",
        "镇(街)和村(居)数",
        "streets, towns, communities and villages",
        "个",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    # Social workers, volunteers, social organisations.
    Element(
        "SOCIAL_WORKERS",
        "社会工作人才数",
        "social workers",
        "人",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "CERT_SOCIAL_WORKERS",
        "持证社会工作者数",
        "certified social workers",
        "人",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "COMMUNITIES_WITH_SW",
        "配备专业社工的村(居)数",
        "communities with at least one professional social worker",
        "个",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "REGISTERED_VOLUNTEERS",
        "注册志愿者数",
        "registered volunteers",
        "人",
        "reported",
        "",
        "zh-civilisation-office",
    ),
    Element(
        "VOLUNTEER_PARTICIPANTS",
        "参加过志愿服务的人数",
        "residents who have volunteered",
        "人",
        "reported",
        "",
        "zh-civilisation-office",
    ),
    Element(
        "SOCIAL_ORGANISATIONS",
        "登记社会组织数",
        "registered social organisations",
        "个",
        "computed",
        "registry.entities.social_org",
    ),
    # Elderly care, health, social security, housing.
    Element(
        "ELDERLY_CARE_BEDS",
        "养老床位数",
        "elderly care beds",
        "张",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "INPATIENT_POLICY_COST",
        "政策范围内住院医疗费用",
        "in-patient costs within the policy scope",
        "万元",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "INPATIENT_REIMBURSED",
        "政策范围内住院报销金额",
        "in-patient costs reimbursed within the policy scope",
        "万元",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "HOUSED_RESIDENTS",
        "拥有住房居民总数",
        "residents with housing",
        "户",
        "reported",
        "",
        "zh-housing-planning",
    ),
    Element(
        "HOUSING_SECURED",
        "住房保障对象数",
        "households covered by housing security",
        "户",
        "reported",
        "",
        "zh-housing-planning",
    ),
    Element(
        "GENERAL_PRACTITIONERS",
        "合格全科医生数",
        "qualified general practitioners",
        "人",
        "reported",
        "",
        "zh-health-family-planning",
    ),
    Element(
        "INSURED_PERSONS",
        "社会保险参保人数",
        "persons insured by social insurance",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "SOCIAL_SECURITY_CARDHOLDERS",
        "社会保障卡持卡人数",
        "social security cardholders",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "RURAL_PENSION_ELIGIBLE",
        "新农保应参保人数",
        "persons eligible for the rural pension insurance",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "RURAL_PENSION_INSURED",
        "新农保参保人数",
        "persons insured by the rural pension insurance",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    # Self-government of communities and villages.
    Element(
        "COMMUNITIES_DIRECT_ELECTION",
        "直选社区居委会数",
        "urban communities electing their committee directly",
        "个",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "RC_MEMBERS",
        "社区居委会成员数",
        "community committee members",
        "人",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "RC_MEMBERS_LOCAL",
        "属地化居委会成员数",
        "community committee members living in their community",
        "人",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "COMMUNITIES_OPENNESS_STANDARD",
        "村(居)务公开民主管理规范达标的村(居)数",
        "communities meeting the open-affairs and democratic-management standard",
        "个",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "COMMUNITY_FULLTIME_STAFF",
        "社区专职工作人员数",
        "full-time community staff",
        "人",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "ESTATES_WITH_OWNERS_COMMITTEE",
        "已建立业主委员会的小区数",
        "housing estates with an owners' committee",
        "个",
        "reported",
        "",
        "zh-housing-planning",
    ),
    Element(
        "ESTATES_OC_PARTY_BRANCH",
        "建立党支部的业委会小区数",
        "estates with an owners' committee and a party branch",
        "个",
        "reported",
        "",
        "zh-organisation-dept",
    ),
    # Villages and towns.
    Element(
        "VILLAGES_COMMUNITY_MGMT",
        "实现社区化建设和管理的行政村数",
        "villages under community-style management",
        "个",
        "reported",
        "",
        "zh-social-management-dept",
    ),
    Element(
        "VILLAGES_SERVICE_STATION_300",
        "建有300平方米以上公共服务站的行政村数",
        "villages with a public service station of 300 m² or more",
        "个",
        "reported",
        "",
        "zh-social-management-dept",
    ),
    Element(
        "VILLAGES_SERVICE_CENTRE_250",
        "建有250平方米以上村公共事务服务中心的行政村数",
        "villages with a public affairs centre of 250 m² or more",
        "个",
        "reported",
        "",
        "zh-civil-affairs",
    ),
    Element(
        "HYGIENIC_TOWNS",
        "卫生镇数",
        "towns rated hygienic (卫生镇)",
        "个",
        "reported",
        "",
        "zh-health-family-planning",
    ),
    Element(
        "HYGIENIC_VILLAGES",
        "卫生村数",
        "villages rated hygienic (卫生村)",
        "个",
        "reported",
        "",
        "zh-health-family-planning",
    ),
    Element(
        "VILLAGES_BUS_SERVED",
        "通班车的行政村数",
        "villages served by a scheduled bus",
        "个",
        "reported",
        "",
        "zh-transport",
    ),
    Element(
        "ECO_VILLAGES",
        "市级以上生态村数",
        "villages rated ecological at city level or above",
        "个",
        "reported",
        "",
        "zh-ocean-agriculture-water",
    ),
    Element(
        "ECO_TOWNS",
        "国家生态乡镇数",
        "towns rated national ecological towns",
        "个",
        "reported",
        "",
        "zh-ocean-agriculture-water",
    ),
    Element(
        "TOWN_KINDERGARTENS",
        "镇中心幼儿园数",
        "town central kindergartens",
        "所",
        "reported",
        "",
        "zh-education",
    ),
    Element(
        "WEST_BUS_SHELTERS",
        "西部地区新建公交候车亭数(2012年起累计)",
        "bus shelters built in the western districts since 2012 (cumulative)",
        "座",
        "reported",
        "",
        "zh-transport",
    ),
    # Schools, public services, employment.
    Element(
        "PUBLIC_COMPULSORY_SCHOOLS",
        "义务教育公办学校数",
        "public compulsory-education schools",
        "所",
        "reported",
        "",
        "zh-education",
    ),
    Element(
        "STANDARD_SCHOOLS",
        "规范化义务教育公办学校数",
        "public compulsory-education schools meeting the standard",
        "所",
        "reported",
        "",
        "zh-education",
    ),
    Element(
        "SCHOOLS",
        "中小学校数",
        "primary and secondary schools",
        "所",
        "reported",
        "",
        "zh-education",
    ),
    Element(
        "SCHOOLS_INTERNET",
        "接入互联网的中小学校数",
        "primary and secondary schools with internet access",
        "所",
        "reported",
        "",
        "zh-education",
    ),
    Element(
        "FP_STATIONS",
        "区、镇(街)计生服务站所数",
        "family-planning service stations of districts and streets",
        "个",
        "reported",
        "",
        "zh-health-family-planning",
    ),
    Element(
        "FP_STATIONS_STANDARD",
        "完成标准化建设的计生服务站所数",
        "family-planning service stations meeting the standard",
        "个",
        "reported",
        "",
        "zh-health-family-planning",
    ),
    Element(
        "CULTURE_PORTS",
        "建成家庭人口文化港的镇(街)和村(居)数",
        "streets and communities with a family culture port",
        "个",
        "reported",
        "",
        "zh-health-family-planning",
    ),
    Element(
        "EMPLOYMENT_SURVEY_RESPONDENTS",
        "公共就业服务满意度调查样本数",
        "respondents of the public employment service survey",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "EMPLOYMENT_SURVEY_SATISFIED",
        "对公共就业服务满意的样本数",
        "respondents satisfied with the public employment service",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "SKILL_APPRAISALS",
        "职业技能鉴定服务人次",
        "vocational skill appraisals (person-times)",
        "人次",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "LABOUR_WILLING",
        "有就业创业愿望的城乡劳动者数",
        "workers wishing to work or start a business",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "LABOUR_WILLING_EMPLOYED",
        "其中已就业人数",
        "of whom employed",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "URBAN_LABOUR_FORCE",
        "城镇劳动力人数",
        "urban labour force",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    Element(
        "REGISTERED_UNEMPLOYED",
        "城镇登记失业人数",
        "registered urban unemployed",
        "人",
        "reported",
        "",
        "zh-human-resources",
    ),
    # E-government and information.
    Element(
        "LICENSING_ITEMS",
        "行政许可事项数",
        "administrative licensing items",
        "项",
        "reported",
        "",
        "zh-government-services",
    ),
    Element(
        "LICENSING_ITEMS_ONLINE",
        "可网上办理的行政许可事项数",
        "administrative licensing items handled online",
        "项",
        "reported",
        "",
        "zh-government-services",
    ),
    Element(
        "STREET_SERVICE_ITEMS",
        "街道(社区)公共服务事项数",
        "public service items of streets and communities",
        "项",
        "reported",
        "",
        "zh-government-services",
    ),
    Element(
        "STREET_SERVICE_ITEMS_IT",
        "信息化办理的街道(社区)公共服务事项数",
        "street and community service items handled through information systems",
        "项",
        "reported",
        "",
        "zh-government-services",
    ),
    Element(
        "APPEALS_REPLIED",
        "答复诉求数",
        "appeals replied",
        "件",
        "computed",
        "appeals.replied",
    ),
    Element(
        "APPEALS_REPLIED_ON_TIME",
        "按时答复诉求数",
        "appeals replied within the time limit",
        "件",
        "computed",
        "appeals.replied_on_time",
    ),
    # Environment and education level.
    Element(
        "PARK_GREEN_AREA",
        "城镇公园绿地面积",
        "urban park green area",
        "平方米",
        "reported",
        "",
        "zh-housing-planning",
    ),
    Element(
        "SCHOOLING_YEARS_TOTAL",
        "25周岁以上人口受教育年限合计",
        "years of schooling of residents aged 25 and over (sum)",
        "人·年",
        "reported",
        "",
        "zh-development-reform",
    ),
)


@dataclass(frozen=True)
class Target:
    """A measurable target of a document and the indicator that tracks it."""

    code: str
    name_zh: str
    name_en: str
    kind: str  # percentage | per_thousand | per_ten_thousand | count | amount | index
    unit: str
    numerator: str
    denominator: str  # "" for counts and amounts
    target_value: float
    comparator: str  # ge | le | eq | about
    deadline_year: int
    deadline_basis: str  # "stated" in the clause, or the "document period" when it names none
    scope: str  # "city" or "each_district" (one target per district)
    document: str
    section: str
    quote: str  # an exact substring of the document text
    # Demo trajectory of the indicator value per district: (2012, 2016) or five yearly values.
    demo: dict[str, tuple[float, ...]]
    direction: str = "higher"  # higher | lower (is better)
    note: str = ""


# Elements counted over a year rather than at its end.
FLOW_ELEMENTS = frozenset(
    {
        "INPATIENT_POLICY_COST",
        "INPATIENT_REIMBURSED",
        "SKILL_APPRAISALS",
        "APPEALS_REPLIED",
        "APPEALS_REPLIED_ON_TIME",
        "EMPLOYMENT_SURVEY_RESPONDENTS",
        "EMPLOYMENT_SURVEY_SATISFIED",
    }
)

FACTORS = {"percentage": 100, "per_thousand": 1000, "per_ten_thousand": 10000}


TARGETS: tuple[Target, ...] = (
    Target(
        "SW_PER_10K",
        "每万人社工数",
        "Social workers per 10,000 residents",
        "per_ten_thousand",
        "名/万人",
        "SOCIAL_WORKERS",
        "POP_RESIDENT",
        10,
        "ge",
        2017,
        "stated",
        "city",
        ZH,
        "二(六)23.(49)",
        "到2017年全市实现每万人中不少于10名社工的目标",
        {XZ: (4.2, 9.8), DM: (1.6, 5.1), JW: (2.8, 7.6)},
    ),
    Target(
        "CERT_SW_PER_10K",
        "每万人持证社工数",
        "Certified social workers per 10,000 residents",
        "per_ten_thousand",
        "名/万人",
        "CERT_SOCIAL_WORKERS",
        "POP_RESIDENT",
        5,
        "ge",
        2015,
        "stated",
        "city",
        GD,
        "关于加强社会工作人才队伍建设的实施意见 (五)",
        "到2015年,全省专业社会工作者达到5万人,每万人持证社工人数达到5人",
        {XZ: (3.0, 6.9), DM: (1.0, 3.3), JW: (1.9, 5.3)},
        note="Provincial target applied to Zhuhai.",
    ),
    Target(
        "COMMUNITY_SW_COVERAGE",
        "配备专业社工的村(居)比例",
        "Communities with a professional social worker",
        "percentage",
        "%",
        "COMMUNITIES_WITH_SW",
        "COMMUNITIES",
        100,
        "ge",
        2017,
        "stated",
        "city",
        ZH,
        "二(六)23.(49)",
        "壮大社区工作人员队伍,每个社区配备1名以上专业社工",
        {XZ: (55, 96), DM: (12, 58), JW: (30, 86)},
        note="The clause names no year of its own; the sentence's 2017 is used.",
    ),
    Target(
        "VOLUNTEER_RATE",
        "注册志愿者占常住人口比例",
        "Registered volunteers as a share of residents",
        "percentage",
        "%",
        "REGISTERED_VOLUNTEERS",
        "POP_RESIDENT",
        10,
        "ge",
        2015,
        "stated",
        "city",
        ZH,
        "二(三)14.(31)",
        "到2015年,全市注册志愿者占常住人口的10%以上",
        {XZ: (6.5, 13.8), DM: (2.9, 7.1), JW: (4.8, 10.9)},
    ),
    Target(
        "VOLUNTEER_PARTICIPATION",
        "参加过志愿服务的人数占常住人口比例",
        "Residents who have volunteered as a share of residents",
        "percentage",
        "%",
        "VOLUNTEER_PARTICIPANTS",
        "POP_RESIDENT",
        30,
        "ge",
        2015,
        "stated",
        "city",
        ZH,
        "二(三)14.(31)",
        "全市参加过志愿服务的人数占常住人口的30%",
        {XZ: (14, 31), DM: (8, 19), JW: (11, 25)},
    ),
    Target(
        "ELDERLY_BEDS_PER_1K",
        "每千名老人拥有养老床位数",
        "Elderly care beds per 1,000 elderly residents",
        "per_thousand",
        "张/千名老人",
        "ELDERLY_CARE_BEDS",
        "POP_ELDERLY_60",
        30,
        "ge",
        2015,
        "stated",
        "city",
        ZH,
        "二(一)5.(13)",
        "到2015年,每千名老人拥有养老床位不少于30",
        {XZ: (19, 29.5), DM: (22, 33.5), JW: (16, 27.5)},
    ),
    Target(
        "INPATIENT_REIMBURSEMENT",
        "政策范围内住院报销比例",
        "In-patient reimbursement rate within the policy scope",
        "percentage",
        "%",
        "INPATIENT_REIMBURSED",
        "INPATIENT_POLICY_COST",
        75,
        "ge",
        2015,
        "stated",
        "city",
        ZH,
        "二(一)5.(11)",
        "到2015年,城乡居民基本医疗保险和医疗政策范围内的住院报销比例提高到75%以上",
        {XZ: (68, 78.5), DM: (64, 74.5), JW: (66, 76.5)},
    ),
    Target(
        "AFFORDABLE_HOUSING_COVERAGE",
        "保障性住房覆盖率",
        "Affordable housing coverage",
        "percentage",
        "%",
        "HOUSING_SECURED",
        "HOUSED_RESIDENTS",
        20,
        "about",
        2015,
        "stated",
        "city",
        ZH,
        "二(一)5.(12)",
        "到2015年,全市保障性住房覆盖率(保障对象占拥有住房居民总数的比例)达到20%左右",
        {XZ: (9, 17.5), DM: (6, 11.5), JW: (12, 21.5)},
    ),
    Target(
        "GP_PER_10K",
        "每万名居民合格全科医生数",
        "Qualified general practitioners per 10,000 residents",
        "per_ten_thousand",
        "名/万人",
        "GENERAL_PRACTITIONERS",
        "POP_RESIDENT",
        2,
        "ge",
        2017,
        "stated",
        "city",
        ZH,
        "二(一)6.(14)",
        "到2017年,初步建立起充满生机和活力的全科医生制度,基本实现城乡每万名居民有23名合格的全科医生",
        {XZ: (1.1, 2.4), DM: (0.6, 1.5), JW: (0.8, 1.9)},
        note=(
            "The published text reads 23; the provincial decision it repeats says 2—3 "
            "(每万名居民有2—3名), so the dash was lost and the lower bound 2 is the target."
        ),
    ),
    Target(
        "RC_DIRECT_ELECTION",
        "社区居委会直选比例",
        "Community committees elected directly",
        "percentage",
        "%",
        "COMMUNITIES_DIRECT_ELECTION",
        "URBAN_COMMUNITIES",
        40,
        "ge",
        2015,
        "stated",
        "city",
        ZH,
        "二(二)7.(17)",
        "推进社区居委会直选,十二五期末,直选比例达到40%",
        # Committees are elected every three years (2011, 2014): the share moves in steps.
        {XZ: (21, 21, 48, 48, 48), DM: (9, 9, 28, 28, 28), JW: (13, 13, 40, 40, 40)},
    ),
    Target(
        "RC_LOCAL_MEMBERS",
        "社区居委会成员属地化比例",
        "Community committee members living in their community",
        "percentage",
        "%",
        "RC_MEMBERS_LOCAL",
        "RC_MEMBERS",
        50,
        "ge",
        2015,
        "stated",
        "city",
        GD,
        "关于加强城市社区居民委员会规范化建设的实施意见 二(六)",
        "力争到2015年社区居委会直接选举比例达到40%,居委会成员属地化比例达到50%",
        {XZ: (31, 31, 44, 44, 44), DM: (58, 58, 71, 71, 71), JW: (40, 40, 52, 52, 52)},
        note="Provincial target applied to Zhuhai.",
    ),
    Target(
        "OPENNESS_STANDARD",
        "村(居)务公开民主管理规范达标率",
        "Communities meeting the open-affairs standard",
        "percentage",
        "%",
        "COMMUNITIES_OPENNESS_STANDARD",
        "COMMUNITIES",
        70,
        "ge",
        2015,
        "stated",
        "city",
        ZH,
        "二(二)7.(17)",
        "深入开展村(居)务公开民主管理示范创建活动,十二五期末,规范达标率达70%",
        {XZ: (52, 81), DM: (38, 66), JW: (45, 74)},
    ),
    Target(
        "COMMUNITY_STAFF_PER_1K_HH",
        "每千户常住户社区专职工作人员数",
        "Full-time community staff per 1,000 households",
        "per_thousand",
        "人/千户",
        "COMMUNITY_FULLTIME_STAFF",
        "HOUSEHOLDS",
        3.33,
        "ge",
        2015,
        "document period",
        "city",
        GD,
        "关于加强城市社区居民委员会规范化建设的实施意见 三(十)",
        "原则上按照每300户常住人口配备1名专职人员",
        {XZ: (2.4, 3.1), DM: (3.0, 3.6), JW: (2.6, 3.45)},
        note="One full-time worker per 300 households is 3.33 per 1,000 households.",
    ),
    Target(
        "OWNERS_COMMITTEE_PARTY",
        "已建业委会小区建立党支部比例",
        "Estates with an owners' committee that have a party branch",
        "percentage",
        "%",
        "ESTATES_OC_PARTY_BRANCH",
        "ESTATES_WITH_OWNERS_COMMITTEE",
        100,
        "ge",
        2015,
        "stated",
        "city",
        ZH,
        "二(二)8.(20)",
        "到2015年,已经建立业主委员会的小区全部建立党支部",
        {XZ: (38, 93), DM: (20, 78), JW: (30, 100)},
    ),
    Target(
        "VILLAGE_COMMUNITY_MGMT",
        "实现社区化建设和管理的行政村比例",
        "Villages under community-style management",
        "percentage",
        "%",
        "VILLAGES_COMMUNITY_MGMT",
        "ADMIN_VILLAGES",
        20,
        "ge",
        2015,
        "stated",
        "city",
        ZH,
        "二(二)9.(23)",
        "到2015年,20%的行政村实现社区化建设和管理",
        {XZ: (29, 72), DM: (4, 21), JW: (7, 29)},
    ),
    Target(
        "VILLAGE_SERVICE_STATION",
        "建有300平方米以上公共服务站的行政村比例",
        "Villages with a public service station of 300 m² or more",
        "percentage",
        "%",
        "VILLAGES_SERVICE_STATION_300",
        "ADMIN_VILLAGES",
        30,
        "ge",
        2015,
        "stated",
        "city",
        ZH,
        "二(二)9.(23)",
        "30%的行政村建有300平方米以上的公共服务站",
        {XZ: (43, 86), DM: (12, 31), JW: (21, 43)},
    ),
    Target(
        "VILLAGE_SERVICE_CENTRE",
        "建有250平方米以上村公共事务服务中心的农村社区比例",
        "Villages with a public affairs centre of 250 m² or more",
        "percentage",
        "%",
        "VILLAGES_SERVICE_CENTRE_250",
        "ADMIN_VILLAGES",
        100,
        "ge",
        2014,
        "document period",
        "city",
        EQ,
        "二(九)",
        "每个农村社区建有一所面积不低于250㎡的集办公、服务、活动于一体的“村公共事务服务中心”",
        {XZ: (100, 100), DM: (61, 97), JW: (71, 100)},
    ),
    Target(
        "SOCIAL_ORGS_PER_10K",
        "每万人拥有社会组织数",
        "Social organisations per 10,000 residents",
        "per_ten_thousand",
        "个/万人",
        "SOCIAL_ORGANISATIONS",
        "POP_RESIDENT",
        5,
        "ge",
        2015,
        "stated",
        "city",
        GD,
        "关于加强社会组织管理的实施意见 (一)",
        "到2015年,全省平均每万人拥有社会组织5个以上",
        {XZ: (6.1, 8.9), DM: (3.2, 5.0), JW: (4.0, 6.3)},
        note=(
            "Provincial target applied to Zhuhai; the Zhuhai plan's own aim (中等发达国家水平 by "
            "2017) names no number."
        ),
    ),
    Target(
        "STANDARD_SCHOOLS_RATE",
        "义务教育公办学校规范化率",
        "Public compulsory-education schools meeting the standard",
        "percentage",
        "%",
        "STANDARD_SCHOOLS",
        "PUBLIC_COMPULSORY_SCHOOLS",
        100,
        "ge",
        2012,
        "stated",
        "city",
        EQ,
        "二(一)",
        "到2012年底,全市义务教育公办学校100%建成规范化学校",
        {XZ: (100, 100), DM: (92, 100), JW: (97, 100)},
    ),
    Target(
        "TOWN_KINDERGARTENS",
        "镇中心幼儿园数",
        "Town central kindergartens",
        "count",
        "所",
        "TOWN_KINDERGARTENS",
        "",
        11,
        "ge",
        2012,
        "stated",
        "city",
        EQ,
        "二(一)",
        "到2012年底建成11所镇中心幼儿园",
        {XZ: (4, 5, 5, 6, 6), DM: (4, 4, 5, 5, 5), JW: (2, 2, 3, 4, 4)},
    ),
    Target(
        "HYGIENIC_TOWNS_RATE",
        "卫生镇比例",
        "Towns rated hygienic",
        "percentage",
        "%",
        "HYGIENIC_TOWNS",
        "TOWNS",
        100,
        "ge",
        2015,
        "stated",
        "city",
        EQ,
        "二(二)",
        "争取提前实现2015年所有镇均为卫生镇、80%以上村为卫生村的目标",
        {XZ: (67, 100), DM: (60, 100), JW: (50, 100)},
    ),
    Target(
        "HYGIENIC_VILLAGES_RATE",
        "卫生村比例",
        "Villages rated hygienic",
        "percentage",
        "%",
        "HYGIENIC_VILLAGES",
        "ADMIN_VILLAGES",
        80,
        "ge",
        2015,
        "stated",
        "city",
        EQ,
        "二(二)",
        "争取提前实现2015年所有镇均为卫生镇、80%以上村为卫生村的目标",
        {XZ: (57, 100), DM: (41, 77), JW: (50, 86)},
    ),
    Target(
        "VILLAGE_BUS_ACCESS",
        "行政村班车通达率",
        "Villages served by a scheduled bus",
        "percentage",
        "%",
        "VILLAGES_BUS_SERVED",
        "ADMIN_VILLAGES",
        100,
        "ge",
        2014,
        "document period",
        "city",
        EQ,
        "二(四)",
        "加快农村公路建设,实现符合安全通车条件的行政村班车通达率100%",
        {XZ: (86, 100), DM: (88, 100), JW: (93, 100)},
    ),
    Target(
        "RURAL_PENSION_ENROLMENT",
        "新型农村社会养老保险参保率",
        "Rural pension insurance enrolment",
        "percentage",
        "%",
        "RURAL_PENSION_INSURED",
        "RURAL_PENSION_ELIGIBLE",
        99.8,
        "ge",
        2014,
        "document period",
        "city",
        EQ,
        "二(五)",
        "巩固新型农村社会养老保险制度全覆盖成果,参保率保持99.8%以上",
        {XZ: (99.9, 99.92), DM: (99.55, 99.86), JW: (99.75, 99.9)},
    ),
    Target(
        "EMPLOYMENT_SERVICE_SATISFACTION",
        "公共就业服务对象满意率",
        "Satisfaction with the public employment service",
        "percentage",
        "%",
        "EMPLOYMENT_SURVEY_SATISFIED",
        "EMPLOYMENT_SURVEY_RESPONDENTS",
        85,
        "ge",
        2014,
        "stated",
        "city",
        EQ,
        "二(七)",
        "公共就业服务对象满意率超过85%",
        {XZ: (81, 90), DM: (76, 86), JW: (79, 88)},
        note="超过 (more than) 85%: a value of exactly 85% is read as met.",
    ),
    Target(
        "SKILL_APPRAISALS",
        "职业技能鉴定服务人次",
        "Vocational skill appraisals per year",
        "count",
        "人次",
        "SKILL_APPRAISALS",
        "",
        30000,
        "ge",
        2014,
        "document period",
        "city",
        EQ,
        "二(七)",
        "每年为3万以上人次提供职业技能鉴定服务",
        {XZ: (19000, 24500), DM: (5000, 6600), JW: (4700, 7200)},
    ),
    Target(
        "WEST_BUS_SHELTERS",
        "西部地区新建公交候车亭数",
        "Bus shelters built in the western districts",
        "count",
        "座",
        "WEST_BUS_SHELTERS",
        "",
        487,
        "ge",
        2014,
        "stated",
        "city",
        EQ,
        "二(九)",
        "2012-2014年西部地区建成公交候车亭487座",
        {DM: (95, 210, 290, 330, 352), JW: (60, 130, 186, 205, 221)},
        note="Only the western districts (斗门, 金湾) report it; counted since 2012.",
    ),
    Target(
        "ECO_VILLAGES_RATE",
        "市级以上生态村比例",
        "Villages rated ecological at city level or above",
        "percentage",
        "%",
        "ECO_VILLAGES",
        "ADMIN_VILLAGES",
        80,
        "ge",
        2013,
        "stated",
        "each_district",
        EQ,
        "二(十)",
        "2013年前各区80%的村要成功创建市级以上生态村",
        {XZ: (57, 86, 100, 100, 100), DM: (45, 71, 82, 88, 90), JW: (57, 78, 86, 93, 93)},
    ),
    Target(
        "ECO_TOWNS_RATE",
        "国家生态乡镇比例",
        "Towns rated national ecological towns",
        "percentage",
        "%",
        "ECO_TOWNS",
        "TOWNS",
        80,
        "ge",
        2013,
        "stated",
        "each_district",
        EQ,
        "二(十)",
        "各行政区所辖80%以上的镇要成功创建国家生态乡镇",
        {XZ: (50, 83, 83, 100, 100), DM: (40, 80, 80, 100, 100), JW: (25, 50, 75, 100, 100)},
    ),
    Target(
        "SOCIAL_SECURITY_CARD",
        "社会保障一卡通持卡率",
        "Social security card holding rate",
        "percentage",
        "%",
        "SOCIAL_SECURITY_CARDHOLDERS",
        "INSURED_PERSONS",
        76,
        "ge",
        2014,
        "stated",
        "city",
        EQ,
        "三(五)",
        "推行社会保障“一卡通”工程,至2014年持卡率达76%以上",
        {XZ: (48, 66, 80, 86, 89), DM: (36, 52, 67, 76, 81), JW: (44, 60, 74, 82, 86)},
    ),
    Target(
        "EMPLOYMENT_RATE",
        "有就业创业愿望城乡劳动者就业率",
        "Employment of workers wishing to work",
        "percentage",
        "%",
        "LABOUR_WILLING_EMPLOYED",
        "LABOUR_WILLING",
        80,
        "ge",
        2014,
        "document period",
        "city",
        EQ,
        "三(七)",
        "有就业创业愿望城乡劳动者就业率不低于80%",
        {XZ: (86, 90), DM: (77, 84), JW: (82, 87)},
    ),
    Target(
        "URBAN_UNEMPLOYMENT",
        "城镇登记失业率",
        "Registered urban unemployment",
        "percentage",
        "%",
        "REGISTERED_UNEMPLOYED",
        "URBAN_LABOUR_FORCE",
        3,
        "le",
        2014,
        "document period",
        "city",
        EQ,
        "三(七)",
        "城镇登记失业率控制在3%以内",
        {
            XZ: (2.35, 2.3, 2.3, 2.4, 2.4),
            DM: (3.5, 3.3, 3.1, 2.9, 2.9),
            JW: (2.8, 2.7, 2.6, 2.5, 2.6),
        },
        direction="lower",
    ),
    Target(
        "CULTURE_PORT_RATE",
        "建成家庭人口文化港的镇(街)和村(居)比例",
        "Streets and communities with a family culture port",
        "percentage",
        "%",
        "CULTURE_PORTS",
        "STREETS_AND_COMMUNITIES",
        60,
        "ge",
        2014,
        "stated",
        "city",
        EQ,
        "四(二)",
        "2014年前完成60%的镇(街)和村(居)的建设任务",
        {XZ: (8, 38, 66, 74, 79), DM: (5, 27, 51, 60, 66), JW: (6, 33, 62, 70, 74)},
    ),
    Target(
        "FP_STATION_STANDARD",
        "区、镇(街)计生服务站所标准化建设率",
        "Family-planning service stations meeting the standard",
        "percentage",
        "%",
        "FP_STATIONS_STANDARD",
        "FP_STATIONS",
        100,
        "ge",
        2012,
        "stated",
        "city",
        EQ,
        "四(三)",
        "到2012年,100%的区、镇(街)计生服务站、所完成标准化建设",
        {XZ: (95, 100), DM: (100, 100), JW: (86, 100)},
    ),
    Target(
        "ONLINE_LICENSING",
        "行政许可事项网上办理率",
        "Administrative licensing items handled online",
        "percentage",
        "%",
        "LICENSING_ITEMS_ONLINE",
        "LICENSING_ITEMS",
        90,
        "ge",
        2015,
        "stated",
        "city",
        GD,
        "关于加强社会建设信息化的实施意见 (二)",
        "“十二五”期末,行政许可事项网上办理率达到90%",
        {XZ: (55, 94), DM: (38, 85), JW: (45, 91)},
        note="Provincial target applied to Zhuhai.",
    ),
    Target(
        "STREET_SERVICES_IT",
        "街道(社区)公共服务事项信息化办理率",
        "Street and community services handled through information systems",
        "percentage",
        "%",
        "STREET_SERVICE_ITEMS_IT",
        "STREET_SERVICE_ITEMS",
        80,
        "ge",
        2015,
        "stated",
        "city",
        GD,
        "关于加强社会建设信息化的实施意见 (十九)",
        "“十二五”期末,街道(社区)80%以上公共服务事项实现信息化办理",
        {XZ: (52, 89), DM: (30, 72), JW: (41, 83)},
        note="Provincial target applied to Zhuhai.",
    ),
    Target(
        "SCHOOL_INTERNET",
        "中小学互联网接入率",
        "Primary and secondary schools with internet access",
        "percentage",
        "%",
        "SCHOOLS_INTERNET",
        "SCHOOLS",
        100,
        "ge",
        2015,
        "stated",
        "city",
        GD,
        "关于加强社会建设信息化的实施意见 (十)",
        "“十二五”期末,全省中小学互联网接入率达到100%",
        {XZ: (97, 99, 100, 100, 100), DM: (85, 90, 94, 97, 100), JW: (93, 95, 98, 100, 100)},
        note="Provincial target applied to Zhuhai.",
    ),
    Target(
        "PARK_GREEN_PER_CAPITA",
        "城镇人均公园绿地面积",
        "Urban park green area per urban resident",
        "index",
        "平方米/人",
        "PARK_GREEN_AREA",
        "POP_URBAN",
        13,
        "ge",
        2015,
        "stated",
        "city",
        GD,
        "中共广东省委 广东省人民政府关于加强社会建设的决定 7.",
        "“十二五”期末,全省城镇人均公园绿地面积达13平方米",
        {XZ: (17.0, 19.5), DM: (9.5, 12.4), JW: (12.0, 15.0)},
        note="Provincial target applied to Zhuhai; a ratio of two sums (area / urban residents).",
    ),
    Target(
        "SCHOOLING_YEARS",
        "25周岁以上人口平均受教育年限",
        "Average years of schooling of residents aged 25 and over",
        "index",
        "年",
        "SCHOOLING_YEARS_TOTAL",
        "POP_25PLUS",
        11,
        "ge",
        2015,
        "stated",
        "city",
        GD,
        "中共广东省委 广东省人民政府关于加强社会建设的决定 7.",
        "“十二五”期末,25周岁以上人口平均受教育年限不低于11年",
        {XZ: (11.4, 11.9), DM: (9.6, 10.2), JW: (10.3, 10.8)},
        note="Provincial target applied to Zhuhai; the average is total years / persons.",
    ),
    Target(
        "ON_TIME_CLOSURE",
        "按时办结率",
        "Appeals closed within the time limit",
        "percentage",
        "%",
        "APPEALS_REPLIED_ON_TIME",
        "APPEALS_REPLIED",
        100,
        "ge",
        2015,
        "document period",
        "city",
        GD,
        "关于加快推进社会体制改革建设服务型政府的实施意见 14、",
        "实现按时办结率100%",
        {XZ: (93.0, 98.6), DM: (90.0, 97.5), JW: (91.0, 98.9)},
        note=(
            "Computed from CivicGrid's appeals (replied within the time limit / replied) when "
            "they exist; demo values before."
        ),
    ),
)


# Structural figures per district: (2012 value, yearly growth) or a constant.
STRUCTURE: dict[str, dict[str, tuple[float, float]]] = {
    "POP_RESIDENT": {XZ: (935_000, 0.016), DM: (398_000, 0.007), JW: (263_000, 0.028)},
    "COMMUNITIES": {XZ: (168, 0), DM: (133, 0), JW: (44, 0)},
    "URBAN_COMMUNITIES": {XZ: (161, 0), DM: (32, 0), JW: (30, 0)},
    "ADMIN_VILLAGES": {XZ: (7, 0), DM: (101, 0), JW: (14, 0)},
    "TOWNS": {XZ: (6, 0), DM: (5, 0), JW: (4, 0)},
    "STREETS_AND_COMMUNITIES": {XZ: (187, 0), DM: (139, 0), JW: (50, 0)},
    "PUBLIC_COMPULSORY_SCHOOLS": {XZ: (78, 0), DM: (52, 0), JW: (31, 0)},
    "SCHOOLS": {XZ: (121, 0.01), DM: (70, 0), JW: (42, 0.02)},
    "FP_STATIONS": {XZ: (20, 0), DM: (7, 0), JW: (7, 0)},
    "RC_MEMBERS": {XZ: (1127, 0), DM: (192, 0), JW: (186, 0)},
    "ESTATES_WITH_OWNERS_COMMITTEE": {XZ: (210, 0.11), DM: (35, 0.14), JW: (40, 0.15)},
    "INPATIENT_POLICY_COST": {XZ: (52_000, 0.09), DM: (26_000, 0.08), JW: (14_000, 0.11)},
    "LICENSING_ITEMS": {XZ: (320, 0), DM: (284, 0), JW: (291, 0)},
    "STREET_SERVICE_ITEMS": {XZ: (146, 0.03), DM: (118, 0.03), JW: (124, 0.03)},
    "EMPLOYMENT_SURVEY_RESPONDENTS": {XZ: (1200, 0), DM: (800, 0), JW: (600, 0)},
    "APPEALS_REPLIED": {XZ: (118_000, 0.12), DM: (31_000, 0.10), JW: (22_000, 0.13)},
}

# Shares of the resident population per district: (2012 share, 2016 share).
POPULATION_SHARES: dict[str, dict[str, tuple[float, float]]] = {
    "POP_ELDERLY_60": {XZ: (0.082, 0.096), DM: (0.121, 0.135), JW: (0.089, 0.101)},
    "POP_URBAN": {XZ: (0.975, 0.98), DM: (0.58, 0.63), JW: (0.74, 0.78)},
    "POP_25PLUS": {XZ: (0.68, 0.69), DM: (0.70, 0.71), JW: (0.66, 0.67)},
    "HOUSEHOLDS": {XZ: (1 / 2.75, 1 / 2.7), DM: (1 / 3.15, 1 / 3.1), JW: (1 / 2.95, 1 / 2.9)},
    "HOUSED_RESIDENTS": {XZ: (0.34, 0.35), DM: (0.30, 0.31), JW: (0.32, 0.33)},
    "INSURED_PERSONS": {XZ: (0.78, 0.86), DM: (0.66, 0.77), JW: (0.74, 0.83)},
    "RURAL_PENSION_ELIGIBLE": {XZ: (0.012, 0.011), DM: (0.21, 0.20), JW: (0.07, 0.065)},
    "LABOUR_WILLING": {XZ: (0.56, 0.57), DM: (0.55, 0.56), JW: (0.58, 0.59)},
    "URBAN_LABOUR_FORCE": {XZ: (0.55, 0.56), DM: (0.33, 0.36), JW: (0.43, 0.45)},
}


def _yearly(spec: tuple[float, ...]) -> list[float]:
    if len(spec) == len(YEARS):
        return list(spec)
    start, end = spec
    steps = len(YEARS) - 1
    return [start + (end - start) * index / steps for index in range(len(YEARS))]


def load_documents() -> dict[str, str]:
    return {name: (POLICY_DIR / name).read_text(encoding="utf-8") for name in (GD, EQ, ZH)}


def source_offset(documents: dict[str, str], target: Target) -> int:
    offset = documents[target.document].find(target.quote)
    if offset < 0:
        raise ValueError(f"{target.code}: the quote is not in {target.document}")
    return offset


def element_values(rng: random.Random) -> dict[tuple[str, str, int], float]:
    """Every data element's value per (element, district, year)."""
    values: dict[tuple[str, str, int], float] = {}
    for code, per_district in STRUCTURE.items():
        for district, (start, growth) in per_district.items():
            for index, year in enumerate(YEARS):
                values[(code, district, year)] = round(start * (1 + growth) ** index)
    for code, per_district in POPULATION_SHARES.items():
        for district, share in per_district.items():
            for year, value in zip(YEARS, _yearly(share), strict=True):
                population = values[("POP_RESIDENT", district, year)]
                values[(code, district, year)] = round(population * value)
    for target in TARGETS:
        factor = FACTORS.get(target.kind, 1)
        for district, spec in target.demo.items():
            for year, ratio in zip(YEARS, _yearly(spec), strict=True):
                key = (target.numerator, district, year)
                if not target.denominator:
                    # Counts: round to whole numbers; a little noise on the big ones.
                    noise = rng.uniform(-0.02, 0.02) if ratio > 1000 else 0.0
                    values[key] = round(ratio * (1 + noise))
                    continue
                denominator = values[(target.denominator, district, year)]
                # Noise of up to a fifth of a year's change on the years between the first
                # and the last of a growing series; none on steps and explicit values.
                if len(spec) == 2 and year not in (YEARS[0], YEARS[-1]):
                    step = (spec[1] - spec[0]) / (len(YEARS) - 1)
                    ratio += step * rng.uniform(-0.2, 0.2)
                numerator = ratio * denominator / factor
                if target.kind == "index":
                    values[key] = round(numerator)
                else:
                    values[key] = min(round(numerator), denominator if factor == 100 else 10**12)
    # Certified social workers can never outnumber social workers.
    for district in DISTRICTS:
        for year in YEARS:
            certified = ("CERT_SOCIAL_WORKERS", district, year)
            workers = values[("SOCIAL_WORKERS", district, year)]
            values[certified] = min(values[certified], workers)
    return values


CATALOGUE_FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "kind",
    "unit",
    "numerator",
    "denominator",
    "direction",
    "target_value",
    "comparator",
    "deadline_year",
    "deadline_basis",
    "scope",
    "source_document",
    "source_section",
    "source_offset",
    "source_length",
    "source_quote",
    "note",
)
ELEMENT_FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "unit",
    "source",
    "computed_from",
    "department",
    "aggregation",
)
VALUE_FIELDS = ("dataElement", "period", "orgUnit", "value")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def render() -> dict[str, str]:
    """The three CSV files' text by file name."""
    documents = load_documents()
    rng = random.Random(SEED)
    catalogue = io.StringIO()
    writer = csv.writer(catalogue, lineterminator="\n")
    writer.writerow(CATALOGUE_FIELDS)
    for target in TARGETS:
        writer.writerow(
            [
                target.code,
                target.name_zh,
                target.name_en,
                target.kind,
                target.unit,
                target.numerator,
                target.denominator,
                target.direction,
                _number(target.target_value),
                target.comparator,
                target.deadline_year,
                target.deadline_basis,
                target.scope,
                target.document,
                target.section,
                source_offset(documents, target),
                len(target.quote),
                target.quote,
                target.note,
            ]
        )
    elements = io.StringIO()
    writer = csv.writer(elements, lineterminator="\n")
    writer.writerow(ELEMENT_FIELDS)
    for element in ELEMENTS:
        writer.writerow(
            [
                element.code,
                element.name_zh,
                element.name_en,
                element.unit,
                element.source,
                element.computed_from,
                element.department,
                "sum" if element.code in FLOW_ELEMENTS else element.aggregation,
            ]
        )
    values = element_values(rng)
    known = {element.code for element in ELEMENTS}
    missing = {code for code, _, _ in values} - known
    if missing:
        raise ValueError(f"values of unknown data elements: {sorted(missing)}")
    value_text = io.StringIO()
    writer = csv.writer(value_text, lineterminator="\n")
    writer.writerow(VALUE_FIELDS)
    order = {element.code: index for index, element in enumerate(ELEMENTS)}
    for (code, district, year), value in sorted(
        values.items(), key=lambda item: (order[item[0][0]], item[0][1], item[0][2])
    ):
        writer.writerow([code, year, district, _number(value)])
    return {
        "indicator_catalogue.csv": catalogue.getvalue(),
        "indicator_data_elements.csv": elements.getvalue(),
        "indicator_values.csv": value_text.getvalue(),
    }


def main() -> None:
    for name, text in render().items():
        (DATA_DIR / name).write_text(text, encoding="utf-8")
        print(f"{name}: {text.count(chr(10)) - 1} rows")


if __name__ == "__main__":
    main()
