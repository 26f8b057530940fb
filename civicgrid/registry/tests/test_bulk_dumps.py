"""The import's fast formatting changes nothing: :func:`bulk.dumps` writes exactly what
``json.dumps(…, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` writes (stored
fingerprints are taken of this text), and :func:`bulk.copy_line` exactly the value-by-value
COPY line."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid.registry.services.bulk import Json, _copy_text, copy_line, dumps


def _reference(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), _values, max_size=8))
def test_dumps_writes_what_json_writes(value: dict[str, object]) -> None:
    assert dumps(value) == _reference(value)


def test_dumps_on_the_values_where_the_encoders_differ() -> None:
    for value in (
        {"lon": 1e-07, "lat": 22.5},  # json: 1e-07, orjson: 1e-7
        {"x": math.nan, "y": -math.inf},
        {"n": 2**70},
        {"s": "lone \udc80 surrogate"},
        {"e-mail": "a@b.cn", "note": None},
        {"名字": "王小明", "b": "tab\there\u2028line\x00"},
    ):
        assert dumps(value) == _reference(value)


_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.text().map(Json),
    st.sampled_from(["\\N", "a\\Nb", "tab\tin", "new\nline", "cr\r", "back\\slash", "\\"]),
    st.dates(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_cells, min_size=1, max_size=12))
def test_copy_line_is_the_value_by_value_format(row: list[object]) -> None:
    """The fast path of a COPY line gives exactly the escaped value-by-value line."""
    expected = "\t".join(_copy_text(value) for value in row)
    assert copy_line(row, len(row) - 1) == expected
