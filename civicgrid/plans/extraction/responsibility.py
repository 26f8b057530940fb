"""Who does a task: responsibility clauses → lead and cooperating units.

The general method, not a rule per document:

1. find the clause: a bracketed segment ("(市民政局牵头,各区配合)", "(市X局负责)"), a labelled
   segment ("牵头单位:…", "责任单位:…", "配合单位:…") or a table cell;
2. cut it into role groups at , ; and at role words (牵头 / 负责 / 配合 / 参与 …);
3. split each group's unit list at 、 , 和 及 与 以及 — but never inside brackets
   (市委政法委(市综治办)) and never inside a name (市海洋农业和水务局: "市海洋农业" is no
   unit on its own);
4. give each group its role from the role word or label; the first lead is the main lead.

A group is accepted only when every name in it looks like a body (ends in 局 / 委 / 办 / 政府 …,
or is a collective name such as 各区 / 相关单位), so brackets like "(保障对象占…的比例)" or
"(试行)" are never read as units.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from civicgrid.plans.extraction.deadlines import looks_like_deadline
from civicgrid.plans.extraction.types import UnitRole

OPEN = "(（[【〔"
CLOSE = ")）]】〕"

# Endings of names of bodies (局, 委, 办 …) and of collective names (各区, 相关单位 …).
UNIT_SUFFIXES = (
    "管理委员会",
    "委员会",
    "管委会",
    "办公室",
    "办公厅",
    "领导小组",
    "工作组",
    "专项组",
    "专班",
    "小组",
    "人民政府",
    "政府",
    "检察院",
    "法院",
    "中心",
    "部门",
    "单位",
    "机构",
    "机关",
    "组织",
    "企业",
    "公司",
    "集团",
    "银行",
    "街道",
    "街",
    "镇",
    "乡",
    "区",
    "县",
    "村",
    "居",
    "社区",
    "局",
    "委",
    "办",
    "部",
    "厅",
    "署",
    "院",
    "会",
    "处",
    "室",
    "所",
    "站",
    "队",
    "科",
    "组",
    "团",
    "联",
    "协",
    "社",
    "馆",
    "校",
    "台",
    "司",
)
COLLECTIVE_RE = re.compile(
    r"^(各|全市各|市直各|所有|相关|有关|其他|其它)|"
    r"(成员单位|相关单位|有关单位|相关部门|有关部门|各单位|职能部门|各部门)$"
)
# Words that begin phrases, not names ("根据市相关工作部署"), and parts of meeting names.
NOT_A_NAME_START = r"^(根据|按照|依据|依照|需|由|在|对|经|为|将|把|以|从|向|与|和|及|等)"
NOT_A_NAME_PART = r"(届|全会|会议|大会|部署|要求|精神)"
LEAD_WORDS = (
    "牵头负责",
    "牵头落实",
    "牵头组织",
    "牵头",
    "具体负责",
    "共同负责",
    "分别负责",
    "按职责分工负责",
    "按职责负责",
    "负责落实",
    "负责",
    "主办",
    "主责",
    "为主",
    "组织实施",
    "落实",
)
COOPERATING_WORDS = (
    "按职责分工配合",
    "密切配合",
    "积极配合",
    "协助配合",
    "配合落实",
    "配合",
    "参与",
    "协助",
    "协办",
    "协同",
    "支持",
)
LEAD_LABELS = (
    "牵头落实单位",
    "牵头单位",
    "牵头部门",
    "责任单位",
    "责任部门",
    "主办单位",
    "主责单位",
    "主要责任单位",
    "落实单位",
    "实施单位",
    "责任主体",
    "承办单位",
)
COOPERATING_LABELS = (
    "配合单位",
    "配合部门",
    "协办单位",
    "协助单位",
    "参与单位",
    "参加单位",
    "协同单位",
    "协作单位",
)
# Labels that name the lead outright; beside one of them, a "责任单位" list names the units
# that carry the work with the lead ("牵头单位:区发改局 / 责任单位:各街道"): cooperating.
PRIMARY_LEAD_LABELS = ("牵头落实单位", "牵头单位", "牵头部门", "主办单位", "主责单位")
SHARED_LABELS = ("责任单位", "责任部门", "落实单位", "实施单位", "承办单位", "责任主体")
# Role words that share the work out among several units; beside a 牵头 they name the units
# that work with the lead ("A牵头,B、C按职责分工负责"): cooperating.
SHARING_WORDS = ("按职责分工负责", "按职责负责", "分别负责")
LABEL_RE = re.compile(
    "(" + "|".join(sorted(LEAD_LABELS + COOPERATING_LABELS, key=len, reverse=True)) + r")\s*[:：]"
)
ROLE_WORD_RE = re.compile(
    "("
    + "|".join(sorted(LEAD_WORDS + COOPERATING_WORDS, key=len, reverse=True))
    + r")(?:单位|部门)?$"
)
# Words that may follow a unit list before the role word or the end: 等 / 等相关单位 ….
ETC_RE = re.compile(r"(等[^、,，;；()（）]{0,24}(单位|部门|机构)|等)$")
SPLIT_RE = re.compile(r"[、,，;；/]|以及|及|和|与|暨")
CONTACT_RE = re.compile(r"^(责任处室|责任科室|责任人|联系人|电话|联系电话|手机|传真|邮箱)\s*[:：]?")


@dataclass
class UnitName:
    """A unit as written, with its place in the text searched."""

    name: str
    start: int
    end: int
    is_collective: bool = False


@dataclass
class Assignment:
    """Units found in one clause, by role."""

    lead: list[UnitName] = field(default_factory=list)
    cooperating: list[UnitName] = field(default_factory=list)
    start: int = 0  # the clause's place (brackets included)
    end: int = 0
    labelled: bool = False  # from "责任单位:" and the like (may be shared by several items)
    label: str = ""  # the label it was read after ("牵头单位"), if any
    deadline_text: str = ""
    incomplete: bool = False  # "…等相关单位": the list names only some units

    @property
    def is_empty(self) -> bool:
        return not self.lead and not self.cooperating


def depth_map(text: str) -> list[int]:
    """Bracket depth at each character (0 outside brackets)."""
    depth = 0
    depths = []
    for ch in text:
        if ch in OPEN:
            depth += 1
            depths.append(depth)
        elif ch in CLOSE:
            depths.append(depth)
            depth = max(0, depth - 1)
        else:
            depths.append(depth)
    return depths


def is_collective(name: str) -> bool:
    return bool(COLLECTIVE_RE.search(strip_brackets(name)))


def strip_brackets(name: str) -> str:
    return re.sub(r"[(（][^()（）]*[)）]", "", name).strip()


def looks_like_unit(name: str) -> bool:
    """A name that can be a body: 市民政局, 团市委, 各区, 香洲区政府, 市委政法委(市综治办)."""
    bare = strip_brackets(name)
    if not bare or len(bare) > 30 or len(bare) < 2:
        return False
    if re.search(r"[\d%。:：“”\"《》]", bare):
        return False
    if re.match(NOT_A_NAME_START, bare) or re.search(NOT_A_NAME_PART, bare):
        return False
    return bare.endswith(UNIT_SUFFIXES)


def split_units(text: str, offset: int = 0) -> list[UnitName]:
    """``"市教育局、市财政局和各区"`` → the names, split only where both sides are units."""
    depths = depth_map(text)
    pieces: list[tuple[int, int]] = []
    start = 0
    for match in SPLIT_RE.finditer(text):
        if depths[match.start()] > 0:
            continue
        pieces.append((start, match.start()))
        pieces.append((-match.start(), -match.end()))  # separator marker
        start = match.end()
    pieces.append((start, len(text)))
    # Re-join at 和 / 及 / 与 where the left part is no unit on its own (市海洋农业和水务局).
    names: list[tuple[int, int]] = []
    pending_sep: tuple[int, int] | None = None
    for piece in pieces:
        if piece[0] < 0 or (piece[0] == 0 and piece[1] < 0):
            pending_sep = (-piece[0], -piece[1])
            continue
        if names and pending_sep is not None:
            sep = text[pending_sep[0] : pending_sep[1]]
            left = text[names[-1][0] : names[-1][1]].strip()
            right = text[piece[0] : piece[1]].strip()
            if sep in {"和", "及", "与", "暨", "以及"} and not (
                looks_like_unit(left) and looks_like_unit(right)
            ):
                names[-1] = (names[-1][0], piece[1])
                pending_sep = None
                continue
        names.append(piece)
        pending_sep = None
    found = []
    for start, end in names:
        raw = text[start:end]
        lead_space = len(raw) - len(raw.lstrip())
        name = raw.strip()
        if not name:
            continue
        name_start = offset + start + lead_space
        for part_start, part in _unglue(name):
            begin = name_start + part_start
            found.append(
                UnitName(part, begin, begin + len(part), is_collective=is_collective(part))
            )
    return found


# Two names run together where a table cell lost its line break: "市行政审批局市司法局".
GLUED_RE = re.compile(r"(?:(?<=[局委办厅])|(?<=政府))(?=[市区县省州][\u4e00-\u9fff])")


def _unglue(name: str) -> list[tuple[int, str]]:
    """Split a name at each place where one body's name ends and another's begins."""
    if not looks_like_unit(name):
        return [(0, name)]
    depths = depth_map(name)
    cuts = [m.start() for m in GLUED_RE.finditer(name) if depths[m.start()] == 0]
    if not cuts:
        return [(0, name)]
    bounds = [0, *cuts, len(name)]
    parts = [(a, name[a:b]) for a, b in itertools.pairwise(bounds)]
    if all(len(strip_brackets(part)) >= 3 and looks_like_unit(part) for _, part in parts):
        return parts
    return [(0, name)]


def _strip_etc(text: str) -> tuple[str, bool]:
    """Drop a trailing 等 / 等相关单位 from a unit list; say whether one was there."""
    match = ETC_RE.search(text)
    if match and match.start() > 0:
        return text[: match.start()], True
    return text, False


def _etc_tail(text: str, offset: int) -> list[UnitName]:
    """ "A、B等相关单位" → the trailing collective (相关单位) as its own entry; bare 等 → none."""
    match = ETC_RE.search(text)
    if not match or match.start() == 0:
        return []
    tail = text[match.start() + 1 : match.end()].strip()
    if not tail:
        return []
    start = offset + match.start() + 1
    return [UnitName(tail, start, start + len(tail), is_collective=True)]


def _all_units(text: str) -> bool:
    body, _ = _strip_etc(text)
    units = split_units(body)
    return bool(units) and all(looks_like_unit(unit.name) for unit in units)


def parse_group(text: str, offset: int) -> tuple[UnitRole | None, list[UnitName], bool] | None:
    """One role group ("市民政局、各区配合") → (role, units, incomplete) or None if not one."""
    lead_space = len(text) - len(text.lstrip())
    body = text.strip()
    role: UnitRole | None = None
    match = ROLE_WORD_RE.search(body)
    if match and not _all_units(body):  # "…政协办" ends in 协办 but is a name
        role = "lead" if match[1] in LEAD_WORDS else "cooperating"
        body = body[: match.start()]
    prefix = re.match(r"^(由|请|会同|并由)", body)
    skipped = prefix.end() if prefix else 0
    tail = _etc_tail(body[skipped:], offset + lead_space + skipped)
    body, incomplete = _strip_etc(body[skipped:])
    units = split_units(body, offset + lead_space + skipped)
    if not units or not all(looks_like_unit(unit.name) for unit in units):
        # "各区(经济功能区)等相关部门" after stripping may leave nothing: the group is the
        # collective name itself.
        whole = text.strip()
        whole = ROLE_WORD_RE.sub("", whole)
        if whole and looks_like_unit(whole) and is_collective(whole):
            units = [UnitName(whole, offset + lead_space, offset + lead_space + len(whole), True)]
            return role, units, False
        return None
    return role, units + tail, incomplete


def parse_clause(text: str, offset: int = 0, *, default_role: UnitRole | None = None) -> Assignment:
    """A clause inside brackets or after a label → the units by role (empty if none)."""
    assignment = Assignment(start=offset, end=offset + len(text))
    depths = depth_map(text)
    # Cut at , ; (outside brackets) and right after a role word.
    cuts = [0]
    for index, ch in enumerate(text):
        if ch in ",，;；" and depths[index] == 0:
            cuts.append(index)
    cuts.append(len(text))
    groups: list[tuple[int, int]] = []
    for left, right in itertools.pairwise(cuts):
        if text[left : left + 1] in {",", "，", ";", "；"}:
            left += 1
        # A group may hold two roles without a comma: "市民政局牵头各区配合".
        segment = text[left:right]
        inner = re.finditer(
            "(" + "|".join(sorted(LEAD_WORDS + COOPERATING_WORDS, key=len, reverse=True)) + ")",
            segment,
        )
        start = 0
        for match in inner:
            if depths[left + match.start()] > 0:
                continue
            end = match.end()
            tail = re.match(r"(单位|部门)", segment[end:])
            if tail:
                end += tail.end()
            if (
                end < len(segment)
                and segment[end:].strip()
                and (parse_group(segment[start:end], 0) or (None,))[0] is not None
            ):
                groups.append((left + start, left + end))
                start = end
        groups.append((left + start, right))
    sharing: list[UnitName] = []
    has_lead_word = False
    for left, right in groups:
        segment = text[left:right]
        if not segment.strip():
            continue
        cleaned = re.sub(r"(完成|前完成|完成时间|时限)[:：]?", "", segment.strip())
        if looks_like_deadline(cleaned) or re.match(r"^(完成时间|完成时限|时限)", segment.strip()):
            assignment.deadline_text = re.sub(r"^(完成时间|完成时限|时限)\s*[:：]", "", segment)
            assignment.deadline_text = assignment.deadline_text.strip()
            continue
        parsed = parse_group(segment, offset + left)
        if parsed is None:
            return Assignment(start=offset, end=offset + len(text))
        role, units, incomplete = parsed
        role = role or default_role
        if role is None:
            return Assignment(start=offset, end=offset + len(text))
        assignment.incomplete = assignment.incomplete or incomplete
        word = ROLE_WORD_RE.search(segment.strip())
        if word and word[1] in SHARING_WORDS:
            sharing.extend(units)
        elif word and word[1].startswith("牵头"):
            has_lead_word = True
        (assignment.lead if role == "lead" else assignment.cooperating).extend(units)
    if has_lead_word and sharing:
        assignment.lead = [unit for unit in assignment.lead if unit not in sharing]
        assignment.cooperating.extend(sharing)
        assignment.cooperating.sort(key=lambda unit: unit.start)
    return assignment


def settle_label_roles(clauses: list[ClauseFound]) -> None:
    """Beside a 牵头单位 label, the units after 责任单位 (and the like) are cooperating."""
    if not any(clause.assignment.label in PRIMARY_LEAD_LABELS for clause in clauses):
        return
    for clause in clauses:
        assignment = clause.assignment
        if assignment.label in SHARED_LABELS and assignment.lead:
            assignment.cooperating = sorted(
                assignment.lead + assignment.cooperating, key=lambda unit: unit.start
            )
            assignment.lead = []


@dataclass
class ClauseFound:
    """A responsibility clause found in an item's text."""

    assignment: Assignment
    start: int  # the clause in the text, brackets or label included
    end: int


def bracket_segments(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level bracketed segment, brackets included."""
    segments = []
    depth = 0
    start = 0
    for index, ch in enumerate(text):
        if ch in OPEN:
            if depth == 0:
                start = index
            depth += 1
        elif ch in CLOSE and depth > 0:
            depth -= 1
            if depth == 0:
                segments.append((start, index + 1))
    return segments


def find_bracket_clauses(text: str) -> list[ClauseFound]:
    """Bracketed responsibility clauses: "(市民政局牵头,各区配合)", "(牵头单位:市委社管部)"."""
    found = []
    for start, end in bracket_segments(text):
        inner = text[start + 1 : end - 1]
        labelled = find_labelled_clauses(inner, start + 1)
        settle_label_roles(labelled)
        if labelled:
            assignment = Assignment(start=start, end=end, labelled=False)
            for clause in labelled:
                assignment.lead.extend(clause.assignment.lead)
                assignment.cooperating.extend(clause.assignment.cooperating)
                assignment.incomplete = assignment.incomplete or clause.assignment.incomplete
            if not assignment.is_empty:
                found.append(ClauseFound(assignment, start, end))
            continue
        assignment = parse_clause(inner, start + 1)
        if assignment.is_empty:
            continue
        assignment.start, assignment.end = start, end
        found.append(ClauseFound(assignment, start, end))
    return found


# A closing remark on how a list of units is to be read ("(列第一位者为工作牵头单位,下同)").
LABEL_NOTE_RE = re.compile(r"[(（][^()（）]*(下同|牵头单位|牵头部门|汇总单位)[^()（）]*[)）]?\s*$")


def find_labelled_clauses(text: str, offset: int = 0) -> list[ClauseFound]:
    """Labelled clauses: "牵头单位:市民政局;配合单位:各区" (a label runs to the next one)."""
    matches = list(LABEL_RE.finditer(text))
    found = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        stop = re.search(r"[。\n]", text[match.end() : end])
        if stop:
            end = match.end() + stop.start()
        value = text[match.end() : end]
        note = LABEL_NOTE_RE.search(value)
        if note:  # "(列第一位者为牵头单位,下同)": how to read the list, not a unit
            value = value[: note.start()]
        value = value.rstrip(" ;；,，)）")
        label = match[1]
        role: UnitRole = "lead" if label in LEAD_LABELS else "cooperating"
        assignment = parse_clause(value, offset + match.end(), default_role=role)
        if assignment.is_empty:
            continue
        assignment.labelled = True
        assignment.label = label
        assignment.start, assignment.end = offset + match.start(), offset + match.end() + len(value)
        found.append(ClauseFound(assignment, offset + match.start(), assignment.end))
    return found


def parse_unit_cell(text: str, offset: int = 0) -> list[UnitName]:
    """A table cell of units (contacts lines such as 责任人: dropped), or a labelled list."""
    units: list[UnitName] = []
    position = 0
    for line in text.split("\n"):
        line_offset = offset + position
        position += len(line) + 1
        stripped = line.strip()
        if not stripped or CONTACT_RE.match(stripped):
            continue
        stripped = ROLE_WORD_RE.sub("", stripped)
        lead_space = line.find(stripped)
        tail = _etc_tail(stripped, line_offset + lead_space)
        body, _ = _strip_etc(stripped)
        units.extend(split_units(body, line_offset + lead_space))
        units.extend(tail)
    return [unit for unit in units if unit.name]


# Running text: "由省民政厅会同省委组织部、省编办于2011年底前出台…",
# "纪检监察机关要会同组织、人事部门…", "建立由组织部门牵头,民政部门具体负责,有关部门密切配合的
# 工作格局", "具体办法由地级以上市人民政府确定".
# Only explicit role markers count; a body that is merely the subject of a directive
# ("省编办要于2011年底前出台…") is not assigned anything.
_UNITS = r"[^,，。;；:：由()（）“”]{2,60}?"
_VERB_PREFIX = r"(?:建立健全|建立|健全|形成|构建|实行|推行|完善)?"
BY_RE = re.compile(
    rf"由(?P<lead>{_UNITS})(?:(?:要|应)?会同(?P<coop>{_UNITS}))?"
    r"(?:于[^,，。;；]{0,16}?)?"
    r"(?=(?:牵头|具体负责|负责|出台|确定|制定|制订|组织实施|统筹|研究制定)(?!人))"
)
TOGETHER_RE = re.compile(
    rf"(?:^|(?<=[,，;；。]))\s*{_VERB_PREFIX}(?P<lead>{_UNITS})(?:要|应|须)?会同(?P<coop>{_UNITS})"
    r"(?=与|和|及|[,，]|共同|联合|一起|建立|研究|制定|开展|对|就|在|于)"
)
ROLE_IN_TEXT_RE = re.compile(
    rf"(?:^|(?<=[,，;；、。]))\s*{_VERB_PREFIX}(?:由)?(?P<units>{_UNITS})"
    r"(?P<role>牵头|具体负责|负责|密切配合|积极配合|配合|参与)(?=[,，;；、。]|的|$)"
)


def _expand_head_nouns(units: list[UnitName]) -> list[UnitName]:
    """ "组织、人事部门" → 组织部门, 人事部门: an elided shared head noun is restored."""
    if len(units) < 2:
        return units
    last = units[-1].name
    head = next(
        (suffix for suffix in ("部门", "机关", "单位", "机构") if last.endswith(suffix)), ""
    )
    if not head:
        return units
    expanded = []
    for unit in units:
        if not unit.name.endswith(head) and 1 <= len(unit.name) <= 4:
            expanded.append(UnitName(unit.name + head, unit.start, unit.end, unit.is_collective))
        else:
            expanded.append(unit)
    return expanded


def _text_units(text: str, offset: int) -> list[UnitName] | None:
    tail = _etc_tail(text, offset)
    body, _ = _strip_etc(text)
    units = _expand_head_nouns(split_units(body, offset))
    if not units:
        return None
    for unit in units:
        bare = strip_brackets(unit.name)
        if len(bare) < 3 or not looks_like_unit(unit.name) or bare.endswith(("人", "师", "员")):
            return None
    return units + tail


def find_text_clauses(text: str) -> list[ClauseFound]:
    """Responsibility stated in running text with an explicit role marker."""
    found: list[ClauseFound] = []
    taken: list[tuple[int, int]] = []

    def add(lead: list[UnitName], coop: list[UnitName], start: int, end: int) -> None:
        if any(not (end <= s or start >= e) for s, e in taken):
            return
        taken.append((start, end))
        found.append(
            ClauseFound(Assignment(lead=lead, cooperating=coop, start=start, end=end), start, end)
        )

    sentence_start = 0
    for sentence in re.split(r"(?<=[。;；])", text):
        leads: list[UnitName] = []
        coops: list[UnitName] = []
        span: list[int] = []
        for match in ROLE_IN_TEXT_RE.finditer(sentence):
            units = _text_units(match["units"], sentence_start + match.start("units"))
            if units is None:
                continue
            if match["role"] in {"牵头", "具体负责", "负责"}:
                leads.extend(units)
            else:
                coops.extend(units)
            span.extend([sentence_start + match.start(), sentence_start + match.end()])
        if leads and span:
            add(leads, coops, min(span), max(span))
        sentence_start += len(sentence)
    for pattern in (BY_RE, TOGETHER_RE):
        for match in pattern.finditer(text):
            lead = _text_units(match["lead"], match.start("lead"))
            if lead is None:
                continue
            coop: list[UnitName] = []
            if match["coop"]:
                coop = _text_units(match["coop"], match.start("coop")) or []
            add(lead, coop, match.start(), match.end())
    found.sort(key=lambda clause: clause.start)
    return found
