"""Quantitative targets: 每万人中不少于10名社工 (by 2017) → value, unit, comparator, year.

A target is a number with a unit (%, 名, 个, 张 …, per 千名老人 / 万人 when the clause says
每千名老人 / 每万人) in a clause that states what is to be reached (达到, 不少于, 以上, 左右,
控制在 …, or a year it is due by). Numbers that are years, document numbers, dates, phone
numbers or ordinals (第3批, 三级, 12345热线) are not targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicgrid.plans.extraction.deadlines import find_dates
from civicgrid.plans.extraction.structure import cn_value

NUMBER = r"(?P<num>\d+(?:\.\d+)?)"
RANGE = r"(?P<low>\d+(?:\.\d+)?)\s*(?:[-—–~～至到]|－)\s*(?P<high>\d+(?:\.\d+)?)"
MULTIPLIER = r"(?P<mult>万|亿|千)?"
# Measure words and units, longest first.
UNITS = (
    "个月",
    "学时",
    "平方米",
    "平方公里",
    "公里",
    "千米",
    "立方米",
    "万元",
    "亿元",
    "元",
    "人次",
    "户",
    "人",
    "名",
    "个",
    "张",
    "所",
    "家",
    "座",
    "条",
    "项",
    "套",
    "间",
    "支",
    "台",
    "辆",
    "次",
    "场",
    "处",
    "岁",
    "年",
    "天",
    "小时",
    "分钟",
    "兆比特每秒",
    "兆",
    "倍",
    "㎡",
    "m2",
    "%",
    "‰",
)
UNIT_RE = "|".join(re.escape(unit) for unit in UNITS)
VALUE_RE = re.compile(
    rf"(?<![\d.〔{{\[])(?:{RANGE}|{NUMBER})\s*{MULTIPLIER}\s*(?P<inner>以上|以下|多)?"
    rf"\s*(?P<unit>{UNIT_RE})?"
)
# "七个区级…文化港", "两个加气站": Chinese numerals that count (一个 / 一所 mean "a").
CN_COUNT_RE = re.compile(
    r"(?<![第一二三四五六七八九十])(?P<num>[两二三四五六七八九十]{1,3})(?P<unit>个|所|座|家|支|项)"
)
GE_BEFORE = re.compile(
    r"(不少于|不低于|不小于|至少|超过|(?<!不)多于|(?<!不)高于|(?<!不)大于|达到|达|提高到|提升到|"
    r"增加到|增长到|升至|提高至)\s*$"
)
LE_BEFORE = re.compile(
    r"(不超过|不高于|不多于|不大于|(?<!不)低于|(?<!不)少于|(?<!不)小于|控制在|降低到|降至|下降到|"
    r"减少到|最高达到|最高达|最多)\s*$"
)
ABOUT_BEFORE = re.compile(r"(约|大约|近|左右达到)\s*$")
GE_AFTER = re.compile(r"^\s*(以上|及以上|或以上|以上的)")
LE_AFTER = re.compile(r"^\s*(以内|以下|及以下|之内)")
ABOUT_AFTER = re.compile(r"^\s*(左右|上下)")
PER_RE = re.compile(
    r"每(?P<per>(?:\d+|[一二三四五六七八九十百千万]+)?\s*(?:万|千|百|十)?\s*(?:名|个|位)?(?:[\u4e00-\u9fff]{0,4}?))(?:中|拥有|有|配备|建有)"
)
YEAR_MARK_RE = re.compile(
    r"(到|至|截至|截止|在|于|力争|争取|预计)?\s*((?:19|20)\d\d\s*[-—–至到]\s*)?"
    r"((?:19|20)\d\d)\s*年(底|末|前|内)?|"
    r"[“\"]?十[一二三四五]五[”\"]?\s*(期末|末|期间)"
)
# Numbers that are never targets: years, document numbers, ordinals, phone numbers.
NOT_TARGET_AFTER = re.compile(r"^\s*(年(?!龄)|月|日|号|届|次会|周年|级|批|期|类|大|项目)")
NOT_TARGET_BEFORE = re.compile(r"(第|〔|\[|\{|前|后|近|这|每隔|连续|热线|电话|ISO|号码)\s*$")
SENTENCE_END_RE = re.compile(r"[。!！?？\n]")
CLAUSE_SPLIT = re.compile(r"[。;；!！?？\n]")
NOUN_MEASURE = {
    "床位": "张",
    "养老床位": "张",
    "社工": "名",
    "医生": "名",
    "全科医生": "名",
    "志愿者": "名",
    "人才": "名",
    "社会组织": "个",
}


@dataclass
class TargetFound:
    """A target read from a text (offsets relative to the text searched)."""

    subject: str
    value: float | tuple[float, float]
    unit: str
    comparator: str
    year: int | None
    text: str
    start: int
    end: int


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _clause_bounds(text: str, position: int) -> tuple[int, int]:
    start = 0
    for match in CLAUSE_SPLIT.finditer(text, 0, position):
        start = match.end()
    stop = CLAUSE_SPLIT.search(text, position)
    end = stop.start() if stop else len(text)
    return start, end


def _year_for(text: str, clause_start: int, position: int) -> int | None:
    """The year a target is due: the last year mark before it in its sentence.

    Clauses joined by ; share a year stated once ("到2015年,选拔100名…;培养500名…").
    """
    sentence_start = 0
    for stop in SENTENCE_END_RE.finditer(text, 0, position):
        sentence_start = stop.end()
    before = text[min(clause_start, sentence_start) : position]
    marks = list(YEAR_MARK_RE.finditer(before))
    for mark in reversed(marks):
        # A year range "2012-2014年" gives its end; "2011年完成…的基础上" is history, skip.
        dates = find_dates(mark[0])
        if dates:
            return dates[-1].date.year
    return None


def _per_unit(clause_before: str) -> str:
    """每千名老人 → "千名老人", 每万人 → "万人", 每万名居民 → "万人"."""
    each = None
    for found in re.finditer(
        r"(?:每(?:一)?个|各)(?P<noun>[\u4e00-\u9fff]{0,8}?)(?P<base>社区|村|镇|街道|乡镇|市|区|县|学校|医院)"
        r"(?=[\u4e00-\u9fff]{0,4}$|都|均|要|应|至少|配备|建立|建有|设立|有|平均|拥有)",
        clause_before,
    ):
        each = found
    households = None
    for found in re.finditer(r"每\s*(?P<n>\d+)\s*(?P<m>户|人|名)", clause_before):
        households = found
    match = None
    for found in re.finditer(
        r"每\s*(?P<count>十万|百万|千万|万|千|百)\s*(?P<measure>名|个|位)?\s*"
        r"(?P<noun>老人|居民|人口|常住人口|户籍人口|人)?",
        clause_before,
    ):
        match = found
    if match is None:
        if households is not None:
            return f"{households['n']}{households['m']}"
        if each is not None:
            return each["base"]
        if re.search(r"人均", clause_before):
            return "人"
        return ""
    count = match["count"]
    noun = match["noun"] or "人"
    if noun in {"居民", "人口", "常住人口", "人"}:
        return f"{count}人"
    return f"{count}{match['measure'] or '名'}{noun}"


def _subject(clause: str, number_start: int, number_end: int) -> str:
    """The clause's words around the number, without the year mark and comparator."""
    before = clause[:number_start]
    after = clause[number_end:]
    before = re.split(r"[,，:：]", before)[-1]
    before = YEAR_MARK_RE.sub("", before)
    before = re.sub(
        r"(不少于|不低于|不小于|至少|超过|达到|提高到|提升到|增加到|控制在|不超过|不高于|"
        r"降低到|最高达到|最高达|约|大约|保持|达)\s*$",
        "",
        before,
    )
    before = re.sub(r"^(全市|全省|基本|力争|争取|逐步|实现|确保|使|并|其中|到|至)+", "", before)
    before = re.sub(r"(的|为)$", "", before.strip())
    after_text = re.split(r"[,，:：]", after)[0]
    after_text = re.sub(r"^\s*(以上|及以上|以内|以下|左右|上下)", "", after_text)
    after_text = re.sub(r"^(的目标|的)", "", after_text)
    after_text = re.sub(r"(的目标|目标)$", "", after_text)
    subject = before.strip()
    if not subject or len(subject) < 2:
        subject = after_text.strip()
    elif (
        after_text.strip() and len(subject) < 6 and re.match(r"^的?[\u4e00-\u9fff]", after.strip())
    ):
        subject = f"{subject}{after_text.strip()}"
    return subject.strip(" ,，的")[:60]


# "A比例、B比例均达到70%": one value stated once for several subjects (均 / 都 before it).
SHARED_VALUE_RE = re.compile(
    r"(?P<subjects>[^,，;；:：。]{4,80}?)(?:均|都)(?:要|应|将)?\s*"
    r"(?:达到|不低于|不少于|不高于|不超过|超过|保持在|控制在|提高到|提升到|在|为|达)?\s*$"
)


def _shared_subjects(clause_before: str) -> list[str]:
    """The subjects of one value stated for several ("…比例、…比例均达到"), else []."""
    match = SHARED_VALUE_RE.search(clause_before)
    if not match:
        return []
    subjects = match["subjects"].strip()
    subjects = YEAR_MARK_RE.sub("", subjects)
    subjects = re.sub(r"^(全市|全省|基本|力争|争取|逐步|实现|确保|使|并|其中|到|至)+", "", subjects)
    parts = [part.strip() for part in re.split(r"、|和|及|与", subjects) if part.strip()]
    if len(parts) < 2 or any(len(part) < 2 for part in parts):
        return []
    return parts


def find_targets(text: str) -> list[TargetFound]:
    """Every quantitative target of ``text``."""
    found: list[TargetFound] = []
    for match in VALUE_RE.finditer(text):
        start, end = match.start(), match.end()
        unit = match["unit"] or ""
        before = text[max(0, start - 12) : start]
        after = text[end : end + 8]
        if NOT_TARGET_AFTER.match(text[end:]) and unit in {"", "年"}:
            continue
        if NOT_TARGET_BEFORE.search(before):
            continue
        follows_date_word = re.match(
            r"^\s*[年月日号]", text[match.end("num") if match["num"] else end :]
        )
        if follows_date_word and (unit != "年" or re.search(r"(19|20)\d\d", match[0])):
            continue
        raw_number = match["num"] or match["low"]
        if raw_number and re.fullmatch(r"(19|20)\d\d", raw_number) and unit in {"", "年"}:
            continue
        clause_start, clause_end = _clause_bounds(text, start)
        clause = text[clause_start:clause_end]
        clause_before = text[clause_start:start]
        comparator = "eq"
        if match["inner"] in {"以上", "多"}:
            comparator = "ge"
        elif match["inner"] == "以下":
            comparator = "le"
        wide = clause_before[-30:]
        if re.search(r"(不低于|不少于|不小于|超过|高于|达到)[^,，;；]{1,28}的\s*$", wide):
            comparator = "ge"
        if re.search(r"(不高于|不超过|低于|少于)[^,，;；]{1,28}的\s*$", wide) and not re.search(
            r"不(低于|少于)[^,，;；]{1,28}的\s*$", wide
        ):
            comparator = "le"
        if re.search(r"(至少|不少于|不低于)(配备|建立|建成|建有|培养|达到|有|参加)?\s*$", before):
            comparator = "ge"
        if GE_BEFORE.search(before) or GE_AFTER.match(after):
            comparator = "ge"
        if LE_BEFORE.search(before) or LE_AFTER.match(after):
            comparator = "le"
        if ABOUT_BEFORE.search(before) or ABOUT_AFTER.match(after):
            comparator = "about"
        is_range = match["low"] is not None
        if is_range:
            comparator = "range"
        has_signal = comparator != "eq" or bool(YEAR_MARK_RE.search(clause_before))
        per = _per_unit(clause_before)
        if not unit:
            # "每千名老人拥有养老床位不少于30": the measure word follows from the noun.
            if not per or not has_signal:
                continue
            noun = next(
                (n for n in sorted(NOUN_MEASURE, key=len, reverse=True) if n in clause_before), ""
            )
            unit = NOUN_MEASURE.get(noun, "")
        if unit in {"年"} and comparator == "eq":
            continue
        if (
            not has_signal
            and unit != "%"
            and not re.search(
                r"(建成|建设|新建|改扩建|改造|完成|实现|培育|扶持|新增|增加|减轻|配备|建有|设立|开展|"
                r"覆盖|招收|培养|遴选)",
                clause_before[-20:],
            )
        ):
            continue
        multiplier = {"万": 10_000, "亿": 100_000_000, "千": 1_000}.get(match["mult"] or "", 1)
        if match["mult"] == "万" and unit in {"元"}:
            unit = f"{match['mult']}{unit}"  # 万元 is the usual money unit: kept as written
            multiplier = 1
        value: float | tuple[float, float]
        if is_range:
            value = (_number(match["low"]) * multiplier, _number(match["high"]) * multiplier)
        else:
            value = _number(match["num"]) * multiplier
        if unit in {"平方米", "m2"}:
            unit = "㎡"
        if (
            per
            and unit
            and "/" not in unit
            and unit not in {"%", "‰"}
            and (unit != "㎡" or per == "人")
        ):
            unit = f"{unit}/{per}"
        sentence_before = text[max(0, text.rfind("。", 0, start) + 1) : start]
        if "每年" in sentence_before and unit and "/" not in unit and unit not in {"%", "‰"}:
            unit = f"{unit}/年"
        year = _year_for(text, clause_start, start)
        subject = _subject(clause, start - clause_start, end - clause_start)
        for part in _shared_subjects(clause_before) or [subject]:
            found.append(
                TargetFound(
                    subject=part,
                    value=value,
                    unit=unit,
                    comparator=comparator,
                    year=year,
                    text=clause.strip(),
                    start=start,
                    end=end,
                )
            )
    for match in CN_COUNT_RE.finditer(text):
        clause_start, clause_end = _clause_bounds(text, match.start())
        clause_before = text[clause_start : match.start()]
        if not YEAR_MARK_RE.search(clause_before) or re.match(r"[级类批期]", text[match.end() :]):
            continue
        if any(clause_start <= item.start < clause_end for item in found):
            continue  # a clause with a numeric target: the count words only qualify it
        clause = text[clause_start:clause_end]
        found.append(
            TargetFound(
                subject=_subject(clause, match.start() - clause_start, match.end() - clause_start),
                value=cn_value(match["num"].replace("两", "二")),
                unit=match["unit"],
                comparator="eq",
                year=_year_for(text, clause_start, match.start()),
                text=clause.strip(),
                start=match.start(),
                end=match.end(),
            )
        )
    found.sort(key=lambda item: item.start)
    return found
