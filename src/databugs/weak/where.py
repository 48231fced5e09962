"""``where:`` conditions of YAML rules, read by a parser of their own so that a rules file can
never run code: a condition compares columns with values and joins the comparisons with
``and``/``or``/``not``, and nothing else (no names but columns, no calls, no attributes, no
``@`` variables). It is evaluated here, column by column, never by ``eval`` or pandas' query.

The spelling is pandas' query's, so that rules written for it keep their meaning::

    condition  := all ( ("or" | "|") all )*
    all        := negation ( ("and" | "&") negation )*
    negation   := ("not" | "~") negation | comparison
    comparison := operand ( OP operand )*      OP: == != < <= > >= in, not in (chained: a < b < c)
    operand    := column | `column name` | value | [values] | (values,) | ( condition )
    value      := number | -number | 'text' | "text" | True | False | None

``== [a, b]`` and ``in [a, b]`` mean "one of"; ``!=`` and ``not in`` the opposite.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from databugs.text import columns_hint

ALLOWED = (
    "where: takes columns compared with values (== != < <= > >= in, not in) joined by "
    "and/or/not; code belongs in a .py rules file"
)
MAX_DEPTH = 50
TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<text>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<quoted>`[^`]+`)
    | (?P<word>[^\W\d]\w*)
    | (?P<symbol>==|!=|<=|>=|<|>|&|\||~|\(|\)|\[|\]|,|-)
    )""",
    re.VERBOSE,
)
CONSTANTS = {"True": True, "False": False, "None": None}
KEYWORDS = {"and", "or", "not", "in"}
ORDER = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class WhereError(ValueError):
    """A condition that is not one; the message says what, ``hint`` how to fix it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Token:
    kind: str  # number, text, column, keyword, constant, symbol, end
    value: Any
    at: int


@dataclass(frozen=True)
class Condition:
    """A parsed condition: :meth:`matches` says which rows of a table meet it."""

    tree: tuple

    def matches(self, frame: pd.DataFrame) -> np.ndarray:
        """True for each row meeting the condition. A missing value is unequal to every value
        and in no order with any, as pandas' query had it: ``country != 'FR'`` matches it."""
        try:
            result = _truth(_evaluate(self.tree, frame), frame)
        except WhereError:
            raise
        except (TypeError, ValueError) as error:  # e.g. '<' between text and a number
            raise WhereError(f"cannot be evaluated ({error})") from None
        return result.fillna(False).to_numpy(dtype=bool)


def parse_where(text: str, columns: Sequence[Any]) -> Condition:
    """The condition ``text`` says, over a table with these ``columns``; :class:`WhereError` for
    anything else, an unknown column included."""
    parser = _Parser(_tokens(text), columns)
    tree = parser.condition()
    if parser.peek().kind != "end":
        parser.unexpected()
    return Condition(tree)


def _tokens(text: str) -> list[Token]:
    tokens, position = [], 0
    while text[position:].strip():
        found = TOKEN.match(text, position)
        if not found:
            start = len(text) - len(text[position:].lstrip())
            raise WhereError(f"unexpected {text[start]!r} at character {start + 1}", ALLOWED)
        tokens.append(
            _token(found.lastgroup, found.group(found.lastgroup), found.start(found.lastgroup))
        )
        position = found.end()
    return [*tokens, Token("end", None, len(text))]


def _token(kind: str, value: str, at: int) -> Token:
    if kind == "number":
        return Token("number", int(value) if value.isdigit() else float(value), at)
    if kind == "text":
        return Token("text", _text(value, at), at)
    if kind == "quoted":
        return Token("column", value[1:-1], at)
    if kind == "word" and value in KEYWORDS:
        return Token("keyword", value, at)
    if kind == "word" and value in CONSTANTS:
        return Token("constant", CONSTANTS[value], at)
    return Token("column" if kind == "word" else "symbol", value, at)


def _text(literal: str, at: int) -> str:
    """A quoted string's text, escapes read as Python reads them (a literal, nothing more)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # '\\d' and the like: kept as written
            return ast.literal_eval(literal)
    except (SyntaxError, ValueError) as error:
        raise WhereError(f"bad text at character {at + 1} ({error.msg})", ALLOWED) from None


class _Parser:
    """Recursive descent over the tokens; each method reads one rule of the grammar."""

    def __init__(self, tokens: list[Token], columns: Sequence[Any]) -> None:
        self.tokens, self.position, self.depth = tokens, 0, 0
        self.columns = {str(column): column for column in columns}  # as written: as in the table

    def peek(self) -> Token:
        return self.tokens[self.position]

    def take(self) -> Token:
        self.position += 1
        return self.tokens[self.position - 1]

    def at(self, *values: str) -> bool:
        token = self.peek()
        return token.kind in ("keyword", "symbol") and token.value in values

    def unexpected(self) -> NoReturn:
        token = self.peek()
        if token.kind == "end":
            raise WhereError("ends too early", ALLOWED)
        raise WhereError(f"unexpected {token.value!r} at character {token.at + 1}", ALLOWED)

    def expect(self, symbol: str) -> None:
        if not self.at(symbol):
            self.unexpected()
        self.take()

    def condition(self) -> tuple:
        parts = [self.all()]
        while self.at("or", "|"):
            self.take()
            parts.append(self.all())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def all(self) -> tuple:
        parts = [self.negation()]
        while self.at("and", "&"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def negation(self) -> tuple:
        if not self.at("not", "~"):
            return self.comparison()
        self.take()
        with _Nested(self):
            return ("not", self.negation())

    def comparison(self) -> tuple:
        operands, operators = [self.operand()], []
        while (found := self.operator()) is not None:
            operators.append(found)
            operands.append(self.operand())
        return operands[0] if not operators else ("compare", operands, operators)

    def operator(self) -> str | None:
        if self.at(*ORDER, "in"):
            return self.take().value
        if self.at("not") and self.tokens[self.position + 1].value == "in":
            self.position += 2
            return "not in"
        return None

    def operand(self) -> tuple:
        token = self.peek()
        if token.kind == "column":
            self.take()
            return ("column", self.column(token.value))
        if self.at("["):
            self.take()
            return ("values", self.values("]"))
        if self.at("("):
            return self.parenthesised()
        return ("value", self.value())

    def column(self, name: str) -> Any:
        if name not in self.columns:
            raise WhereError(f"no column {name!r}", columns_hint(name, self.columns))
        return self.columns[name]

    def parenthesised(self) -> tuple:
        self.take()
        with _Nested(self):
            inner = self.condition()
        if self.at(",") and inner[0] == "value":  # a tuple of values: ('FR', 'DE')
            self.take()
            return ("values", (inner[1], *self.values(")")))
        self.expect(")")
        return inner

    def values(self, closing: str) -> tuple:
        values = []
        while not self.at(closing):
            values.append(self.value())
            if not self.at(closing):
                self.expect(",")
        self.take()
        return tuple(values)

    def value(self) -> Any:
        negative = self.at("-")
        if negative:
            self.take()
        token = self.peek()
        if token.kind == "number" or (not negative and token.kind in ("text", "constant")):
            self.take()
            return -token.value if negative else token.value
        self.unexpected()


class _Nested:
    """Counts parentheses and ``not`` on the way in, so that nesting stays bounded."""

    def __init__(self, parser: _Parser) -> None:
        self.parser = parser

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise WhereError(f"nested more than {MAX_DEPTH} deep")

    def __exit__(self, *exception: object) -> None:
        self.parser.depth -= 1


def _evaluate(tree: tuple, frame: pd.DataFrame) -> Any:
    """A column (Series), a value, a tuple of values, or true/false per row (Series)."""
    kind = tree[0]
    if kind == "column":
        return frame[tree[1]]
    if kind in ("value", "values"):
        return tree[1]
    if kind == "not":
        return ~_truth(_evaluate(tree[1], frame), frame)
    if kind in ("and", "or"):
        parts = [_truth(_evaluate(part, frame), frame) for part in tree[1]]
        return functools.reduce(operator.and_ if kind == "and" else operator.or_, parts)
    operands = [_evaluate(operand, frame) for operand in tree[1]]
    pairs = zip(operands, tree[2], operands[1:], strict=False)
    results = [_truth(_compare(left, op, right), frame) for left, op, right in pairs]
    return functools.reduce(operator.and_, results)  # a < b < c: a < b and b < c


def _compare(left: Any, op: str, right: Any) -> Any:
    """One comparison; a tuple on the right of ==, !=, in, not in means "one of"."""
    if op in ("in", "not in") and not isinstance(right, tuple):
        right = (right,)
    if isinstance(left, tuple) or (
        isinstance(right, tuple) and op not in ("==", "!=", "in", "not in")
    ):
        raise WhereError(f"a list of values can only follow ==, !=, in or not in ({op} here)")
    if isinstance(right, tuple):
        if not isinstance(left, pd.Series):
            raise WhereError("a list of values needs a column on its left")
        found = left.isin(right)
        return ~found if op in ("!=", "not in") else found
    result = ORDER[op](left, right)
    if not isinstance(result, pd.Series):
        return result
    return result.fillna(op == "!=").astype(bool)  # missing: unequal to all, in no order


def _truth(value: Any, frame: pd.DataFrame) -> pd.Series:
    """``value`` as true/false per row: a true/false column or result, or True/False."""
    if isinstance(value, bool | np.bool_):
        return pd.Series(bool(value), index=frame.index)
    if isinstance(value, pd.Series) and pd.api.types.is_bool_dtype(value.dtype):
        return value
    name = f"column {value.name!r}" if isinstance(value, pd.Series) else repr(value)
    raise WhereError(f"{name} is not true/false", "compare it: amount > 10000, country == 'FR'")
