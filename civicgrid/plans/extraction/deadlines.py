"""完成时间: deadline words → the last day of the period they mean.

``parse_deadline("2014年底")`` → ``Deadline(kind="date", date=2014-12-31)``. The words are kept as
written; a date read from digits whose separators were lost in conversion ("201412" for
2014年12月) is given its date and a note so that a reviewer checks it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from civicgrid.plans.extraction.types import Deadline

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
CN_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
CN_SMALL.update({"九": 9, "十": 10, "十一": 11, "十二": 12})

# 五年规划 periods: "十二五"期末 = end of 2015.
FIVE_YEAR_PLANS = {"十一五": 2010, "十二五": 2015, "十三五": 2020, "十四五": 2025, "十五五": 2030}

RECURRING_WORDS = (
    "常态化",
    "长期坚持",
    "长期",
    "长效",
    "持续推进",
    "持续开展",
    "每年",
    "每季度",
    "每月",
    "定期",
    "经常性",
    "按年度",
    "逐年",
)
UNSPECIFIED_PATTERNS = (
    re.compile(r"根据.{0,12}(部署|安排|要求|进度)"),
    re.compile(r"按(照)?.{0,10}(部署|安排|要求)"),
    re.compile(r"(待定|另行通知|视情况)"),
)

_YEAR = r"(?P<year>(?:19|20)\d\d)"
_CN_YEAR = r"(?P<cnyear>[二][〇○零O][一二三四五六七八九〇○零O]{2})"

PERIOD_RE = re.compile(
    rf"(?:{_YEAR}|{_CN_YEAR})\s*年?\s*(?:"
    r"(?P<half>上半年|下半年)"
    r"|(?:第?(?P<quarter>[一二三四1-4])季度)"
    r"|(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月\s*(?:份)?"
    r"(?:\s*(?P<day>[0-3]?\d)\s*日)?"
    r"(?P<early>上旬|中旬|下旬|底|末|前|中)?"
    r"|(?P<yearend>年底|年末|底|末|年内|内|全年|前|年前|年)"
    r")?"
)
FIVE_YEAR_RE = re.compile(r"[“\"]?(十[一二三四五]五)[”\"]?\s*(期末|末|期间|时期)")
# "201412" / "20153" / "201410": year and month run together (the 年 was lost).
RUN_TOGETHER_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(1[0-2]|0?[1-9])(?!\d)")
# "20142015年": a range whose dash was lost.
YEAR_PAIR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-—–－~～至到]?\s*((?:19|20)\d\d)\s*年")
ISO_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)[./\-](1[0-2]|0?[1-9])(?:[./\-]([0-3]?\d))?(?!\d)")


@dataclass(frozen=True)
class DateFound:
    """One date expression inside a text."""

    date: dt.date
    start: int
    end: int
    note: str = ""


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return CN_SMALL.get(text)


def _cn_year(text: str) -> int:
    return int("".join(str(CN_DIGITS[ch]) for ch in text))


def _period_end(match: re.Match[str]) -> dt.date | None:
    year = int(match["year"]) if match["year"] else _cn_year(match["cnyear"])
    if match["half"]:
        return dt.date(year, 6, 30) if match["half"] == "上半年" else dt.date(year, 12, 31)
    if match["quarter"]:
        quarter = _cn_number(match["quarter"]) or 4
        return _month_end(year, quarter * 3)
    if match["month"]:
        month = _cn_number(match["month"])
        if not month or not 1 <= month <= 12:
            return None
        if match["day"]:
            day = int(match["day"])
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
        early = match["early"]
        if early == "上旬":
            return dt.date(year, month, 10)
        if early == "中旬":
            return dt.date(year, month, 20)
        return _month_end(year, month)
    return dt.date(year, 12, 31)


def find_dates(text: str) -> list[DateFound]:
    """Every date expression of ``text`` with the last day of the period it means."""
    found: list[DateFound] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in YEAR_PAIR_RE.finditer(text):
        first, second = int(match[1]), int(match[2])
        if second > first:
            note = "" if re.search(r"[-—–－~～至到]", match[0]) else "年份连写,疑似丢失分隔符"
            found.append(DateFound(dt.date(second, 12, 31), match.start(), match.end(), note))
            taken.append((match.start(), match.end()))
    for match in FIVE_YEAR_RE.finditer(text):
        year = FIVE_YEAR_PLANS.get(match[1])
        if year and free(match.start(), match.end()):
            found.append(DateFound(dt.date(year, 12, 31), match.start(), match.end()))
            taken.append((match.start(), match.end()))
    for match in ISO_RE.finditer(text):
        if not free(match.start(), match.end()):
            continue
        year, month = int(match[1]), int(match[2])
        if match[3]:
            try:
                date = dt.date(year, month, int(match[3]))
            except ValueError:
                continue
        else:
            date = _month_end(year, month)
        found.append(DateFound(date, match.start(), match.end()))
        taken.append((match.start(), match.end()))
    for match in PERIOD_RE.finditer(text):
        if not free(match.start(), match.end()):
            continue
        has_year_mark = "年" in match[0]
        has_more = any(match[g] for g in ("half", "quarter", "month", "yearend"))
        run_together = RUN_TOGETHER_RE.match(text, match.start())
        if run_together and not has_year_mark:
            year, month = int(run_together[1]), int(run_together[2])
            end = run_together.end()
            tail = re.match(r"\s*月?\s*(底|末|前|份)?\s*(前)?", text[end:])
            end += tail.end() if tail else 0
            note = f"“{text[match.start() : end]}”疑似丢失“年/月”字样,按{year}年{month}月理解"
            found.append(DateFound(_month_end(year, month), match.start(), end, note))
            taken.append((match.start(), end))
            continue
        if not has_year_mark and not has_more:
            continue  # a bare number such as 2014 in a document number
        period_end = _period_end(match)
        if period_end is not None:
            found.append(DateFound(period_end, match.start(), match.end()))
            taken.append((match.start(), match.end()))
    found.sort(key=lambda item: item.start)
    return found


def is_recurring(text: str) -> bool:
    return any(word in text for word in RECURRING_WORDS)


def is_unspecified(text: str) -> bool:
    return any(pattern.search(text) for pattern in UNSPECIFIED_PATTERNS)


def parse_deadline(text: str) -> Deadline | None:
    """A 完成时间 cell or clause → Deadline, or None when it names no time at all.

    Several dates ("2014年底前完成试点;2015年在全市推进") give the last one: the task is done
    when its last stage is.
    """
    words = text.strip()
    if not words:
        return None
    dates = find_dates(words)
    if dates:
        last = max(dates, key=lambda item: item.date)
        notes = [item.note for item in dates if item.note]
        return Deadline(text=words, kind="date", date=last.date, note=";".join(notes))
    if is_recurring(words):
        return Deadline(text=words, kind="recurring")
    if is_unspecified(words):
        return Deadline(text=words, kind="unspecified")
    if (re.search(r"\d", words) or YEARLESS_RE.match(words)) and len(words) <= 12:
        # Unreadable, or a month / quarter / 年底 without a year: the reviewer (or the
        # document's year, see dated_in) decides.
        return Deadline(text=words, kind="flagged", note=f"无法识别的完成时间:{words}")
    return None


def looks_like_deadline(text: str) -> bool:
    """A short text that is nothing but a time limit (a 完成时间 cell)."""
    words = re.sub(r"\s+", "", text)
    if not words or len(words) > 40:
        return False
    deadline = parse_deadline(words)
    if deadline is None:
        return False
    if deadline.kind == "date":
        first = find_dates(words)[0]
        return first.start <= 2
    return len(words) <= 16


def year_of(text: str) -> int | None:
    """The year a target is due: 到2015年 / 十二五期末 / 2014年底 → the year."""
    dates = find_dates(text)
    return dates[-1].date.year if dates else None


# A time limit that names no year (工作要点 of one year: "12月底前", "9月", "第三季度", "年底前").
YEARLESS_RE = re.compile(
    r"^\s*(?:"
    r"(?P<half>上半年|下半年)"
    r"|(?:第?(?P<quarter>[一二三四1-4])季度)"
    r"|(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月\s*(?:份)?"
    r"(?:\s*(?P<day>[0-3]?\d)\s*日)?(?P<early>上旬|中旬|下旬|底|末|前|中)?"
    r"|(?P<yearend>年底|年末|年内|全年)"
    r")"
)
DOCUMENT_DATE_RE = re.compile(r"((?:19|20)\d\d)\s*年\s*(?:1[0-2]|0?[1-9])\s*月\s*[0-3]?\d\s*日")


def document_year(title: str, text: str) -> int | None:
    """The one year a document is about, for time limits written without a year: the year
    its title names ("2023年工作要点"); with no year in the title, the year of the first full
    date near the top (the issuing date); none when the title spans several years."""
    years = set(re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", title))
    if len(years) == 1:
        return int(years.pop())
    if years:
        return None
    dated = DOCUMENT_DATE_RE.search(text[:600])
    return int(dated[1]) if dated else None


def dated_in(deadline: Deadline, year: int) -> Deadline | None:
    """A flagged time limit without a year ("12月底前") read in ``year``, marked for review;
    ``None`` when the words are not such a time limit."""
    match = YEARLESS_RE.match(deadline.text)
    if match is None:
        return None
    found = find_dates(f"{year}年{deadline.text.strip()}")
    if not found:
        return None
    date = max(item.date for item in found)
    note = f"“{deadline.text}”未写年份,按文件年度{year}年理解 (no year written: read as {year})"
    return Deadline(text=deadline.text, kind="date", date=date, span=deadline.span, note=note)
