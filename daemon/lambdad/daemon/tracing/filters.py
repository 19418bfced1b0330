"""X-Ray filter expressions (GetTraceSummaries' FilterExpression): a parser for a subset.

Supported: the boolean keywords `ok`, `error`, `fault`, `throttle`, `partial` (bare, negated
with `!`/`NOT`, or compared `= true`/`!= false`); the number keywords `responsetime`,
`duration` and `http.status` with `= != < <= > >=`; the string keywords `http.url`,
`http.method`, `http.useragent`, `http.clientip` with `= != CONTAINS BEGINSWITH ENDSWITH`;
`annotation.KEY` with the operators of its value's type (string, number, `true`/`false`);
`service("name")` and `service(id(name: "n", type: "T"))`; combined with `AND`/`&&`,
`OR`/`||`, `NOT`/`!`, parentheses and juxtaposition (`ok !partial` is `ok AND !partial`).

Anything else (`edge`, `user`, `rootcause.*`, scoped `{ }` filters, ...) is refused with a
FilterError naming it, so an unsupported expression never silently matches every trace.
A keyword the trace does not carry (no `http` on its entry segment, no such annotation)
never matches, with either `=` or `!=`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambdad.daemon.tracing.store import TraceSummary

AnnotationValue = str | float | bool

BOOLEAN_KEYWORDS = ("ok", "error", "fault", "throttle", "partial")
NUMBER_KEYWORDS = ("responsetime", "duration", "http.status")
STRING_KEYWORDS = ("http.url", "http.method", "http.useragent", "http.clientip")
NUMBER_OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
STRING_OPERATORS = ("=", "!=", "CONTAINS", "BEGINSWITH", "ENDSWITH")
# Keywords of X-Ray's language this subset refuses by name (not "unknown").
_KNOWN_UNSUPPORTED = (
    "edge",
    "user",
    "groupname",
    "groupid",
    "json",
    "rootcause",
    "id",
    "service",
)


class FilterError(ValueError):
    """An expression outside the supported subset, or malformed; `str()` says which part."""


# --- tokens ----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<op>&&|\|\||<=|>=|!=|[=<>!(){}\[\],:])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # string, number, op, word, end
    text: str
    position: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text


def _tokens(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            if expression[position] == '"':
                raise FilterError(f"Unterminated string at position {position}.")
            raise FilterError(
                f"Unexpected character {expression[position]!r} at position {position}."
            )
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(expression)))
    return tokens


def _string_value(token: _Token) -> str:
    return re.sub(r"\\(.)", r"\1", token.text[1:-1])


# --- the expression tree ---------------------------------------------------------------


class Filter:
    """A parsed expression: `matches(summary)` says whether a trace is selected."""

    def matches(self, summary: TraceSummary) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class _Not(Filter):
    operand: Filter

    def matches(self, summary: TraceSummary) -> bool:
        return not self.operand.matches(summary)


@dataclass(frozen=True)
class _And(Filter):
    operands: tuple[Filter, ...]

    def matches(self, summary: TraceSummary) -> bool:
        return all(o.matches(summary) for o in self.operands)


@dataclass(frozen=True)
class _Or(Filter):
    operands: tuple[Filter, ...]

    def matches(self, summary: TraceSummary) -> bool:
        return any(o.matches(summary) for o in self.operands)


@dataclass(frozen=True)
class _Boolean(Filter):
    keyword: str
    expected: bool

    def matches(self, summary: TraceSummary) -> bool:
        return _boolean_keyword(summary, self.keyword) is self.expected


def _boolean_keyword(summary: TraceSummary, keyword: str) -> bool:
    if keyword == "ok":
        return not (summary.has_fault or summary.has_error or summary.has_throttle)
    return {
        "error": summary.has_error,
        "fault": summary.has_fault,
        "throttle": summary.has_throttle,
        "partial": summary.is_partial,
    }[keyword]


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_STRING_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "CONTAINS": lambda a, b: b in a,
    "BEGINSWITH": lambda a, b: a.startswith(b),
    "ENDSWITH": lambda a, b: a.endswith(b),
}


@dataclass(frozen=True)
class _Compare(Filter):
    keyword: str
    operator: str
    value: AnnotationValue

    def matches(self, summary: TraceSummary) -> bool:
        return any(_compare(actual, self.operator, self.value) for actual in self._values(summary))

    def _values(self, summary: TraceSummary) -> Iterator[AnnotationValue]:
        if self.keyword.startswith("annotation."):
            key = self.keyword.removeprefix("annotation.")
            yield from (value for name, value in summary.annotations if name == key)
            return
        if self.keyword == "responsetime":
            yield summary.response_time
            return
        if self.keyword == "duration":
            yield summary.duration
            return
        http = summary.http
        if http is None:
            return
        value = {
            "http.status": http.status,
            "http.url": http.url,
            "http.method": http.method,
            "http.useragent": http.user_agent,
            "http.clientip": http.client_ip,
        }[self.keyword]
        if value is not None:
            yield value


def _compare(actual: AnnotationValue, operator: str, expected: AnnotationValue) -> bool:
    # Values of another type than the expression's (a string annotation against a number)
    # do not match.
    if isinstance(expected, bool):
        if not isinstance(actual, bool):
            return False
        return (actual is expected) == (operator == "=")
    if isinstance(expected, str):
        return isinstance(actual, str) and _STRING_COMPARE[operator](actual, expected)
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        return False
    return _COMPARE[operator](float(actual), expected)


@dataclass(frozen=True)
class _Service(Filter):
    name: str | None
    type: str | None

    def matches(self, summary: TraceSummary) -> bool:
        return any(
            (self.name is None or s.name == self.name)
            and (self.type is None or s.type == self.type)
            for s in summary.service_ids
        )


# --- the parser ------------------------------------------------------------------------


class _Parser:
    def __init__(self, expression: str) -> None:
        self.tokens = _tokens(expression)
        self.index = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":  # the end token stays current once reached
            self.index += 1
        return token

    def expect(self, text: str) -> _Token:
        if self.token.kind == "op" and self.token.text == text:
            return self.advance()
        raise FilterError(
            f"Expected {text!r} at position {self.token.position}, got {self._shown()}."
        )

    def _shown(self) -> str:
        return "the end of the expression" if self.token.kind == "end" else repr(self.token.text)

    def parse(self) -> Filter:
        if self.token.kind == "end":
            raise FilterError("The filter expression is empty.")
        result = self.disjunction()
        if self.token.kind != "end":
            raise FilterError(f"Unexpected {self._shown()} at position {self.token.position}.")
        return result

    def disjunction(self) -> Filter:
        operands = [self.conjunction()]
        while self.token.upper in ("OR", "||"):
            self.advance()
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else _Or(tuple(operands))

    def conjunction(self) -> Filter:
        operands = [self.negation()]
        while True:
            if self.token.upper in ("AND", "&&"):
                self.advance()
            elif not self._starts_term():
                break
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else _And(tuple(operands))

    def _starts_term(self) -> bool:
        token = self.token
        if token.kind == "word":
            return token.upper not in ("OR", "AND")
        return token.kind == "op" and token.text in ("(", "!")

    def negation(self) -> Filter:
        if self.token.upper in ("NOT", "!"):
            self.advance()
            return _Not(self.negation())
        return self.primary()

    def primary(self) -> Filter:
        token = self.token
        if token.kind == "op" and token.text == "(":
            self.advance()
            inner = self.disjunction()
            self.expect(")")
            return inner
        if token.kind != "word":
            raise FilterError(
                f"Expected a keyword at position {token.position}, got {self._shown()}."
            )
        self.advance()
        word = token.text
        if word == "service" and self.token.text == "(":
            result = self.service()
        elif word in BOOLEAN_KEYWORDS:
            result = self.boolean(word)
        elif word in NUMBER_KEYWORDS:
            result = self.comparison(word, NUMBER_OPERATORS, "number")
        elif word in STRING_KEYWORDS:
            result = self.comparison(word, STRING_OPERATORS, "string")
        elif word.startswith("annotation.") and re.fullmatch(r"annotation\.\w+", word):
            result = self.annotation(word)
        else:
            base = word.split(".")[0]
            if base in _KNOWN_UNSUPPORTED or word.startswith("annotation"):
                raise FilterError(f"Unsupported filter expression keyword {word!r}.")
            raise FilterError(
                f"Unknown filter expression keyword {word!r} at position {token.position}."
            )
        if self.token.kind == "op" and self.token.text == "{":
            raise FilterError(
                f"Unsupported filter expression: scoped filters ('{{ ... }}' after {word!r}) "
                "are not supported."
            )
        return result

    def boolean(self, keyword: str) -> Filter:
        if self.token.kind == "op" and self.token.text in ("=", "!="):
            operator = self.advance().text
            value = self.advance()
            if value.kind != "word" or value.text not in ("true", "false"):
                raise FilterError(
                    f"{keyword!r} compares with true or false, got {value.text or 'nothing'!r}."
                )
            return _Boolean(keyword, (value.text == "true") == (operator == "="))
        return _Boolean(keyword, True)

    def comparison(self, keyword: str, operators: tuple[str, ...], kind: str) -> Filter:
        operator = self.token.upper
        if self.token.kind not in ("op", "word") or operator not in operators:
            raise FilterError(
                f"{keyword!r} takes one of {', '.join(operators)}; got {self._shown()}."
            )
        self.advance()
        value = self.advance()
        if kind == "number":
            if value.kind != "number":
                raise FilterError(
                    f"{keyword!r} compares with a number, got {value.text or 'nothing'!r}."
                )
            return _Compare(keyword, operator, _number(value))
        if value.kind != "string":
            raise FilterError(
                f"{keyword!r} compares with a quoted string, got {value.text or 'nothing'!r}."
            )
        return _Compare(keyword, operator, _string_value(value))

    def annotation(self, keyword: str) -> Filter:
        operator = self.token.upper
        if self.token.kind not in ("op", "word") or operator not in set(
            NUMBER_OPERATORS + STRING_OPERATORS
        ):
            raise FilterError(
                f'{keyword!r} needs an operator and a value (e.g. {keyword} = "x"); '
                f"got {self._shown()}."
            )
        value = self.tokens[self.index + 1]
        if value.kind == "string":
            return self.comparison(keyword, STRING_OPERATORS, "string")
        if value.kind == "number":
            return self.comparison(keyword, NUMBER_OPERATORS, "number")
        if value.kind == "word" and value.text in ("true", "false"):
            if operator not in ("=", "!="):
                raise FilterError(f"{keyword!r} compares true or false with = or != only.")
            self.index += 2
            return _Compare(keyword, operator, value.text == "true")
        raise FilterError(
            f"{keyword!r} compares with a quoted string, a number, true or false; "
            f"got {value.text or 'nothing'!r}."
        )

    def service(self) -> Filter:
        self.expect("(")
        token = self.token
        result: Filter
        if token.kind == "string":
            self.advance()
            result = _Service(_string_value(token), None)
        elif token.kind == "word" and token.text == "id":
            self.advance()
            result = self.service_id()
        else:
            raise FilterError(
                'service() takes a quoted name or id(name: "...", type: "..."); '
                f"got {self._shown()}."
            )
        self.expect(")")
        return result

    def service_id(self) -> Filter:
        self.expect("(")
        fields: dict[str, str] = {}
        while True:
            name = self.advance()
            if name.kind != "word" or name.text not in ("name", "type"):
                raise FilterError(
                    f"Unsupported id() field {name.text or 'nothing'!r}: name and type are "
                    "supported."
                )
            if name.text in fields:
                raise FilterError(f"id() field {name.text!r} is given twice.")
            self.expect(":")
            value = self.advance()
            if value.kind != "string":
                raise FilterError(f"id() field {name.text!r} takes a quoted string.")
            fields[name.text] = _string_value(value)
            if self.token.text != ",":
                break
            self.advance()
        self.expect(")")
        return _Service(fields.get("name"), fields.get("type"))


def _number(token: _Token) -> float:
    value = float(token.text)
    if not math.isfinite(value):
        raise FilterError(f"Number {token.text!r} is out of range.")
    return value


def parse(expression: str) -> Filter:
    """The filter an expression describes; raises FilterError outside the supported subset."""
    return _Parser(expression).parse()
