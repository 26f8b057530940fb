"""Putting it together: a source's text and tables → ExtractedDocument."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from civicgrid.plans.extraction.cleaning import (
    clean_lines,
    drop_repeated_headers,
    join_broken_lines,
    normalise,
)
from civicgrid.plans.extraction.deadlines import (
    dated_in,
    document_year,
    find_dates,
    parse_deadline,
)
from civicgrid.plans.extraction.ingest import Block, Source
from civicgrid.plans.extraction.responsibility import (
    Assignment,
    ClauseFound,
    UnitName,
    find_bracket_clauses,
    find_labelled_clauses,
    find_text_clauses,
    parse_unit_cell,
    settle_label_roles,
)
from civicgrid.plans.extraction.structure import (
    DOCUMENT_TITLE_RE,
    Node,
    build_outline,
    split_title,
)
from civicgrid.plans.extraction.tables import (
    HEADER_ROLES,
    KEY_COLUMNS,
    TableRow,
    find_pipe_tables,
    find_text_tables,
    header_block,
    header_columns,
    header_role,
    read_rows,
    settle_header_roles,
)
from civicgrid.plans.extraction.targets import find_targets
from civicgrid.plans.extraction.traditional import is_traditional, to_simplified
from civicgrid.plans.extraction.types import (
    Deadline,
    ExtractedDocument,
    ExtractedItem,
    ExtractedTarget,
    Span,
    UnitMention,
)

# Sections that state principles and goals, not work to do.
PRINCIPLE_TITLE_RE = re.compile(
    r"(总体要求|指导思想|基本原则|总体目标|工作目标|主要目标|发展目标|改革目标|目标步骤|重大意义|"
    r"基本情况|现状|形势|背景|目的意义|工作原则)"
)
# Sections on how the plan is carried out (organisation, funds), tasks only where units are named.
SUPPORT_TITLE_RE = re.compile(r"(保障措施|工作保障|组织保障|组织领导|组织实施)$")
DEADLINE_LABEL_RE = re.compile(
    r"(完成时间|完成时限|完成期限|时间要求|时限要求|时间进度)\s*[:：]\s*([^。;；\n)]+)"
)
BASIS_RE = re.compile(r"《[^《》]{2,80}》")
# "…于2014年底前完成" / "2011年底前,由省编办出台": a time limit in the text of an item.
LIMIT_RE = re.compile(
    r"((?:19|20)\d\d\s*年\s*(?:\d{1,2}\s*月\s*)?(?:底|末)?\s*前|(?:19|20)\d\d年内)"
)
# The document says the first of several units is the lead ("排在第一位的为牵头单位").
FIRST_IS_LEAD_RE = re.compile(r"(第一|首位|首个|第1)[^。]{0,6}(为|是)[^。,，]{0,4}牵头(单位|部门)")


@dataclass
class Line:
    """A line of the cleaned text and where it starts."""

    text: str
    start: int


@dataclass
class Layout:
    """The cleaned text as lines, and which lines belong to which table."""

    lines: list[str] = field(default_factory=list)
    text_tables: list[tuple[int, int]] = field(default_factory=list)  # (start, end) line ranges
    grid_tables: list[tuple[int, list[list[str]], str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _lay_out_text(raw: str, layout: Layout) -> None:
    cleaned = clean_lines(raw)
    layout.warnings.extend(cleaned.warnings)
    lines = cleaned.lines
    pipe_tables = find_pipe_tables(lines)
    if pipe_tables:
        # Bar-separated rows ("cell | cell |") are read as a grid; the text around as text.
        position = 0
        for table in pipe_tables:
            _lay_out_lines(lines[position : table.start], layout)
            start = len(layout.lines)
            layout.lines.extend(lines[table.start : table.end])
            layout.grid_tables.append((start, table.rows, ""))
            position = table.end
        _lay_out_lines(lines[position:], layout)
        layout.warnings.append(
            f"识别出以竖线分隔的任务表 {len(pipe_tables)} 个 (bar-separated tables found)"
        )
        return
    _lay_out_lines(lines, layout)


def _lay_out_lines(lines: list[str], layout: Layout) -> None:
    tables = find_text_tables(lines)
    position = 0
    pieces: list[tuple[str, list[str]]] = []
    for table in tables:
        pieces.append(("body", lines[position : table.start]))
        pieces.append(("table", lines[table.start : table.end]))
        position = table.end
    pieces.append(("body", lines[position:]))
    table_words = set(HEADER_ROLES)
    for kind, chunk in pieces:
        if kind == "body":
            chunk, _ = drop_repeated_headers(chunk, table_words)
            chunk = join_broken_lines(chunk)
            layout.lines.extend(chunk)
        else:
            start = len(layout.lines)
            layout.lines.extend(chunk)
            layout.text_tables.append((start, len(layout.lines)))
    if tables:
        layout.warnings.append(f"识别出文本形式的任务分工表 {len(tables)} 个 (text tables found)")


def lay_out(source: Source) -> Layout:
    layout = Layout(warnings=list(source.warnings))
    pending: list[str] = []

    def flush() -> None:
        if pending:
            _lay_out_text("\n".join(pending), layout)
            pending.clear()

    for block in source.blocks:
        if block.rows is None:
            pending.append(block.text)
            continue
        flush()
        _lay_out_grid(block, layout)
    flush()
    return layout


def _lay_out_grid(block: Block, layout: Layout) -> None:
    rows = [[normalise(cell).strip() for cell in row] for row in block.rows or []]
    start = len(layout.lines)
    if block.name:
        layout.lines.append(block.name)
    for row in rows:
        layout.lines.append(" | ".join(cell.replace("\n", " ") for cell in row))
    layout.grid_tables.append((start + (1 if block.name else 0), rows, block.name))


def _line_starts(lines: list[str]) -> list[int]:
    starts = []
    position = 0
    for line in lines:
        starts.append(position)
        position += len(line) + 1
    return starts


def _mentions(units: list[UnitName], role: str, *, shift: int = 0) -> list[UnitMention]:
    found = []
    for unit in units:
        found.append(
            UnitMention(
                name=unit.name,
                role=role,  # type: ignore[arg-type]
                span=Span(unit.start + shift, unit.end + shift),
                is_collective=unit.is_collective,
            )
        )
    return found


@dataclass
class BodyItem:
    """An outline node with what was read from its own text."""

    node: Node
    item: ExtractedItem
    clauses: list[ClauseFound]
    has_units: bool


def _read_node(node: Node, lines: list[str], starts: list[int], first_is_lead: bool) -> BodyItem:
    heading_line = lines[node.line_index]
    rest = heading_line[node.heading.marker_end :]
    title, first_body = split_title(rest)
    own = [lines[index] for index in node.own_lines]
    own_start = starts[node.line_index]
    # The item's own text as it stands in the document (lines joined by newlines).
    own_text = "\n".join(own)
    spans_contiguous = all(
        b == a + 1 for a, b in zip(node.own_lines, node.own_lines[1:], strict=False)
    )
    line_clauses: list[tuple[int, ClauseFound]] = []
    for index in node.own_lines:
        text = lines[index]
        found = find_bracket_clauses(text)
        labelled = find_labelled_clauses(text)
        # Labels inside brackets were read with the bracket.
        labelled = [
            clause for clause in labelled if not any(b.start <= clause.start < b.end for b in found)
        ]
        if not found and not labelled:
            found = find_text_clauses(text)
        for clause in found + labelled:
            shifted = ClauseFound(
                clause.assignment, clause.start + starts[index], clause.end + starts[index]
            )
            line_clauses.append((index, shifted))
            _shift_assignment(clause.assignment, starts[index])
    clauses = [clause for _, clause in line_clauses]
    settle_label_roles(clauses)
    lead: list[UnitMention] = []
    cooperating: list[UnitMention] = []
    deadline_text = ""
    for clause in clauses:
        assignment = clause.assignment
        lead.extend(_mentions(assignment.lead, "lead"))
        cooperating.extend(_mentions(assignment.cooperating, "cooperating"))
        deadline_text = deadline_text or assignment.deadline_text
    labelled_only = clauses and all(clause.assignment.labelled for clause in clauses)
    if first_is_lead and labelled_only and len(lead) > 1 and not cooperating:
        for mention in lead[1:]:
            mention.role = "cooperating"
        lead, cooperating = lead[:1], lead[1:]
    if lead:
        lead[0].is_main_lead = True
    # The body: the item's text without number, title and responsibility clauses.
    body_parts = [first_body] + [lines[index] for index in node.own_lines[1:]]
    body = "\n".join(part for part in body_parts if part)
    for clause in clauses:
        clause_text = _text_at(lines, starts, clause.start, clause.end)
        if clause_text:
            body = body.replace(clause_text, "")
            title = title.replace(clause_text, "").strip()
    body = re.sub(
        r"^\s*(牵头|责任|配合|主办|协办|参与)[^\n]*[:：]\s*$", "", body, flags=re.M
    ).strip()
    if not deadline_text:
        match = DEADLINE_LABEL_RE.search(own_text)
        if match:
            deadline_text = match[2].strip()
    if not deadline_text:
        limit = LIMIT_RE.search(own_text)
        if limit:
            deadline_text = limit[1]
    deadline = parse_deadline(deadline_text) if deadline_text else None
    if deadline is not None:
        position = own_text.find(deadline_text) if spans_contiguous else -1
        if position >= 0:
            deadline.span = Span(own_start + position, own_start + position + len(deadline_text))
    last_line = node.own_lines[-1]
    end = starts[last_line] + len(lines[last_line])
    item = ExtractedItem(
        key=node.key,
        number="" if node.heading.style == "bullet" else node.heading.number,
        level=node.level,
        title=title if (title or node.heading.style != "bullet") else "",
        body=body,
        source="body",
        is_task=False,
        span=Span(own_start, end),
        parent_key=node.parent.key if node.parent else None,
        lead_units=lead,
        cooperating_units=cooperating,
        deadline=deadline,
        basis=sorted(set(BASIS_RE.findall(own_text)), key=own_text.find),
    )
    if deadline is not None and deadline.note:
        item.flags.append(deadline.note)
    if any(clause.assignment.incomplete for clause in clauses):
        item.flags.append("单位名单以“等”结尾,可能不全 (unit list ends with 等: may be incomplete)")
    return BodyItem(node, item, clauses, bool(lead or cooperating))


def _shift_assignment(assignment: Assignment, shift: int) -> None:
    for unit in assignment.lead + assignment.cooperating:
        unit.start += shift
        unit.end += shift


def _text_at(lines: list[str], starts: list[int], start: int, end: int) -> str:
    for index, line_start in enumerate(starts):
        if line_start <= start < line_start + len(lines[index]) + 1:
            return lines[index][start - line_start : end - line_start]
    return ""


def _is_shared_label(body_item: BodyItem, lines: list[str]) -> bool:
    """A paragraph of its own that only names units ("责任单位:市民政局、各区")."""
    node = body_item.node
    for index in node.own_lines[1:]:
        text = lines[index].strip().strip("()（）")
        if re.match(r"^(牵头|责任|配合|主办|协办|参与|落实)[^:：]{0,6}[:：]", text):
            return True
    return False


def _select_tasks(items: list[BodyItem], lines: list[str]) -> None:
    by_key = {body.node.key: body for body in items}
    # A "责任单位:" paragraph shared by the items before it (back to the last that had units),
    # or by the children of the item it follows.
    for _position, body in enumerate(items):
        if not body.has_units or not _is_shared_label(body, lines):
            continue
        node = body.node
        if node.children:
            for child in _leaves(node):
                child_body = by_key[child.key]
                if not child_body.has_units:
                    _inherit(child_body, body)
            continue
        siblings = (
            node.parent.children
            if node.parent
            else [b.node for b in items if b.node.parent is None]
        )
        index = siblings.index(node)
        for sibling in reversed(siblings[:index]):
            sibling_body = by_key[sibling.key]
            if sibling_body.has_units:
                break
            for leaf in _leaves(sibling) or [sibling]:
                leaf_body = by_key[leaf.key]
                if not leaf_body.has_units:
                    _inherit(leaf_body, body)
    # Segments (documents of a compilation) that name units per item: there, an item without
    # units is a task only among siblings that have them. Elsewhere a unit named here and
    # there ("由省编办出台…") does not make the other items less of a task.
    leaves_by_segment: dict[int, list[BodyItem]] = {}
    for body in items:
        if not body.node.children:
            leaves_by_segment.setdefault(body.node.segment, []).append(body)
    segments_with_units = {
        segment
        for segment, leaves in leaves_by_segment.items()
        if sum(leaf.has_units for leaf in leaves) >= 0.3 * len(leaves)
    }
    for body in items:
        node = body.node
        if node.children:
            continue
        chain = [node, *node.ancestors()]
        titles = [split_title(n.heading.rest)[0] for n in chain]
        # In a part that names units per item, an item naming its own units is work assigned
        # even under a heading of goals ("主要预期目标 … (市政府各部门负责)").
        assigned = body.has_units and bool(body.clauses) and node.segment in segments_with_units
        if not assigned and (
            any(PRINCIPLE_TITLE_RE.search(title) for title in titles[1:])
            or (PRINCIPLE_TITLE_RE.search(titles[0]) and not body.has_units)
        ):
            continue
        if body.has_units:
            body.item.is_task = True
            continue
        if node.segment in segments_with_units:
            siblings = (
                node.parent.children
                if node.parent
                else [b.node for b in items if b.node.parent is None]
            )
            cousins = [by_key[s.key] for s in siblings if s is not node]
            if cousins and sum(c.has_units for c in cousins) * 2 >= len(cousins):
                body.item.is_task = True
                body.item.flags.append("未找到牵头单位 (no lead unit found)")
            continue
        if any(SUPPORT_TITLE_RE.search(title) for title in titles[1:]):
            continue
        body.item.is_task = True
        body.item.flags.append("未找到牵头单位 (no lead unit found)")


def _leaves(node: Node) -> list[Node]:
    if not node.children:
        return []
    found = []
    for child in node.children:
        found.extend(_leaves(child) or [child])
    return found


def _inherit(target: BodyItem, source: BodyItem) -> None:
    target.item.lead_units = [
        UnitMention(m.name, m.role, m.span, m.is_main_lead, m.is_collective)
        for m in source.item.lead_units
    ]
    target.item.cooperating_units = [
        UnitMention(m.name, m.role, m.span, m.is_main_lead, m.is_collective)
        for m in source.item.cooperating_units
    ]
    target.has_units = True
    if target.item.deadline is None and source.item.deadline is not None:
        target.item.deadline = source.item.deadline
    target.item.flags.append(
        f"责任单位取自 {source.item.key} (units shared with {source.item.key})"
    )


def _row_item(
    row: TableRow,
    lines: list[str],
    starts: list[int],
    table_number: int,
    row_number: int,
    category_keys: dict[str, str],
    first_is_lead: bool,
) -> ExtractedItem:
    def cell(cells: list[tuple[int, str]]) -> str:
        return "\n".join(text for _, text in cells)

    def units(cells: list[tuple[int, str]], role: str) -> list[UnitMention]:
        found: list[UnitMention] = []
        for index, text in cells:
            line = lines[index]
            shift = starts[index] + max(0, line.find(text))
            found.extend(_mentions(parse_unit_cell(text), role, shift=shift))
        return found

    lead = units(row.lead, "lead")
    cooperating = units(row.coop, "cooperating")
    flags = []
    if first_is_lead and len(lead) > 1 and not cooperating:
        for mention in lead[1:]:
            mention.role = "cooperating"
        lead, cooperating = lead[:1], lead[1:]
    if lead:
        lead[0].is_main_lead = True
    else:
        flags.append("未找到牵头单位 (no lead unit found)")
    deadline_text = cell(row.deadline).replace("\n", " ")
    deadline = parse_deadline(deadline_text) if deadline_text else None
    if deadline is not None:
        index, text = row.deadline[0]
        start = starts[index] + max(0, lines[index].find(text))
        deadline.span = Span(start, start + len(deadline_text))
        if deadline.note:
            flags.append(deadline.note)
        if deadline.kind == "flagged":
            flags.append(deadline.note)
    elif row.deadline:
        flags.append(f"无法识别的完成时间:{deadline_text} (deadline unreadable)")
    basis: list[str] = []
    for _, text in row.basis:
        basis.extend(part.strip() for part in re.split(r"[、;；]", text) if part.strip())
    points = cell(row.points)
    basis.extend(found for found in BASIS_RE.findall(points) if found not in basis)
    used = [index for index in row.lines()]
    span = Span(starts[used[0]], starts[used[-1]] + len(lines[used[-1]])) if used else None
    parent_key = category_keys.get(row.category)
    suffix = f"row-{row_number}"
    item = ExtractedItem(
        key=f"table-{table_number}/{suffix}",
        number=row.number,
        level=3,
        title=row.title,
        body=points,
        source="table",
        is_task=True,
        span=span,
        parent_key=parent_key,
        lead_units=lead,
        cooperating_units=cooperating,
        deadline=deadline,
        basis=basis,
        remarks=cell(row.remarks),
        flags=flags,
    )
    return item


def _grid_rows(rows: list[list[str]]) -> tuple[list[str], list[list[str]]] | None:
    """A grid's header (column roles) and its data rows; None when no header is found."""
    for position, row in enumerate(rows[:15]):
        roles = [header_role(cell, fuzzy=True) or "" for cell in row]
        if sum(1 for role in roles if role) >= 2 and set(roles) & KEY_COLUMNS:
            roles = settle_header_roles(row, roles)
            tasks = [index for index, role in enumerate(roles) if role == "task"]
            if len(tasks) >= 2:
                roles[tasks[0]] = "category"
            return roles, rows[position + 1 :]
    return None


def _grid_items(
    start_line: int,
    rows: list[list[str]],
    lines: list[str],
    starts: list[int],
    table_number: int,
    first_is_lead: bool,
    warnings: list[str],
    name: str,
) -> list[ExtractedItem]:
    found = _grid_rows(rows)
    if found is None:
        label = f"“{name}”" if name else ""
        warnings.append(
            f"表格{label}中未找到表头(如 工作任务 / 牵头单位 / 完成时间),已跳过"
            " (no header row: table skipped)"
        )
        return []
    roles, data = found
    header_offset = rows.index(data[0]) if data else len(rows)
    items = []
    last: dict[str, str] = {}
    for row_number, row in enumerate(data, start=1):
        line_index = start_line + header_offset + row_number - 1 + 0
        line_index = min(line_index, len(lines) - 1)
        values: dict[str, str] = {}
        for role, text in zip(roles, row, strict=False):
            if role and text:
                values[role] = (values.get(role, "") + "\n" + text).strip()
        if not any(values.get(role) for role in ("task", "points", "lead")):
            continue
        table_row = TableRow(category=values.get("category", last.get("category", "")))
        title = values.get("task", "")
        number = values.get("number", "")
        match = re.match(r"^\s*(\d{1,3})\s*[.．、]\s*", title)
        if match:
            number = number or match[1]
            title = title[match.end() :]
        table_row.number = number
        table_row.title = title.strip().rstrip("。")
        for role in ("points", "basis", "deadline", "lead", "coop", "remarks"):
            if values.get(role):
                getattr(table_row, role).append((line_index, values[role].replace("\n", " ")))
        if table_row.category:
            last["category"] = table_row.category
        item = _row_item(table_row, lines, starts, table_number, row_number, {}, first_is_lead)
        item.span = Span(starts[line_index], starts[line_index] + len(lines[line_index]))
        shared_task = bool(values.get("task")) and values.get("task") == last.get("task")
        last["task"] = values.get("task", "")
        if (shared_task or not item.title) and item.body:
            # A further row under a merged task cell: named by the start of its own points.
            own = re.sub(r"^\s*[(（]?\d{1,3}[)）.．、]\s*", "", item.body)
            item.title = split_title(own)[0][:60]
        if not item.lead_units and not values.get("lead"):
            item.flags.append(f"第{row_number}行缺少牵头单位 (row {row_number}: lead unit missing)")
        items.append(item)
    return items


def build_document(source: Source, *, title: str = "") -> ExtractedDocument:
    layout = lay_out(source)
    original = "\n".join(layout.lines)
    traditional = is_traditional(original)
    if traditional:
        # Read through a simplified copy of the same length; names are given back as written.
        layout.lines = [to_simplified(line) for line in layout.lines]
        layout.grid_tables = [
            (start, [[to_simplified(cell) for cell in row] for row in rows], to_simplified(name))
            for start, rows, name in layout.grid_tables
        ]
        layout.warnings.append(
            "文档为繁体字,已按简体识别 (traditional characters read as simplified)"
        )
    lines = layout.lines
    starts = _line_starts(lines)
    text = "\n".join(lines)
    first_is_lead = bool(FIRST_IS_LEAD_RE.search(text))
    skip: set[int] = set()
    for start, end in layout.text_tables:
        skip.update(range(start, end))
    for start, rows, name in layout.grid_tables:
        skip.update(range(start - (1 if name else 0), start + len(rows)))
    outline = build_outline(lines, skip=skip)
    body_items = [_read_node(node, lines, starts, first_is_lead) for node in outline.nodes]
    _select_tasks(body_items, lines)
    items = [body.item for body in body_items]
    category_keys: dict[str, str] = {}
    table_number = 0
    for start, end in layout.text_tables:
        table_number += 1
        header_at = next((i for i in range(start, end) if header_block(lines, i)), start)
        size = header_block(lines, header_at)
        if size > 1:
            columns = header_columns(lines[header_at : header_at + size])
        else:
            words = lines[header_at].split()
            columns = [role for role in (header_role(cell) for cell in words) if role]
        table_rows = read_rows(lines, header_at + size, end, columns)
        for row_number, row in enumerate(table_rows, start=1):
            items.append(
                _row_item(
                    row, lines, starts, table_number, row_number, category_keys, first_is_lead
                )
            )
    for start, rows, name in layout.grid_tables:
        table_number += 1
        items.extend(
            _grid_items(
                start, rows, lines, starts, table_number, first_is_lead, layout.warnings, name
            )
        )
    targets = _targets(items, lines, starts, body_items)
    document_title = title or _title(lines, outline.titles)
    _date_yearless_deadlines(items, document_year(document_title, text))
    document = ExtractedDocument(
        title=document_title,
        text=text,
        kind=source.kind,
        encoding=source.encoding,
        items=items,
        targets=targets,
        warnings=layout.warnings,
    )
    if not document.tasks:
        document.warnings.append("未识别出任何任务 (no tasks found)")
    if traditional:
        _restore_written(document, original)
    return document


def _date_yearless_deadlines(items: list[ExtractedItem], year: int | None) -> None:
    """Time limits without a year ("12月底前") in a document about one year get that year's
    date, with a note for the reviewer instead of the "unreadable" flag."""
    if year is None:
        return
    for item in items:
        old = item.deadline
        if old is None or old.kind != "flagged":
            continue
        new = dated_in(old, year)
        if new is None:
            continue
        item.deadline = new
        item.flags = [flag for flag in item.flags if flag != old.note and old.text not in flag]
        item.flags.append(new.note)


def _written(text: str, shadow: str, original: str, hint: int = 0) -> str:
    """A string read from the simplified copy, as the original writes it.

    The copy has the same length as the original, so each run of the string found in the copy
    (from ``hint`` on, else anywhere) is replaced by the original's characters at that place;
    characters the text does not hold (a restored head noun) stay as they are.
    """
    out: list[str] = []
    index = 0
    position = hint
    while index < len(text):
        rest = len(text) - index
        found = -1
        size = 0
        for size in dict.fromkeys((min(6, rest), 1)):
            probe = text[index : index + size]
            found = shadow.find(probe, position)
            if found < 0:
                found = shadow.find(probe)
            if found >= 0:
                break
        if found < 0:
            out.append(text[index])
            index += 1
            continue
        while (
            index + size < len(text)
            and found + size < len(shadow)
            and shadow[found + size] == text[index + size]
        ):
            size += 1
        out.append(original[found : found + size])
        index += size
        position = found + size
    return "".join(out)


def _restore_written(document: ExtractedDocument, original: str) -> None:
    shadow = document.text
    document.text = original
    document.title = _written(document.title, shadow, original)
    for item in document.items:
        hint = item.span.start if item.span else 0
        item.title = _written(item.title, shadow, original, hint)
        item.body = _written(item.body, shadow, original, hint)
        item.remarks = _written(item.remarks, shadow, original, hint)
        item.basis = [_written(basis, shadow, original, hint) for basis in item.basis]
        for unit in item.lead_units + item.cooperating_units:
            unit.name = _written(
                unit.name, shadow, original, unit.span.start if unit.span else hint
            )
        if item.deadline is not None:
            span = item.deadline.span
            item.deadline.text = _written(
                item.deadline.text, shadow, original, span.start if span else hint
            )
    for target in document.targets:
        hint = target.span.start if target.span else 0
        target.subject = _written(target.subject, shadow, original, hint)
        target.text = _written(target.text, shadow, original, hint)


def _title(lines: list[str], titles: list[int]) -> str:
    if titles:
        return lines[titles[0]]
    for line in lines[:10]:
        if DOCUMENT_TITLE_RE.match(line):
            return line
    return lines[0][:60] if lines else ""


def _targets(
    items: list[ExtractedItem],
    lines: list[str],
    starts: list[int],
    body_items: list[BodyItem],
) -> list[ExtractedTarget]:
    """Targets of every line, linked to the item whose text holds them."""
    owner: dict[int, ExtractedItem] = {}
    masks: dict[int, list[tuple[int, int]]] = {}
    for body in body_items:
        for index in body.node.own_lines:
            owner[index] = body.item
        for clause in body.clauses:
            for index, line_start in enumerate(starts):
                if line_start <= clause.start < line_start + len(lines[index]) + 1:
                    masks.setdefault(index, []).append(
                        (clause.start - line_start, clause.end - line_start)
                    )
    for item in items:
        if item.source == "table" and item.span is not None:
            for index, line_start in enumerate(starts):
                if item.span.start <= line_start < item.span.end:
                    owner.setdefault(index, item)
    targets = []
    for index, line in enumerate(lines):
        masked = line
        for start, end in masks.get(index, []):
            masked = masked[:start] + " " * (end - start) + masked[end:]
        holder = owner.get(index)
        if holder is None or holder.span is None:
            continue
        item = holder
        for found in find_targets(masked):
            if found.year is None and item.deadline is not None and item.deadline.date:
                year = None
            else:
                year = found.year
            targets.append(
                ExtractedTarget(
                    subject=found.subject,
                    value=found.value,
                    unit=found.unit,
                    comparator=found.comparator,  # type: ignore[arg-type]
                    year=year,
                    text=found.text,
                    span=Span(starts[index] + found.start, starts[index] + found.end),
                    item_key=item.key,
                )
            )
    return targets


__all__ = ["Deadline", "build_document", "find_dates"]
