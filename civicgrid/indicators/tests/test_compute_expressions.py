"""Numerator / denominator expressions: safe parsing, codes, evaluation, messages."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.indicators.compute.errors import ExpressionError
from civicgrid.indicators.compute.expressions import (
    DIVISION_BY_ZERO,
    MISSING_VALUE,
    IndicatorFormula,
    MissingValueStrategy,
    parse_expression,
    referenced_codes,
    validate_expression,
)


def english_error(text: str) -> str:
    with translation.override("en"), pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert caught.value.code == "invalid_expression"
    assert caught.value.field == "expression"
    return str(caught.value.message)


def test_codes_in_order_of_first_appearance() -> None:
    assert referenced_codes("#{beds} * 1000 / #{elderly60}") == ("beds", "elderly60")
    assert referenced_codes("#{ELDERLY_BEDS} + #{PRIVATE_BEDS} - #{ELDERLY_BEDS}") == (
        "ELDERLY_BEDS",
        "PRIVATE_BEDS",
    )
    assert referenced_codes("#{de.coc} + 1") == ("de.coc",)
    assert referenced_codes("42") == ()


def test_evaluation_follows_precedence_and_parentheses() -> None:
    values = {"a": 6.0, "b": 3.0, "c": 2.0}
    assert parse_expression("#{a} + #{b} * #{c}").evaluate(values).value == 12.0  # 6 + 3×2
    assert parse_expression("(#{a} + #{b}) * #{c}").evaluate(values).value == 18.0
    assert parse_expression("#{a} / #{b} / #{c}").evaluate(values).value == 1.0  # left to right
    assert parse_expression("#{a} - #{b} - #{c}").evaluate(values).value == 1.0
    assert parse_expression("-#{a} + +#{b}").evaluate(values).value == -3.0
    assert parse_expression("--#{c}").evaluate(values).value == 2.0
    assert parse_expression("1.5e3 / .5").evaluate({}).value == 3000.0


def test_the_issue_examples() -> None:
    beds = parse_expression("#{beds} * 1000 / #{elderly60}")
    assert beds.evaluate({"beds": 1560, "elderly60": 52_000}).value == pytest.approx(30.0)
    total = parse_expression("#{ELDERLY_BEDS} + #{PRIVATE_BEDS}")
    assert total.evaluate({"ELDERLY_BEDS": 1200, "PRIVATE_BEDS": 360}).value == 1560.0


def test_division_by_zero_gives_no_value_and_a_reason() -> None:
    result = parse_expression("#{beds} * 1000 / #{elderly60}").evaluate(
        {"beds": 10, "elderly60": 0}
    )
    assert result.value is None
    assert result.reason == DIVISION_BY_ZERO
    assert parse_expression("1 / (#{a} - #{a})").evaluate({"a": 3}).reason == DIVISION_BY_ZERO


def test_missing_value_strategies() -> None:
    expression = parse_expression("#{a} + #{b}")
    skip_any = expression.evaluate({"a": 1.0, "b": None})
    assert (skip_any.value, skip_any.reason, skip_any.missing) == (None, MISSING_VALUE, ("b",))
    assert expression.evaluate({"a": 1.0}).missing == ("b",)  # absent key = missing
    assert expression.evaluate({"a": 1.0, "b": math.nan}).reason == MISSING_VALUE
    some = expression.evaluate({"a": 1.0}, missing=MissingValueStrategy.SKIP_IF_ALL_MISSING)
    assert (some.value, some.missing) == (1.0, ("b",))
    none = expression.evaluate({}, missing="skip_if_all_missing")
    assert (none.value, none.reason) == (None, MISSING_VALUE)
    never = expression.evaluate({}, missing=MissingValueStrategy.NEVER_SKIP)
    assert (never.value, never.missing) == (0.0, ("a", "b"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("#{beds} * 1000 / elderly60", "Position 18: “elderly60” is not understood"),
        ("#{beds", "not closed with “}”"),
        ("#{}", "code is empty"),
        ("#{be ds}", "letters, digits"),
        ("#beds", "written #{CODE}"),
        ("#{a} +", "ends too early"),
        ("#{a} * (#{b} + 1", "Position 8: “(” is not closed"),
        ("#{a} + 1)", "Position 9: “)” has no matching “(”"),
        ("#{a} #{b}", "Position 6: an operator is missing"),
        ("#{a} * * 2", "Position 8: “*” cannot stand here"),
        ("__import__('os')", "is not understood"),
        ("#{a} ** 2", "cannot stand here"),
        ("#{a} % 2", "“%” is not allowed"),
        ("#{a}; 1", "“;” is not allowed"),
    ],
)
def test_bad_expressions_are_refused_with_the_position(text: str, fragment: str) -> None:
    assert fragment in english_error(text)


def test_refuses_python_code_instead_of_running_it() -> None:
    for text in ["().__class__", "open('x')", "lambda: 1", "[1][0]", "1 if 1 else 2"]:
        with pytest.raises(ExpressionError):
            parse_expression(text)


def test_too_deep_or_too_long_is_refused() -> None:
    with pytest.raises(ExpressionError):
        parse_expression("(" * 60 + "1" + ")" * 60)
    with pytest.raises(ExpressionError):
        parse_expression(" + ".join(["#{a}"] * 500))


def test_validate_expression_lists_unknown_codes() -> None:
    with translation.override("en"):
        assert validate_expression("#{beds} / #{elderly}", known_codes={"beds", "elderly"}) == []
        assert validate_expression("#{beds} / #{eldery}", known_codes={"beds", "elderly"}) == [
            "Unknown data element “eldery”."
        ]
        assert validate_expression("#{beds} /") == [
            "The expression ends too early: “#{beds} /” needs a value at the end."
        ]


def test_indicator_formula_by_kind() -> None:
    formula = IndicatorFormula.from_texts("#{volunteers}", "#{residents}", kind="percentage")
    assert formula.codes == ("volunteers", "residents")
    result = formula.evaluate({"volunteers": 12_000, "residents": 150_000})
    assert result.value == pytest.approx(8.0)  # 100 × 12,000 / 150,000
    assert (result.numerator, result.denominator) == (12_000, 150_000)
    per_ten_thousand = IndicatorFormula.from_texts("#{sw}", "#{res}", kind="per_ten_thousand")
    assert per_ten_thousand.evaluate({"sw": 150, "res": 150_000}).value == pytest.approx(10.0)
    count = IndicatorFormula.from_texts("#{a} + #{b}", kind="count")
    assert count.evaluate({"a": 2, "b": 3}).value == 5.0
    assert count.evaluate({"a": 2, "b": 3}).denominator is None
    zero = per_ten_thousand.evaluate({"sw": 3, "res": 0})
    assert (zero.value, zero.reason, zero.numerator) == (None, DIVISION_BY_ZERO, 3.0)
    missing = per_ten_thousand.evaluate({"sw": 3})
    assert (missing.value, missing.reason, missing.missing) == (None, MISSING_VALUE, ("res",))


def test_indicator_formula_names_the_faulty_side() -> None:
    with translation.override("en"), pytest.raises(ExpressionError) as caught:
        IndicatorFormula.from_texts("#{a}", "#{b} +")
    assert caught.value.field == "denominator"
    assert str(caught.value.message).startswith("Denominator: ")
    with pytest.raises(ExpressionError) as caught:
        IndicatorFormula.from_texts("#{a}", "", kind="per_million")
    assert caught.value.field == "kind"


def test_array_evaluation_matches_scalar_evaluation() -> None:
    formula = IndicatorFormula.from_texts("#{beds}", "#{elderly}", kind="per_thousand")
    beds = np.array([10.0, 20.0, np.nan, 5.0])
    elderly = np.array([1000.0, 0.0, 100.0, 500.0])
    result = formula.evaluate_arrays({"beds": beds, "elderly": elderly})
    assert result[0] == pytest.approx(10.0)
    assert np.isnan(result[1])  # division by zero
    assert np.isnan(result[2])  # missing numerator
    assert result[3] == pytest.approx(10.0)
    some = parse_expression("#{a} + #{b}").evaluate_arrays(
        {"a": np.array([1.0, np.nan, np.nan]), "b": np.array([2.0, 3.0, np.nan])},
        missing="skip_if_all_missing",
    )
    assert some[0] == 3.0
    assert some[1] == 3.0
    assert np.isnan(some[2])


# -- property: random expressions evaluate to the exact value computed alongside ------------
CODES = ("a", "b", "c", "d")


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> tuple[str, object]:
    """(text, value as a Fraction of the values a=2, b=3, c=5, d=7), or None on division by 0."""
    values = {"a": Fraction(2), "b": Fraction(3), "c": Fraction(5), "d": Fraction(7)}
    if depth > 3 or draw(st.booleans()):
        if draw(st.booleans()):
            code = draw(st.sampled_from(CODES))
            return f"#{{{code}}}", values[code]
        number = draw(st.integers(0, 9))
        return str(number), Fraction(number)
    if draw(st.integers(0, 5)) == 0:
        text, value = draw(expressions(depth + 1))
        return f"-({text})", None if value is None else -value  # type: ignore[operator]
    left_text, left = draw(expressions(depth + 1))
    right_text, right = draw(expressions(depth + 1))
    operator = draw(st.sampled_from("+-*/"))
    text = f"({left_text} {operator} {right_text})"
    if left is None or right is None:
        return text, None
    if operator == "+":
        return text, left + right  # type: ignore[operator]
    if operator == "-":
        return text, left - right  # type: ignore[operator]
    if operator == "*":
        return text, left * right  # type: ignore[operator]
    if right == 0:
        return text, None
    return text, left / right  # type: ignore[operator]


@given(expressions())
def test_random_expressions_evaluate_exactly(pair: tuple[str, object]) -> None:
    text, expected = pair
    result = parse_expression(text).evaluate({"a": 2, "b": 3, "c": 5, "d": 7})
    if expected is None:
        assert result.value is None
        assert result.reason == DIVISION_BY_ZERO
    else:
        assert result.value == pytest.approx(float(expected), rel=1e-9, abs=1e-9)  # type: ignore[arg-type]


@given(st.text(max_size=40))
def test_arbitrary_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        expression = parse_expression(text)
    except ExpressionError as error:
        refused = error
    else:
        refused = None
        assert all(code in text for code in expression.codes)
        result = expression.evaluate(dict.fromkeys(expression.codes, 1.0))
        assert (result.value is None) == (result.reason is not None)
    if refused is not None:
        assert refused.message
