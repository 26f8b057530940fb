"""The fast row checks give exactly what the checks before them gave.

Differential tests: the current ``parse_id_number``, ``parse_phone``, ``mask_phone``,
``Placer.parse`` / ``parse_parts`` and ``RowChecker.person`` run beside the frozen copies in
:mod:`reference_checks` on the same inputs (a corpus of tricky values and hypothesis-generated
rows); results, error lists (line, column, masked value, message) and raised errors must be
identical, in English and in Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from civicgrid.core import idnumbers, phones
from civicgrid.core.masking import mask_phone
from civicgrid.registry.services import validation
from civicgrid.registry.services.placement import Placer, UnitName

from . import reference_checks as ref

TODAY = dt.date(2025, 6, 15)
LANGUAGES = ("en", "zh-hans")
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

UNITS = [
    UnitName(1, "4404", "珠海市", "city"),
    UnitName(2, "440402", "香洲区", "district"),
    UnitName(3, "440403", "斗门区", "district"),
    UnitName(4, "440402001", "翠香街道", "street"),
    UnitName(5, "440402002", "拱北街道", "street"),
    UnitName(6, "440402001001", "北园社区居民委员会", "community"),
    UnitName(7, "440402001002", "紫荆社区居民委员会", "community"),
    UnitName(8, "440403001", "白藤街道", "street"),
    UnitName(9, "440403001001", "白藤一社区居民委员会", "community"),
    UnitName(10, "440403101", "井岸镇", "street"),
    UnitName(11, "440403101201", "南门村民委员会", "community"),
    # The same name in two streets: found only when the street is named.
    UnitName(12, "440402002001", "北园社区居民委员会", "community"),
    UnitName(13, "440402002002", "拱北村委会", "community"),
    UnitName(14, "440404", "金湾区", "district"),
    UnitName(15, "440404001", "红旗镇", "street"),
    UnitName(16, "440404001001", "湖东社区居委会", "community"),
]
# A name with a digit turns the placer's shortcut for rooms off.
UNITS_WITH_DIGITS = [
    *UNITS,
    UnitName(17, "440404001002", "第2单元社区居民委员会", "community"),
    UnitName(18, "440402001009", "5号2栋2单元1", "community"),
]

FULL_WIDTH = str.maketrans(
    "0123456789Xx-+()./: #ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "０１２３４５６７８９Ｘｘ－＋（）．／：　＃"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
)


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def with_check(first17: str) -> str:
    return first17 + ref.id_number_check_digit(first17)


# ------------------------------------------------------------------------------ comparing


def id_outcome(module: Any, value: Any, **kwargs: Any) -> Any:
    """What ``parse_id_number`` gives: the parts, or the error in both languages."""
    try:
        info = module.parse_id_number(value, **kwargs)
    except ValidationError as error:
        rendered = []
        for language in LANGUAGES:
            with translation.override(language):
                rendered.append(tuple(error.messages))
        return ("error", error.code, tuple(rendered))
    return (
        "ok",
        info.number,
        info.birth_date,
        info.sex,
        info.region_code,
        info.is_foreign_permanent_resident,
    )


def phone_outcome(module: Any, value: Any) -> Any:
    parsed = module.parse_phone(value)
    if parsed is None:
        return None
    return (parsed.kind, parsed.number, parsed.area_code, parsed.subscriber, parsed.extension)


PERSON_FIELDS = (
    "line",
    "id_number",
    "values",
    "sex",
    "birth_date",
    "region_code",
    "address_text",
    "address",
    "point",
    "residence_kind",
    "moved_in",
)


def row_outcome(row: Any) -> Any:
    if row is None:
        return None
    fields = tuple(getattr(row, name) for name in PERSON_FIELDS)
    # repr tells 1 from 1.0, -0.0 from 0.0 and a date from a string.
    return fields, repr(fields), type(row.values)


def check_rows(
    module: Any, rows: list[tuple[int, dict[str, str]]], language: str, today: dt.date
) -> tuple[list[Any], list[tuple[int, str, str, str]]]:
    placer_class = ref.ReferencePlacer if module is ref else Placer
    checker = module.RowChecker("person", placer_class(UNITS, city_code="4404"), today=today)
    results = []
    with translation.override(language):
        for line, values in rows:
            given_values = dict(values)
            results.append(row_outcome(checker.person(line, given_values)))
            assert given_values == values  # the row is not changed
    errors = [(error.line, error.field, error.value, error.message) for error in checker.errors]
    return results, errors


def assert_same_rows(rows: list[tuple[int, dict[str, str]]], today: dt.date = TODAY) -> None:
    for language in LANGUAGES:
        expected = check_rows(ref, rows, language, today)
        actual = check_rows(validation, rows, language, today)
        assert actual[1] == expected[1]
        assert actual[0] == expected[0]


# ------------------------------------------------------------------------------ strategies

REGIONS = ["440402", "110105", "810000", "830000", "710000", "650102", "944156", "911840"]
BAD_REGIONS = ["990000", "000000", "123456", "910000", "972000", "160000", "930156"]


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(REGIONS) | st.sampled_from(BAD_REGIONS))
    birth = draw(
        st.dates(dt.date(1890, 1, 1), dt.date(2030, 12, 31)).map(lambda d: d.strftime("%Y%m%d"))
        | st.sampled_from(["19990230", "20001301", "19000229", "20000229", "18991231", "00000000"])
        | st.just(TODAY.strftime("%Y%m%d"))
        | st.just((TODAY + dt.timedelta(days=1)).strftime("%Y%m%d"))
    )
    sequence = f"{draw(st.integers(0, 999)):03d}"
    body = region + birth + sequence
    check = ref.id_number_check_digit(body)
    if draw(st.integers(0, 4)) == 0:
        check = draw(st.sampled_from("0123456789Xx"))
    number = body + check
    transform = draw(st.integers(0, 12))
    if transform == 1:
        number = number.lower()
    elif transform == 2:
        number = full_width(number)
    elif transform == 3:
        at = draw(st.integers(0, len(number)))
        number = (
            number[:at] + draw(st.sampled_from([" ", "\t", "\u3000", "\xa0", "\n"])) + number[at:]
        )
    elif transform == 4:
        number = number[: draw(st.sampled_from([15, 16, 17, 19]))]
    elif transform == 5:
        number = number + draw(st.sampled_from(["1", "X", "0"]))
    elif transform == 6:
        at = draw(st.integers(0, len(number) - 1))
        char = draw(st.sampled_from(["a", "٣", "①", "²", "-", "X", "ⅹ", "𝟗", "x"]))
        number = number[:at] + char + number[at + 1 :]
    elif transform == 7:
        number = " " + number + "  "
    elif transform == 8:
        number = number[:6] + " " + number[6:14] + " " + number[14:]
    return number


def mobile_numbers() -> st.SearchStrategy[str]:
    return st.builds(
        lambda second, rest: "1" + second + rest,
        st.sampled_from("0123456789"),
        st.text("0123456789", min_size=8, max_size=10),
    )


def landlines() -> st.SearchStrategy[str]:
    return st.builds(
        lambda area, sep, subscriber: area + sep + subscriber,
        st.sampled_from(["010", "020", "029", "0756", "0755", "0123", "0312", "00", "756", ""]),
        st.sampled_from(["", "-", " ", ")", "·", "."]).map(lambda s: s),
        st.text("0123456789", min_size=6, max_size=9),
    )


@st.composite
def phone_texts(draw: st.DrawFn) -> str:
    base = draw(
        mobile_numbers()
        | landlines()
        | st.sampled_from(["110", "120", "12345", "95555", "96123", "4008001234", "8001234567"])
        | st.text("0123456789", min_size=1, max_size=14)
    )
    if draw(st.booleans()):
        base = draw(st.sampled_from(["+86", "0086", "86", "+86 ", "+852", "+", "(0756)"])) + base
    if draw(st.integers(0, 3)) == 0:
        extension = draw(st.text("0123456789", min_size=1, max_size=7))
        base += (
            draw(st.sampled_from(["转", "ext", "EXT.", "x", "X", "#", "-", " 转 ", " - "]))
            + extension
        )
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(base)))
        base = (
            base[:at]
            + draw(st.sampled_from([" ", "-", "（", "）", "a", "٣", "\u3000"]))
            + base[at:]
        )
    transform = draw(st.integers(0, 6))
    if transform == 1:
        base = full_width(base)
    elif transform == 2:
        base = " " + base + " "
    elif transform == 3:
        base = "(" + base[:4] + ")" + base[4:]
    return base


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    year = draw(st.integers(1795, 2305) | st.sampled_from([1899, 1900, 2024, 2025, 2200, 2201]))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    pad = draw(st.booleans())
    m, d = (f"{month:02d}", f"{day:02d}") if pad else (str(month), str(day))
    form = draw(st.integers(0, 6))
    if form == 0:
        text = f"{year}-{m}-{d}"
    elif form == 1:
        text = f"{year}/{m}/{d}"
    elif form == 2:
        text = f"{year}.{m}.{d}"
    elif form == 3:
        text = f"{year}年{m}月{d}日" if draw(st.booleans()) else f"{year}年{m}月{d}"
    elif form == 4:
        text = f"{year}{month:02d}{day:02d}"
    elif form == 5:
        text = f"{year:05d}-{m}-{d}" if year < 10000 else f"{year}-{m}"
    else:
        text = draw(st.sampled_from([f"{year}-{m}", f"{m}/{d}/{year}", f"{year}-{m}-{d}-1"]))
    suffix = draw(
        st.sampled_from(["", "", " 00:00:00", "T12:30:00", " 12:00", "T", " ", "  08:00", "Z"])
    )
    text += suffix
    transform = draw(st.integers(0, 6))
    if transform == 1:
        text = full_width(text)
    elif transform == 2:
        text = " " + text + "\u3000"
    elif transform == 3 and text:
        # Digits that NFKC reads as ASCII ones (² → 2, ① → 1) or keeps (٣).
        at = draw(st.integers(0, len(text) - 1))
        text = text[:at] + draw(st.sampled_from(["²", "①", "٣", "𝟗"])) + text[at + 1 :]
    return text


def dates_near_today() -> st.SearchStrategy[str]:
    return st.integers(-3, 3).map(lambda days: (TODAY + dt.timedelta(days=days)).isoformat())


def choice_texts(names: dict[str, tuple[str, ...]]) -> st.SearchStrategy[str]:
    aliases = sorted({alias for values in names.values() for alias in values} | set(names))
    return st.builds(
        lambda alias, transform: transform(alias),
        st.sampled_from(aliases),
        st.sampled_from(
            [
                str,
                str.upper,
                str.title,
                full_width,
                lambda text: " " + text + " ",
                lambda text: "\u3000" + text,
                lambda text: text + "x",
                lambda text: text[:-1],
                lambda text: text.replace("i", "İ"),
            ]
        ),
    ) | st.sampled_from(["未知", "unknown", "ＦＥＭＡＬＥ", "Ｍ", "１", "3", "n/a"])


def sized_texts(limit: int) -> st.SearchStrategy[str]:
    return st.integers(limit - 2, limit + 2).map(lambda size: "长" * size) | st.text(
        max_size=limit + 3
    )


ADDRESSES = [
    "珠海市香洲区翠香街道北园社区健民路5号2栋2单元101",
    "珠海市香洲区翠香街道紫荆社区紫荆路12号3栋2单元501",
    "广东省珠海市斗门区井岸镇南门村12号",
    "香洲区拱北街道迎宾南路12号",
    "斗门区白藤街道白藤一社区" + "长" * 61 + "路3号",
    "香洲区" + "长" * 58 + "路12号" + "A" * 61 + "栋",
    "香洲区健民路5号2栋" + "1" * 21 + "单元101",
    "香洲区健民路5号" + "1" * 25,
    "香洲区健民路" + "1" * 22 + "号",
    # Each part at its limit and one character over.
    "香洲区" + "长" * 59 + "路1号",
    "香洲区" + "长" * 60 + "路1号",
    "香洲区健民路" + "1" * 20 + "号",
    "香洲区健民路" + "1" * 21 + "号",
    "香洲区健民路5号" + "A" * 60 + "栋",
    "香洲区健民路5号" + "A" * 61 + "栋",
    "香洲区健民路5号2栋" + "1" * 20 + "单元101",
    "香洲区健民路5号2栋1单元" + "1" * 20,
    "香洲区健民路5号2栋1单元" + "1" * 21,
    "某某地方",
    "１２３",
]

PROVINCES = sorted(idnumbers.PROVINCE_CODES)
DIVISIONS = st.sampled_from(
    [
        "440402",
        "440402001",
        "440402001001",
        "990000",
        "44040",
        "4404020010",
        "４４０４０２",
        "٤٤٠٤٠٢",
        "440402 ",
        "44040200100",
        "0",
    ]
) | st.builds(
    lambda province, rest: f"{province:02d}{rest}",
    st.sampled_from([*PROVINCES, 0, 9, 99, 10, 72]),
    st.text("0123456789", min_size=3, max_size=11),
)
COORDINATES = st.sampled_from(
    [
        "113.5",
        "22.2",
        "",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "1e3",
        "abc",
        "１１３.５",
        " 113.5 ",
        "181",
        "-180",
        "-180.5",
        "180.5",
        "-91",
        "90",
        "90.5",
        "-90.0001",
        "1_0",
        "-0.0",
        "0x10",
    ]
) | st.floats(allow_nan=True, allow_infinity=True).map(repr)

FIELDS: dict[str, st.SearchStrategy[str]] = {
    "id_number": id_numbers() | st.text(max_size=20),
    "name": sized_texts(60),
    "sex": choice_texts(validation.SEX_NAMES),
    "birth_date": date_texts() | dates_near_today(),
    "phone": phone_texts() | st.text(max_size=16),
    "registered_address": sized_texts(300),
    "registered_division_code": DIVISIONS,
    "residence_status": choice_texts(validation.RESIDENCE_NAMES),
    "permit_number": sized_texts(40),
    "permit_valid_until": date_texts() | dates_near_today(),
    "current_address": st.sampled_from(ADDRESSES) | sized_texts(300),
    "lon": COORDINATES,
    "lat": COORDINATES,
    "employer": sized_texts(200),
    "residence_kind": choice_texts(validation.RESIDENCE_KIND_NAMES),
    "moved_in": date_texts() | dates_near_today(),
}


@st.composite
def valid_values(draw: st.DrawFn) -> dict[str, str]:
    """A row that passes (the common case), before mutations."""
    born = draw(st.dates(dt.date(1930, 1, 1), TODAY))
    sequence = draw(st.integers(0, 999))
    number = with_check(
        draw(st.sampled_from(REGIONS)) + born.strftime("%Y%m%d") + f"{sequence:03d}"
    )
    sex = "M" if sequence % 2 else "F"
    return {
        "id_number": number,
        "name": draw(st.sampled_from(["张三", "欧阳娜娜", "李丽婕", "Anna·Li"])),
        "sex": draw(st.sampled_from([sex, sex.lower(), "男" if sex == "M" else "女", ""])),
        "birth_date": draw(
            st.sampled_from(
                [born.isoformat(), born.strftime("%Y%m%d"), born.strftime("%Y/%m/%d"), ""]
            )
        ),
        "phone": draw(st.sampled_from(["15831196042", "0756-2123456", "+86 138 1234 5678", ""])),
        "registered_address": "湖南省衡阳市衡南县源沙镇塘下村2组8号",
        "registered_division_code": draw(st.sampled_from(["430422", "440402001", ""])),
        "residence_status": draw(st.sampled_from(["floating", "户籍", "registered", ""])),
        "permit_number": draw(st.sampled_from(["44040220240000001", ""])),
        "permit_valid_until": draw(st.sampled_from(["2027-11-13", "2020-01-01", ""])),
        "current_address": draw(st.sampled_from([*ADDRESSES[:4], ""])),
        "lon": draw(st.sampled_from(["113.55", ""])),
        "lat": draw(st.sampled_from(["22.25", ""])),
        "employer": draw(st.sampled_from(["珠海达宏电子有限公司", ""])),
        "residence_kind": draw(st.sampled_from(["自有", "rent", "租住", ""])),
        "moved_in": draw(st.sampled_from(["2020-05-01", ""])),
    }


@st.composite
def person_rows(draw: st.DrawFn) -> dict[str, str]:
    values = draw(valid_values())
    for key in draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=4, unique=True)):
        values[key] = draw(FIELDS[key])
    for key in draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=2, unique=True)):
        del values[key]  # a file without that column
    return values


# ------------------------------------------------------------------------------ the corpus

ID_CORPUS = [
    "11010519491231002X",
    "11010519491231002x",
    " 11010519491231002x ",
    "１１０１０５１９４９１２３１００２ｘ",
    "１１０１０５１９４９１２３１００２Ｘ",
    "110105 19491231 002X",
    "110105\t19491231002X",
    "110105\u300019491231002X",
    "110105194912310021",
    "110105491231002",  # 15 digits (first generation)
    "11010519491231002",
    "11010519491231002X1",
    with_check("44040219990230123"),  # 30 February
    with_check("44040219991301123"),
    with_check("44040218991231123"),
    with_check("44040220250616123"),  # the day after TODAY
    with_check("44040220250615123"),  # TODAY
    with_check("94415619800101123"),  # foreign permanent resident, 44 = 广东
    with_check("91184019800101124"),
    with_check("99015619800101123"),  # 9 + a province code that does not exist
    with_check("81000019900101001"),
    with_check("99000019900101001"),
    "44040219900101123A",
    "4404021990010112ⅹ",
    "44040219900101123٣",
    "44040219900101123①",
    "",
    "   ",
    "X" * 18,
    "-" * 18,
    # Full-width with a digit last, other digits inside (ASCII after NFKC or not).
    *(full_width(with_check(f"4404021990010112{n}")) for n in range(10)),
    *(
        number[:5] + char + number[6:]
        for number in [with_check("44040219900101123")]
        for char in ("①", "٣", "²", "𝟗", "４")
    ),
]

PHONE_CORPUS = [
    "13812345678",
    "138 1234 5678",
    "138-1234-5678",
    "+86 138 1234 5678",
    "+8613812345678",
    "0086-138-1234-5678",
    "008613812345678",
    "8613812345678",
    "１３８１２３４５６７８",
    "+８６ １３８ １２３４ ５６７８",
    "12812345678",
    "1381234567",
    "138123456789",
    "0756-2123456",
    "0756 2123456",
    "(0756)2123456",
    "（0756）2123456",
    "07562123456",
    "010-12345678",
    "010-02345678",
    "0756-2123456-801",
    "0756-2123456转801",
    "0756-2123456 ext. 12",
    "0756-2123456x12",
    "0756-2123456#3",
    "0756-2123456-1234567",
    "13812345678转1",
    "+86 756 2123456",
    "+86 10 12345678",
    "+852 2123 4567",
    "+1 415 555 0100",
    "2123456",
    "12345",
    "110",
    "95555",
    "961234",
    "400-800-1234",
    "4008001234",
    "０７５６－２１２３４５６",
    "138·1234·5678",
    "138.1234.5678",
    "13812345678 ",
    "phone",
    "",
    "٣٨١٢٣٤٥٦٧٨",
]

DATE_CORPUS = [
    "2024-03-05",
    "2024-3-5",
    "2024/3/5",
    "2024.3.5",
    "2024年3月5日",
    "2024年3月5",
    "20240305",
    "2024-03-05 00:00:00",
    "2024-03-05T10:00:00",
    "２０２４－０３－０５",
    "²024-03-05",
    "2024-0①-05",
    "٢٠٢٤-03-05",
    "2024-02-30",
    "19990230",
    "2023-13-01",
    "1899-12-31",
    "2201-01-01",
    "2025-06-16",
    "2025-06-15",
    "03/05/2024",
    "2024-03",
    "today",
    " 2024-03-05 ",
    "2024-003-05",
    "２０２４年３月５日",
    "2024-03-05Z",
    "T2024-03-05",
    "2024 -03-05",
]


def corpus_rows() -> Iterator[dict[str, str]]:
    base = {
        "id_number": "43042219910707129X",
        "name": "张嘉锋",
        "sex": "M",
        "birth_date": "1991-07-07",
        "phone": "15831196042",
        "registered_address": "湖南省衡阳市衡南县源沙镇塘下村2组8号",
        "registered_division_code": "430422",
        "residence_status": "floating",
        "permit_number": "44040220240000001",
        "permit_valid_until": "2027-11-13",
        "current_address": ADDRESSES[0],
        "lon": "",
        "lat": "",
        "employer": "珠海达宏电子有限公司",
        "residence_kind": "自有",
    }
    yield base
    for number in ID_CORPUS:
        yield base | {"id_number": number, "sex": "", "birth_date": ""}
    yield base | {"id_number": "43042219910707129X", "sex": "F"}
    yield base | {"birth_date": "1991-07-08"}
    yield base | {"birth_date": "19910707", "sex": "男"}
    for phone in PHONE_CORPUS:
        yield base | {"phone": phone}
    for key in ("birth_date", "permit_valid_until", "moved_in"):
        for text in DATE_CORPUS:
            yield base | {key: text, "sex": ""} | ({"id_number": ""} if key == "birth_date" else {})
    for key, names in (
        ("sex", validation.SEX_NAMES),
        ("residence_status", validation.RESIDENCE_NAMES),
        ("residence_kind", validation.RESIDENCE_KIND_NAMES),
    ):
        for aliases in names.values():
            for alias in aliases:
                yield base | {key: alias}
                yield base | {key: full_width(alias.upper())}
        yield base | {key: "unknown value"}
        yield base | {key: "未知"}
    for key, limit in (
        ("name", 60),
        ("registered_address", 300),
        ("permit_number", 40),
        ("employer", 200),
        ("current_address", 300),
    ):
        yield base | {key: "长" * limit}
        yield base | {key: "长" * (limit + 1)}
    yield base | {"name": ""}
    yield {key: value for key, value in base.items() if key != "name"}
    for address in ADDRESSES:
        yield base | {"current_address": address}
    for lon, lat in (
        ("113.5", "22.2"),
        ("113.5", ""),
        ("", "22.2"),
        ("nan", "22"),
        ("113", "nan"),
        ("inf", "22"),
        ("181", "22"),
        ("113", "91"),
        ("abc", "22"),
        ("-180.5", "22"),
        ("180.5", "22"),
        ("-180", "-90"),
        ("113", "90.5"),
        ("113", "-90.5"),
        ("113", "abc"),
        ("１１３.５", "２２.２"),
    ):
        yield base | {"lon": lon, "lat": lat}
    for division in ("440402", "440402001001", "990000", "44040", "４４０４０２", "٤٤٠٤٠٢", "7"):
        yield base | {"registered_division_code": division}
    yield {key: "" for key in base}
    yield {}
    # Everything wrong at once.
    yield {
        "id_number": "123",
        "name": "长" * 61,
        "sex": "x",
        "birth_date": "2024-02-30",
        "phone": "123",
        "registered_address": "长" * 301,
        "registered_division_code": "99",
        "residence_status": "x",
        "permit_number": "长" * 41,
        "permit_valid_until": "never",
        "current_address": ADDRESSES[5],
        "lon": "x",
        "lat": "",
        "employer": "长" * 201,
        "residence_kind": "x",
        "moved_in": "2999-01-01",
    }


# ------------------------------------------------------------------------------ the tests


@pytest.mark.parametrize("value", ID_CORPUS)
def test_id_numbers_of_the_corpus(value: str) -> None:
    for today in (TODAY, None):
        assert id_outcome(idnumbers, value, today=today) == id_outcome(ref, value, today=today)
    field = "身份证号 (id_number)"
    assert id_outcome(idnumbers, value, field=field, today=TODAY) == id_outcome(
        ref, value, field=field, today=TODAY
    )


@SETTINGS
@given(id_numbers() | st.text(max_size=22) | st.none() | st.integers())
@example(12345678901234567)
def test_id_numbers_generated(value: Any) -> None:
    assert id_outcome(idnumbers, value, today=TODAY) == id_outcome(ref, value, today=TODAY)


@SETTINGS
@given(st.text("0123456789", min_size=17, max_size=17) | st.text(min_size=16, max_size=18))
def test_check_digit_and_normalisation(value: str) -> None:
    try:
        expected: Any = ref.id_number_check_digit(value)
    except ValueError as error:
        expected = ("ValueError", str(error))
    try:
        actual: Any = idnumbers.id_number_check_digit(value)
    except ValueError as error:
        actual = ("ValueError", str(error))
    assert actual == expected
    assert idnumbers.normalise_id_number(value) == ref.normalise_id_number(value)


@pytest.mark.parametrize("value", PHONE_CORPUS)
def test_phones_of_the_corpus(value: str) -> None:
    assert phone_outcome(phones, value) == phone_outcome(ref, value)
    assert mask_phone(value) == ref.mask_phone(value)


@SETTINGS
@given(phone_texts() | st.text(max_size=20) | st.none())
def test_phones_generated(value: Any) -> None:
    assert phone_outcome(phones, value) == phone_outcome(ref, value)
    assert mask_phone(value) == ref.mask_phone(value)


def test_person_rows_of_the_corpus() -> None:
    rows = list(enumerate(corpus_rows(), start=2))
    assert_same_rows(rows)
    # The corpus is no empty comparison: it has rows that pass and errors on every column.
    results, errors = check_rows(validation, rows, "en", TODAY)
    assert sum(result is not None for result in results) > 40
    assert {error[1] for error in errors} == set(FIELDS)
    # One row at a time too (the checker keeps no state that changes a later row's result).
    for line, values in rows[:80]:
        assert_same_rows([(line, values)])


def test_dates_around_the_day_of_the_import() -> None:
    rows = [
        (line, {"id_number": with_check("44040220250615123"), "name": "张三", "moved_in": day})
        for line, day in enumerate(DATE_CORPUS, start=2)
    ]
    for today in (TODAY, dt.date(2024, 3, 5), dt.date(2024, 3, 4)):
        assert_same_rows(rows, today)


@SETTINGS
@given(st.lists(person_rows(), min_size=1, max_size=4))
def test_person_rows_generated(rows: list[dict[str, str]]) -> None:
    assert_same_rows(list(enumerate(rows, start=2)))


@SETTINGS
@given(st.fixed_dictionaries({}, optional=FIELDS))
def test_person_rows_of_random_values(values: dict[str, str]) -> None:
    assert_same_rows([(7, values)])


ADDRESS_PARTS = (
    ["", "广东省", "广东", "广东省珠海市", "珠海市", "珠海", "广东省广州市"],
    ["", "香洲区", "斗门区", "金湾区", "香洲"],
    [
        "",
        "翠香街道",
        "翠香街道办",
        "翠香街道办事处",
        "拱北街道",
        "白藤街道",
        "井岸镇",
        "红旗镇人民政府",
    ],
    [
        "",
        "北园社区",
        "北园社区居委会",
        "北园社区居民委员会",
        "紫荆社区",
        "南门村",
        "南门村委会",
        "白藤一社区",
        "拱北村",
        "湖东社区",
        "第2单元社区",
        "北园",
    ],
    ["", "健民路", "迎宾南路", "人民大道", "新村街", "长" * 61 + "路", "凤凰北路", "胡同"],
    ["", "5号", "12之3号", "12-3号", "5号楼", "5", "１２号", "8号"],
    ["", "华发新城", "A区", "新城"],
    ["", "2栋", "A座", "3幢", "3号楼", "b栋", "1" * 61 + "栋"],
    ["", "2单元", "a单元", "单元", "12单元", "2单元2单元", "1" * 21 + "单元"],
    [
        "",
        "101",
        "501室",
        "12-3",
        "1203号",
        "102房",
        "0",
        "١٠١",
        "１０１",
        "101-",
        "2单元",
        "1" * 21,
    ],
)


@st.composite
def address_texts(draw: st.DrawFn) -> str:
    text = "".join(draw(st.sampled_from(part)) for part in ADDRESS_PARTS)
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at] + draw(st.sampled_from([" ", "，", "(", "）", "号", "单元", "7"])) + text[at:]
        )
    if draw(st.integers(0, 5)) == 0:
        text = full_width(text)
    return text


def parse_outcomes(placer: Placer, texts: list[str]) -> list[str]:
    return [repr(placer.parse(text)) for text in texts]


def assert_same_addresses(texts: list[str]) -> None:
    # Other rooms of the same unit, after the first: the shortcut for rooms.
    texts = [variant for text in texts for variant in (text, text + "1", text + "23", text + "4")]
    for units in (UNITS, UNITS_WITH_DIGITS):
        for city_code in ("4404", ""):
            expected = parse_outcomes(ref.ReferencePlacer(units, city_code=city_code), texts)
            assert parse_outcomes(Placer(units, city_code=city_code), texts) == expected


def test_addresses_of_the_corpus() -> None:
    assert_same_addresses(
        [
            *ADDRESSES,
            "珠海市香洲区翠香街道北园社区健民路5号2栋2单元",
            "珠海市香洲区翠香街道北园社区健民路5号2栋2单元501室",
            "珠海市香洲区翠香街道北园社区健民路5号2栋2单元12-3",
            "香洲区北园社区健民路5号单元",
            "香洲区健民路5号2单元",
            "香洲区健民路5号2栋单元",
            "金湾区红旗镇第2单元社区健民路5号2栋2单元",
            "金湾区第2单元",
            "香洲区翠香街道5号2栋2单元3",
            "香洲区翠香街道5号2栋2单元1",
            "香洲区翠香街道5号2栋2单元12",
            "2单元",
            "单元",
            "",
        ]
    )


@SETTINGS
@given(st.lists(address_texts() | st.text(max_size=30), min_size=1, max_size=6))
def test_addresses_generated(texts: list[str]) -> None:
    assert_same_addresses(texts)


@SETTINGS
@given(st.tuples(*(st.sampled_from(part) | st.text(max_size=6) for part in ADDRESS_PARTS[1:5])))
def test_address_parts_generated(parts: tuple[str, ...]) -> None:
    district, street, community, road = parts
    for units in (UNITS, UNITS_WITH_DIGITS):
        expected = ref.ReferencePlacer(units, city_code="4404").parse_parts(
            district=district, street=street, community=community, road=road, house_number="5"
        )
        actual = Placer(units, city_code="4404").parse_parts(
            district=district, street=street, community=community, road=road, house_number="5"
        )
        assert repr(actual) == repr(expected)
