"""Numerator and denominator expressions over data-element codes (DHIS2 style, never ``eval``).

Grammar (a small tokenizer and a recursive-descent parser)::

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := ("+" | "-") factor | NUMBER | "#{" CODE "}" | "(" expression ")"
    CODE       := letters, digits, "_" and "." (e.g. ``ELDERLY_BEDS``, ``beds``, ``de.coc``)

Examples: ``#{beds} * 1000 / #{elderly60}``, ``#{ELDERLY_BEDS} + #{PRIVATE_BEDS}``.

Evaluation takes the values of the referenced codes (``None`` = not reported). What a missing
value does is explicit (:class:`MissingValueStrategy`, the three strategies of DHIS2); a division
by zero gives no value with the reason ``division_by_zero`` instead of an exception, so one bad
unit does not stop a roll-up or a dashboard.

An indicator (:class:`IndicatorFormula`) is ``factor × numerator / denominator`` where the
factor follows the indicator's kind (percentage 100, per thousand 1,000, per ten thousand
10,000, count / amount / index 1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from .errors import ExpressionError

MAX_LENGTH = 2000
MAX_DEPTH = 50

MISSING_VALUE = "missing_value"  # a referenced data element has no value
DIVISION_BY_ZERO = "division_by_zero"  # a divisor (or the denominator) is 0

_CODE = re.compile(r"[A-Za-z0-9_.]+")
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class MissingValueStrategy(StrEnum):
    """What a missing value of a referenced data element does (as DHIS2's indicators)."""

    SKIP_IF_ANY_MISSING = "skip_if_any_missing"  # no value if any referenced value is missing
    SKIP_IF_ALL_MISSING = "skip_if_all_missing"  # missing count as 0 unless all are missing
    NEVER_SKIP = "never_skip"  # missing always count as 0


# Multipliers by indicator kind (Indicator.kind in the models uses these strings).
FACTOR_BY_KIND: dict[str, float] = {
    "percentage": 100.0,
    "per_thousand": 1000.0,
    "per_ten_thousand": 10000.0,
    "count": 1.0,
    "amount": 1.0,
    "index": 1.0,
}


# -- syntax tree ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Reference:
    code: str


@dataclass(frozen=True)
class Unary:
    operator: str  # "+" or "-"
    operand: Node


@dataclass(frozen=True)
class Binary:
    operator: str  # "+", "-", "*", "/"
    left: Node
    right: Node


Node = Number | Reference | Unary | Binary


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "code", "op", "(", ")"
    text: str
    position: int  # 1-based character position, for messages


class _DivisionByZero(Exception):
    pass


# -- tokenizer ------------------------------------------------------------------------------
def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        human = position + 1
        if char.isspace():
            position += 1
            continue
        if char in "+-*/":
            tokens.append(_Token("op", char, human))
            position += 1
            continue
        if char in "()":
            tokens.append(_Token(char, char, human))
            position += 1
            continue
        if char == "#":
            if not text.startswith("#{", position):
                raise ExpressionError(
                    _("Position %(position)s: a data element is written #{CODE}.")
                    % {"position": human},
                    field="expression",
                )
            closing = text.find("}", position + 2)
            if closing < 0:
                raise ExpressionError(
                    _("Position %(position)s: the data element reference is not closed with “}”.")
                    % {"position": human},
                    field="expression",
                )
            code = text[position + 2 : closing].strip()
            if not code:
                raise ExpressionError(
                    _("Position %(position)s: the data element code is empty.")
                    % {"position": human},
                    field="expression",
                )
            if not _CODE.fullmatch(code):
                raise ExpressionError(
                    _(
                        "Position %(position)s: data element code “%(code)s” may contain only "
                        "letters, digits, “_” and “.”."
                    )
                    % {"position": human, "code": code},
                    field="expression",
                )
            tokens.append(_Token("code", code, human))
            position = closing + 1
            continue
        if match := _NUMBER.match(text, position):
            tokens.append(_Token("number", match.group(), human))
            position = match.end()
            continue
        if char.isalpha() or char == "_":
            word = re.match(r"[A-Za-z0-9_.]+", text[position:])
            name = word.group() if word else char
            raise ExpressionError(
                _(
                    "Position %(position)s: “%(name)s” is not understood; write a data element "
                    "as #{%(name)s}."
                )
                % {"position": human, "name": name},
                field="expression",
            )
        raise ExpressionError(
            _("Position %(position)s: the character “%(char)s” is not allowed.")
            % {"position": human, "char": char},
            field="expression",
        )
    return tokens


# -- parser ---------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise ExpressionError(
                _("The expression ends too early: “%(text)s” needs a value at the end.")
                % {"text": self.text.strip()},
                field="expression",
            )
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.expression(0)
        token = self.peek()
        if token is not None:
            if token.kind == ")":
                raise ExpressionError(
                    _("Position %(position)s: “)” has no matching “(”.")
                    % {"position": token.position},
                    field="expression",
                )
            raise ExpressionError(
                _("Position %(position)s: an operator is missing before “%(token)s”.")
                % {"position": token.position, "token": token.text},
                field="expression",
            )
        return node

    def expression(self, depth: int) -> Node:
        node = self.term(depth)
        while (token := self.peek()) is not None and token.kind == "op" and token.text in "+-":
            self.index += 1
            node = Binary(token.text, node, self.term(depth))
        return node

    def term(self, depth: int) -> Node:
        node = self.factor(depth)
        while (token := self.peek()) is not None and token.kind == "op" and token.text in "*/":
            self.index += 1
            node = Binary(token.text, node, self.factor(depth))
        return node

    def factor(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise ExpressionError(
                _("The expression is nested more than %(depth)s levels deep.")
                % {"depth": MAX_DEPTH},
                field="expression",
            )
        token = self.take()
        if token.kind == "op" and token.text in "+-":
            return Unary(token.text, self.factor(depth + 1))
        if token.kind == "number":
            return Number(float(token.text))
        if token.kind == "code":
            return Reference(token.text)
        if token.kind == "(":
            node = self.expression(depth + 1)
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise ExpressionError(
                    _("Position %(position)s: “(” is not closed.") % {"position": token.position},
                    field="expression",
                )
            self.index += 1
            return node
        raise ExpressionError(
            _("Position %(position)s: “%(token)s” cannot stand here; a value is expected.")
            % {"position": token.position, "token": token.text},
            field="expression",
        )


# -- results --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    """The value of an expression, or ``None`` with the reason (and the codes missing)."""

    value: float | None
    reason: str | None = None
    missing: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "reason": self.reason, "missing": list(self.missing)}


def _is_missing(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its text, the data-element codes it uses, and its tree."""

    text: str
    tree: Node
    codes: tuple[str, ...]

    def evaluate(
        self,
        values: Mapping[str, float | None],
        *,
        missing: MissingValueStrategy | str = MissingValueStrategy.SKIP_IF_ANY_MISSING,
    ) -> Evaluation:
        strategy = MissingValueStrategy(missing)
        absent = tuple(code for code in self.codes if _is_missing(values.get(code)))
        skip = strategy is MissingValueStrategy.SKIP_IF_ANY_MISSING or (
            strategy is MissingValueStrategy.SKIP_IF_ALL_MISSING and len(absent) == len(self.codes)
        )
        if absent and skip:
            return Evaluation(None, MISSING_VALUE, absent)
        resolved = {
            code: 0.0 if code in absent else float(values[code])  # type: ignore[arg-type]
            for code in self.codes
        }
        try:
            value = _evaluate(self.tree, resolved)
        except _DivisionByZero:
            return Evaluation(None, DIVISION_BY_ZERO, absent)
        return Evaluation(value, None, absent)

    def evaluate_arrays(
        self,
        arrays: Mapping[str, np.ndarray],
        *,
        missing: MissingValueStrategy | str = MissingValueStrategy.SKIP_IF_ANY_MISSING,
    ) -> np.ndarray:
        """Evaluate element-wise over arrays of one shape (NaN = missing or division by zero)."""
        strategy = MissingValueStrategy(missing)
        if not self.codes:
            return np.asarray(_evaluate(self.tree, {}), dtype=float)
        stacked = [np.asarray(arrays[code], dtype=float) for code in self.codes]
        shape = np.broadcast_shapes(*(array.shape for array in stacked))
        if strategy is MissingValueStrategy.SKIP_IF_ANY_MISSING:
            resolved = dict(zip(self.codes, stacked, strict=True))
            skip = np.zeros(shape, dtype=bool)
        else:
            missing_masks = [np.isnan(array) for array in stacked]
            resolved = {
                code: np.where(mask, 0.0, array)
                for code, array, mask in zip(self.codes, stacked, missing_masks, strict=True)
            }
            if strategy is MissingValueStrategy.SKIP_IF_ALL_MISSING:
                skip = np.logical_and.reduce(np.broadcast_arrays(*missing_masks))
            else:
                skip = np.zeros(shape, dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.asarray(_evaluate_array(self.tree, resolved), dtype=float)
        result = np.broadcast_to(result, shape).copy()
        result[~np.isfinite(result)] = np.nan
        result[skip] = np.nan
        return result

    def __str__(self) -> str:
        return self.text


def _evaluate(node: Node, values: Mapping[str, float]) -> float:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Reference):
        return values[node.code]
    if isinstance(node, Unary):
        operand = _evaluate(node.operand, values)
        return -operand if node.operator == "-" else operand
    left = _evaluate(node.left, values)
    right = _evaluate(node.right, values)
    if node.operator == "+":
        return left + right
    if node.operator == "-":
        return left - right
    if node.operator == "*":
        return left * right
    if right == 0:
        raise _DivisionByZero
    return left / right


def _evaluate_array(node: Node, values: Mapping[str, Any]) -> Any:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Reference):
        return values[node.code]
    if isinstance(node, Unary):
        operand = _evaluate_array(node.operand, values)
        return -operand if node.operator == "-" else operand
    left = _evaluate_array(node.left, values)
    right = _evaluate_array(node.right, values)
    if node.operator == "+":
        return left + right
    if node.operator == "-":
        return left - right
    if node.operator == "*":
        return left * right
    return np.true_divide(left, right)


def _collect_codes(node: Node, found: dict[str, None]) -> None:
    if isinstance(node, Reference):
        found.setdefault(node.code, None)
    elif isinstance(node, Unary):
        _collect_codes(node.operand, found)
    elif isinstance(node, Binary):
        _collect_codes(node.left, found)
        _collect_codes(node.right, found)


def parse_expression(text: str) -> Expression:
    """Parse ``text``; raise :class:`ExpressionError` naming the position of the first fault."""
    if text is None or not str(text).strip():
        raise ExpressionError(_("The expression is empty."), field="expression")
    source = str(text)
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            _("The expression is longer than %(length)s characters.") % {"length": MAX_LENGTH},
            field="expression",
        )
    tree = _Parser(source, _tokenize(source)).parse()
    found: dict[str, None] = {}
    _collect_codes(tree, found)
    return Expression(text=source.strip(), tree=tree, codes=tuple(found))


def validate_expression(text: str, *, known_codes: Collection[str] | None = None) -> list[str]:
    """Messages about ``text`` (empty = valid); with ``known_codes`` unknown codes are reported."""
    try:
        expression = parse_expression(text)
    except ExpressionError as error:
        return [str(error.message)]
    if known_codes is None:
        return []
    known = set(known_codes)
    return [
        _("Unknown data element “%(code)s”.") % {"code": code}
        for code in expression.codes
        if code not in known
    ]


def referenced_codes(text: str) -> tuple[str, ...]:
    """The data-element codes ``text`` uses (raises :class:`ExpressionError` when invalid)."""
    return parse_expression(text).codes


# -- indicators -----------------------------------------------------------------------------
@dataclass(frozen=True)
class IndicatorValue:
    """An indicator's value with the numerator and denominator it was computed from."""

    value: float | None
    numerator: float | None
    denominator: float | None
    reason: str | None = None
    missing: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "reason": self.reason,
            "missing": list(self.missing),
        }


@dataclass(frozen=True)
class IndicatorFormula:
    """``factor × numerator / denominator`` (no denominator: ``factor × numerator``)."""

    numerator: Expression
    denominator: Expression | None = None
    factor: float = 1.0
    missing: MissingValueStrategy = MissingValueStrategy.SKIP_IF_ANY_MISSING

    @classmethod
    def from_texts(
        cls,
        numerator: str,
        denominator: str | None = "",
        *,
        kind: str | None = None,
        factor: float | None = None,
        missing: MissingValueStrategy | str = MissingValueStrategy.SKIP_IF_ANY_MISSING,
    ) -> IndicatorFormula:
        """Parse both expressions; the factor is given or follows ``kind`` (default 1)."""
        if factor is None:
            if kind is not None and kind not in FACTOR_BY_KIND:
                raise ExpressionError(
                    _("Unknown indicator kind “%(kind)s”.") % {"kind": kind}, field="kind"
                )
            factor = FACTOR_BY_KIND[kind] if kind else 1.0
        try:
            parsed_numerator = parse_expression(numerator)
        except ExpressionError as error:
            raise ExpressionError(
                _("Numerator: %(message)s") % {"message": error.message}, field="numerator"
            ) from None
        parsed_denominator = None
        if denominator is not None and str(denominator).strip():
            try:
                parsed_denominator = parse_expression(denominator)
            except ExpressionError as error:
                raise ExpressionError(
                    _("Denominator: %(message)s") % {"message": error.message},
                    field="denominator",
                ) from None
        return cls(
            parsed_numerator, parsed_denominator, float(factor), MissingValueStrategy(missing)
        )

    @property
    def codes(self) -> tuple[str, ...]:
        found = dict.fromkeys(self.numerator.codes)
        if self.denominator is not None:
            found.update(dict.fromkeys(self.denominator.codes))
        return tuple(found)

    def evaluate(self, values: Mapping[str, float | None]) -> IndicatorValue:
        top = self.numerator.evaluate(values, missing=self.missing)
        if self.denominator is None:
            if top.value is None:
                return IndicatorValue(None, None, None, top.reason, top.missing)
            return IndicatorValue(self.factor * top.value, top.value, None, None, top.missing)
        bottom = self.denominator.evaluate(values, missing=self.missing)
        absent = tuple(dict.fromkeys(top.missing + bottom.missing))
        if top.value is None or bottom.value is None:
            reason = top.reason if top.value is None else bottom.reason
            return IndicatorValue(None, top.value, bottom.value, reason, absent)
        if bottom.value == 0:
            return IndicatorValue(None, top.value, bottom.value, DIVISION_BY_ZERO, absent)
        return IndicatorValue(
            self.factor * top.value / bottom.value, top.value, bottom.value, None, absent
        )

    def evaluate_arrays(self, arrays: Mapping[str, np.ndarray]) -> np.ndarray:
        """Element-wise values over arrays (NaN where missing or the denominator is 0)."""
        top = self.numerator.evaluate_arrays(arrays, missing=self.missing)
        if self.denominator is None:
            return self.factor * top
        bottom = self.denominator.evaluate_arrays(arrays, missing=self.missing)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = self.factor * top / bottom
        result = np.asarray(result, dtype=float)
        result[~np.isfinite(result)] = np.nan
        return result
