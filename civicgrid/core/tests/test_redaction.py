"""去除个人信息 in free text for the public board."""

from __future__ import annotations

import pytest

from civicgrid.core.redaction import strip_personal_data


@pytest.mark.parametrize(
    ("text", "names", "stripped"),
    [
        (
            "我叫陈小明，电话13700137000，身份证44040219900101123X。",
            (),
            "我叫陈**，电话137****7000，身份证******************。",
        ),
        ("联系人张三电话0756-2123456", (), "联系人张*电话0756-***3456"),
        ("姓名：欧阳娜娜 住址", (), "姓名：欧*** 住址"),
        ("卡号6222021234567890123", (), "卡号*******************"),
        ("请拨打12345或110", (), "请拨打12345或110"),
        ("邮箱 zhangsan@example.com", (), "邮箱 z***@example.com"),
        ("王五说路灯坏了，王五很着急", ("王五",), "王*说路灯坏了，王*很着急"),
        ("业主王先生反映小区噪音", (), "业主王先生反映小区噪音"),
        ("+86 138 1234 5678 找我", (), "138****5678 找我"),
        ("", (), ""),
        (None, (), ""),
    ],
)
def test_strip_personal_data(text: str | None, names: tuple[str, ...], stripped: str) -> None:
    assert strip_personal_data(text, names=names) == stripped
