import pytest

from civicgrid.core.textfiles import decode_chinese_text


@pytest.mark.parametrize(
    "raw",
    ["珠海市,香洲区".encode(), "\ufeff珠海市,香洲区".encode(), "珠海市,香洲区".encode("gbk")],
)
def test_utf8_bom_and_gbk_decode_to_the_same_text(raw: bytes) -> None:
    assert decode_chinese_text(raw) == "珠海市,香洲区"


def test_bytes_that_are_neither_raise() -> None:
    with pytest.raises(UnicodeDecodeError):
        decode_chinese_text(b"\xff\xff")
