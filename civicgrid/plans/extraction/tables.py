"""Task tables (分工表): real tables (Word, Excel) and tables laid out as text.

A real table's columns are known from its header row, found by content (工作任务 / 改革项目 /
工作要点 / 依据 / 完成时间 / 牵头单位 / 配合单位 / 备注 …). A table scraped from a web page or
a PDF arrives as one cell per line, empty cells missing and the header repeated on every page;
its rows are recovered by reading the cells in column order and telling each line's column by
its content (a numbered project title, prose, a document basis, a time limit, units followed by
contact lines, units, a remark).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from civicgrid.plans.extraction.deadlines import looks_like_deadline, parse_deadline
from civicgrid.plans.extraction.responsibility import (
    CONTACT_RE,
    ETC_RE,
    looks_like_unit,
    split_units,
)
from civicgrid.plans.extraction.structure import heading_of

# Header words → column role.
HEADER_ROLES: dict[str, str] = {
    "序号": "number",
    "编号": "number",
    "工作任务": "task",
    "主要任务": "task",
    "重点任务": "task",
    "任务": "task",
    "任务名称": "task",
    "具体任务": "task",
    "改革项目": "task",
    "项目": "task",
    "项目名称": "task",
    "改革事项": "task",
    "工作事项": "task",
    "事项": "task",
    "工作要点": "points",
    "工作内容": "points",
    "主要内容": "points",
    "具体内容": "points",
    "任务内容": "points",
    "具体措施": "points",
    "工作措施": "points",
    "主要措施": "points",
    "目标任务": "points",
    "工作目标": "points",
    "工作举措": "points",
    "依据": "basis",
    "政策依据": "basis",
    "文件依据": "basis",
    "任务来源": "basis",
    "完成时间": "deadline",
    "完成时限": "deadline",
    "完成期限": "deadline",
    "时间进度": "deadline",
    "时间节点": "deadline",
    "进度安排": "deadline",
    "时间安排": "deadline",
    "时限": "deadline",
    "完成时间节点": "deadline",
    "牵头单位": "lead",
    "牵头部门": "lead",
    "牵头落实单位": "lead",
    "责任单位": "lead",
    "责任部门": "lead",
    "主办单位": "lead",
    "主责单位": "lead",
    "牵头领导": "ignore",
    "分管领导": "ignore",
    "责任领导": "ignore",
    "责任科室": "lead",
    "责任处室": "lead",
    "落实措施": "points",
    "工作目标任务": "points",
    "配合单位": "coop",
    "配合部门": "coop",
    "协办单位": "coop",
    "参与单位": "coop",
    "协助单位": "coop",
    "备注": "remarks",
    "说明": "remarks",
}
KEY_COLUMNS = {"lead", "deadline", "coop"}
BASIS_RE = re.compile(
    r"(全会|会议|〔|\{|《|号|文件|协议|要求|精神|部署|字|纲要|规划|意见|方案|"
    r"^[\u4e00-\u9fff]{1,8}\d{5,})"  # a document number whose brackets were lost: 珠委办20149
)


# Endings of longer header cells ("西安市落实措施", "陕西省《工作要点》部署任务", "重点工作事项").
HEADER_ENDINGS: tuple[tuple[str, str], ...] = (
    ("措施", "points"),
    ("任务", "task"),
    ("事项", "task"),
    ("要点", "points"),
    ("内容", "points"),
    ("依据", "basis"),
    ("时限", "deadline"),
    ("时间", "deadline"),
    ("牵头单位", "lead"),
    ("责任单位", "lead"),
    ("配合单位", "coop"),
    ("协办单位", "coop"),
)


def header_role(text: str, *, fuzzy: bool = False) -> str | None:
    """A header cell's column role; ``fuzzy`` also reads a longer cell by its ending."""
    words = re.sub(r"\s+", "", text)
    role = HEADER_ROLES.get(words)
    if role is not None or not fuzzy:
        return role
    bare = re.sub(r"《[^》]*》|\([^)]*\)", "", words)
    if not bare or len(bare) > 16 or re.search(r"[,，。;；:：\d]", bare):
        return None
    role = HEADER_ROLES.get(bare)
    if role is not None:
        return role
    return next((role for ending, role in HEADER_ENDINGS if bare.endswith(ending)), None)


def settle_header_roles(cells: list[str], roles: list[str]) -> list[str]:
    """Beside a 牵头单位 column, a 责任单位 column names the cooperating units."""
    leads = [index for index, role in enumerate(roles) if role == "lead"]
    if len(leads) < 2:
        return roles
    words = [re.sub(r"\s+", "", cell) for cell in cells]
    if not any(words[index].startswith(("牵头", "主办", "主责")) for index in leads):
        return roles
    settled = list(roles)
    for index in leads:
        if not words[index].startswith(("牵头", "主办", "主责")):
            settled[index] = "coop"
    return settled


# Tables scraped from web pages as text rows: "cell | cell | cell |".
def pipe_cells(line: str) -> list[str] | None:
    """The cells of a row written with bars, or None for a line that is no such row."""
    if line.count("|") < 2:
        return None
    cells = [cell.strip() for cell in line.split("|")]
    if cells and not cells[-1]:
        cells.pop()
    if cells and not cells[0] and line.lstrip().startswith("|"):
        cells.pop(0)
    return cells


def pipe_header_roles(cells: list[str]) -> list[str] | None:
    roles = [header_role(cell, fuzzy=True) or "" for cell in cells]
    if sum(1 for role in roles if role) >= 3 and set(roles) & KEY_COLUMNS:
        return settle_header_roles(cells, roles)
    return None


@dataclass
class PipeTable:
    """A table written as rows of cells between bars: its lines and its grid (header first)."""

    start: int
    end: int
    rows: list[list[str]]


def _cell_fit(text: str, role: str) -> int:
    """How well a cell's content fits a column (used to place rows with merged cells)."""
    if not text:
        return 0
    if role == "number":
        return 2 if re.fullmatch(r"[(（]?[\d一二三四五六七八九十]{1,4}[)）.、]?", text) else -1
    if is_unit_line(text):
        return 2 if role in {"lead", "coop"} else -1
    if looks_like_deadline(text):
        return 2 if role == "deadline" else -1
    if len(text) >= 15:
        return 1 if role in {"task", "points", "category", "basis", "remarks"} else -1
    return 0


def _align(cells: list[str], roles: list[str], previous: list[str] | None) -> list[str]:
    """A row's cells placed under its columns; cells merged from the row above carried down.

    A row of a web table whose left cells span several rows has fewer cells than columns: its
    cells are placed where their content fits best (ties: against the right edge), and the
    missing cells on the left are the merged ones, taken from the row above.
    """
    width = len(roles)
    if len(cells) >= width:
        return cells[:width]
    best, best_score = 0, None
    for shift in range(width - len(cells) + 1):
        score = sum(_cell_fit(cell, roles[shift + i]) for i, cell in enumerate(cells))
        if best_score is None or score >= best_score:
            best, best_score = shift, score
    row = [""] * width
    row[best : best + len(cells)] = cells
    if previous is not None:
        for index in range(best):
            if roles[index] in {"category", "task", "number", "basis"}:
                row[index] = previous[index]
    return row


def find_pipe_tables(lines: list[str]) -> list[PipeTable]:
    """Task tables written as bar-separated rows, from a header row with column words."""
    tables: list[PipeTable] = []
    index = 0
    while index < len(lines):
        cells = pipe_cells(lines[index])
        roles = pipe_header_roles(cells) if cells else None
        if not cells or not roles:
            index += 1
            continue
        width = len(roles)
        rows = [(cells + [""] * width)[:width]]
        previous: list[str] | None = None
        end = index + 1
        while end < len(lines):
            cells = pipe_cells(lines[end])
            if cells is None:
                break
            filled = [cell for cell in cells if cell]
            if pipe_header_roles(cells) or (
                len(filled) <= 1 and heading_of(cells[0] if cells else "")
            ):
                rows.append([""] * width)  # a header repeated, or a section heading
                end += 1
                continue
            row = _align(cells, roles, previous)
            if "number" in roles:
                position = roles.index("number")
                if len(row[position]) > 8:
                    row[position] = ""  # a group heading written in the 序号 column
            rows.append(row)
            previous = row
            end += 1
        tables.append(PipeTable(index, end, rows))
        index = end
    return tables


@dataclass
class TableRow:
    """One row of a task table, cells by role (several lines of a cell joined by newlines)."""

    category: str = ""
    number: str = ""
    title: str = ""
    points: list[tuple[int, str]] = field(default_factory=list)  # (line index, text)
    basis: list[tuple[int, str]] = field(default_factory=list)
    deadline: list[tuple[int, str]] = field(default_factory=list)
    lead: list[tuple[int, str]] = field(default_factory=list)
    coop: list[tuple[int, str]] = field(default_factory=list)
    remarks: list[tuple[int, str]] = field(default_factory=list)
    title_line: int | None = None
    is_continuation: bool = False  # a further row of a project whose title cell is merged
    lead_own: bool = False  # the lead cell was read in this row (not carried from the merged one)

    def lines(self) -> list[int]:
        found = [self.title_line] if self.title_line is not None else []
        for cells in (self.points, self.basis, self.deadline, self.lead, self.coop, self.remarks):
            found.extend(index for index, _ in cells)
        return sorted(found)


@dataclass
class TextTable:
    """A task table found among the lines of a text."""

    start: int  # first line (its title or header)
    end: int  # one past the last line
    columns: list[str]
    rows: list[TableRow]
    title: str = ""


def is_unit_line(text: str) -> bool:
    stripped = text.strip()
    if not stripped or len(stripped) > 200 or stripped.startswith("需"):
        return False
    if re.search(r"[。《》]", stripped):
        return False
    etc = ETC_RE.search(stripped)
    body = stripped[: etc.start()] if etc and etc.start() > 0 else stripped
    units = split_units(body)
    return bool(units) and all(looks_like_unit(unit.name) for unit in units)


def is_basis_line(text: str) -> bool:
    stripped = text.strip()
    return len(stripped) <= 50 and not stripped.endswith("。") and bool(BASIS_RE.search(stripped))


def _could_be_header(text: str) -> bool:
    """A short label that may head a column this reader has no word for ("民生实事")."""
    return bool(re.fullmatch(r"[\u4e00-\u9fff]{2,8}", re.sub(r"\s+", "", text)))


def _block_roles(lines: list[str], index: int) -> list[str]:
    """Roles of the header lines from ``index``: known words (also read by their ending, and
    with spaces inside: "主 要 工 作 任 务"), and at most one label not known, between known
    ones, which is taken as the task column (or the points column beside a task column)."""
    roles: list[str] = []
    while index + len(roles) < len(lines):
        line = lines[index + len(roles)].strip()
        role = header_role(line, fuzzy=True) if line else None
        if role is None:
            if not roles or not _could_be_header(line):
                break
            role = "?"
        roles.append(role)
    while roles and roles[-1] == "?":
        roles.pop()
    if roles.count("?") > 1:
        roles = roles[: roles.index("?")]
    if "?" in roles:
        roles[roles.index("?")] = "points" if "task" in roles else "task"
    return roles


def header_columns(header_lines: list[str]) -> list[str]:
    """The column roles of a header block (one header cell per line)."""
    roles = _block_roles(header_lines, 0)
    return [role for role in roles if role]


def header_block(lines: list[str], index: int) -> int:
    """How many lines from ``index`` form a table header (0 if none)."""
    roles = _block_roles(lines, index)
    if len(roles) >= 3 and set(roles) & KEY_COLUMNS:
        return len(roles)
    # One line with the header words separated by spaces.
    words = lines[index].split() if index < len(lines) else []
    roles_of_words = {header_role(word) for word in words}
    if len(words) >= 3 and None not in roles_of_words and roles_of_words & KEY_COLUMNS:
        return 1
    return 0


def find_text_tables(lines: list[str]) -> list[TextTable]:
    """Task tables laid out as text, one per run of header blocks."""
    tables: list[TextTable] = []
    index = 0
    while index < len(lines):
        size = header_block(lines, index)
        if not size:
            index += 1
            continue
        start = index
        if start > 0 and re.search(r"(分工表|任务表|台账|清单|一览表)", lines[start - 1]):
            start -= 1
        header_lines = lines[index : index + size]
        if size == 1:
            header_lines = header_lines[0].split()
            columns = [role for role in (header_role(cell) for cell in header_lines) if role]
        else:
            columns = header_columns(header_lines)
        end = _table_end(lines, index + size)
        rows = read_rows(lines, index + size, end, columns)
        title = lines[start] if start < index else ""
        tables.append(TextTable(start, end, columns, rows, title))
        index = end
    return tables


def _table_end(lines: list[str], start: int) -> int:
    """A table runs to the end of the text or to the next document's title / 附件N."""
    for index in range(start, len(lines)):
        if re.match(r"^附件\s*\d", lines[index]) and header_block(lines, index + 1) == 0:
            return index
    return len(lines)


def _columns_order(columns: list[str]) -> list[str]:
    order = [role for role in columns if role not in {"number", "ignore"}]
    tasks = [index for index, role in enumerate(order) if role == "task"]
    if len(tasks) >= 2:  # 工作任务 (category) then 改革项目 (the task)
        order[tasks[0]] = "category"
    return order


def read_rows(lines: list[str], start: int, end: int, columns: list[str]) -> list[TableRow]:
    """The rows of a text table: each line's column told by content, in column order."""
    order = _columns_order(columns)
    rank = {role: position for position, role in enumerate(order)}
    rows: list[TableRow] = []
    row: TableRow | None = None
    category = ""
    category_number = ""
    position = 0  # the column being filled

    def next_content(after: int) -> str:
        for index in range(after + 1, end):
            if lines[index].strip():
                return lines[index].strip()
        return ""

    def finish() -> None:
        nonlocal row
        if row is not None and (row.title or row.points):
            rows.append(row)
        row = None

    def continuation() -> TableRow:
        assert row is not None
        return TableRow(
            category=row.category,
            number=row.number,
            title=row.title,
            lead=list(row.lead),
            is_continuation=True,
        )

    index = start
    while index < end:
        text = lines[index].strip()
        if not text:
            index += 1
            continue
        size = header_block(lines, index)
        if size:
            index += size
            continue
        heading = heading_of(text)
        if heading and heading.style in {"cn", "chapter"} and len(text) <= 60:
            if heading.number != category_number:  # not the same one repeated after a page
                finish()
                category_number = heading.number
            category = heading.rest.strip()
            position = 0
            index += 1
            continue
        if heading and heading.style == "arabic" and "task" in rank:
            if row is not None and row.number == heading.number:
                # The title repeated after a page break: the project goes on.
                finish_row = row
                finish()
                row = TableRow(
                    category=finish_row.category,
                    number=finish_row.number,
                    title=finish_row.title,
                    lead=list(finish_row.lead),
                    is_continuation=True,
                )
                position = rank["task"] + 1
                index += 1
                continue
            finish()
            row = TableRow(category=category, number=heading.number, title_line=index)
            row.title = heading.rest.strip().rstrip("。")
            position = rank["task"] + 1
            index += 1
            continue
        if CONTACT_RE.match(text):
            index += 1
            continue
        if "number" in columns and "task" in rank and re.fullmatch(r"\d{1,3}", text):
            # A 序号 cell on its own line: a new row, whose task cell comes next.
            finish()
            row = TableRow(category=category, number=text)
            position = rank["task"]
            index += 1
            continue
        if (
            row is not None
            and not row.title
            and row.number
            and "task" in rank
            and position == rank["task"]
            and not is_unit_line(text)
        ):
            row.title, row.title_line = text.rstrip("。"), index
            position = rank["task"] + 1
            index += 1
            continue
        if row is None:
            row = TableRow(category=category)
        following = next_content(index)
        followed_by_contacts = bool(CONTACT_RE.match(following))
        role = _classify(text, row, position, rank, followed_by_contacts, following)
        if role == "new_row":
            previous = row
            finish()
            row = TableRow(
                category=previous.category,
                number=previous.number,
                title=previous.title,
                lead=list(previous.lead),
                is_continuation=True,
            )
            if "points" not in rank and "task" in rank:
                # No points column: the task cell is the row's own text (序号 merged above).
                row.title, row.title_line = text.rstrip("。"), index
                position = rank["task"] + 1
                index += 1
                continue
            role = "points"
            position = rank.get("points", 0)
        getattr(row, role).append((index, text))
        position = max(position, rank.get(role, position))
        index += 1
    finish()
    return rows


def _is_unspecified_limit(text: str) -> bool:
    """A time limit that names no date ("根据市相关工作部署"): may repeat a 根据… basis."""
    if not looks_like_deadline(text):
        return False
    deadline = parse_deadline(text)
    return deadline is not None and deadline.kind != "date"


def _classify(
    text: str,
    row: TableRow,
    position: int,
    rank: dict[str, int],
    followed_by_contacts: bool,
    following: str,
) -> str:
    """Which column a line of a text table belongs to."""

    def at_or_after(role: str) -> bool:
        return role in rank and rank[role] >= position

    past_points = any((row.basis, row.deadline, row.coop)) or row.lead_own
    is_prose = len(text) >= 40 or text.endswith("。") or bool(heading_of(text))
    if text.startswith("需") and "remarks" in rank:
        return "remarks"
    if is_unit_line(text):
        if followed_by_contacts and "lead" in rank:
            if not row.lead_own:
                row.lead.clear()  # this row names its own lead: the merged one does not apply
            row.lead_own = True
            return "lead"
        if not row.lead and "lead" in rank and not row.is_continuation:
            row.lead_own = True
            return "lead"
        if "coop" in rank and not row.remarks:
            return "coop"  # a cell may hold several lines of units
        if "lead" in rank and row.lead_own and position == rank["lead"]:
            return "lead"  # no 配合单位 column: the lead cell holds one unit per line
        return "remarks" if "remarks" in rank else "coop"
    if looks_like_deadline(text) and "deadline" in rank and not row.deadline:
        if (
            "basis" in rank
            and not row.basis
            and at_or_after("basis")
            and is_basis_line(text)
            and _is_unspecified_limit(following)
        ):
            return "basis"  # "根据市相关工作部署" twice: the basis, then the time limit
        return "deadline"
    if (
        looks_like_deadline(text)
        and row.deadline
        and position == rank.get("deadline")
        and not (row.lead_own or row.coop)
    ):
        return "deadline"  # a time limit cell of two lines ("根据…部署" / "2015年底前完成")
    if is_basis_line(text) and at_or_after("basis") and not is_prose and not row.deadline:
        return "basis"
    if is_prose and past_points:
        return "new_row"
    if "points" in rank and position <= rank["points"]:
        return "points"
    if is_prose and "points" in rank:
        return "new_row"
    return "remarks" if "remarks" in rank else "points"
