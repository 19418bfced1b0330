"""CloudWatch Logs filter patterns, parsed once and matched against messages.

Three forms, as CloudWatch Logs documents them:

- terms: `ERROR`, `"exact phrase"`, `?either ?or`, `-excluded`, `%regex%`. Every plain term
  must occur in the message, at least one `?` term (when there are any), no `-` term. Terms
  are case-sensitive substrings.
- JSON: `{ $.level = "ERROR" && ($.latency > 100 || $.retry IS TRUE) }`. Selectors walk
  objects and arrays (`$.a.b[0]`); `=`/`!=` compare strings (with `*` wildcards or a
  `%regex%`) or numbers, `<`, `<=`, `>`, `>=` numbers; `IS TRUE|FALSE|NULL`, `EXISTS`,
  `NOT EXISTS`. Messages that are not JSON objects never match.
- space-delimited: `[ip, user, ..., status=4*, bytes>1000]`. The message is split on
  spaces (a `"..."` or `[...]` group is one field); `...` stands for any number of fields;
  a named field may carry conditions joined with `&&`/`||`.

`parse` refuses what it cannot read with LogPatternError (the service answers
InvalidParameterException "Invalid filter pattern").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Matcher = Callable[[str], bool]


class LogPatternError(ValueError):
    """A filter pattern that cannot be read."""


def parse(pattern: str) -> Matcher:
    """The matcher of `pattern`; an empty pattern (or `""`) matches every message."""
    text = pattern.strip()
    if not text or text == '""':
        return _always
    if text.startswith("{"):
        return _JsonParser(text).parse()
    if text.startswith("["):
        return _delimited(text)
    return _terms(text)


def _always(message: str) -> bool:
    return True


# ------------------------------------------------------------------------------- terms

_TERM = re.compile(r'\s*([?-]?)("(?:[^"\\]|\\.)*"|%(?:[^%\\]|\\.)*%|[^\s"]+)')


def _unquote(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def _term_test(token: str) -> Matcher:
    if token.startswith("%") and token.endswith("%") and len(token) >= 2:
        regex = _regex(token[1:-1])
        return lambda message: regex.search(message) is not None
    needle = _unquote(token) if token.startswith('"') else token
    return lambda message: needle in message


def _regex(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as error:
        raise LogPatternError(f"bad regular expression: {error}") from None


def _terms(text: str) -> Matcher:
    required: list[Matcher] = []
    optional: list[Matcher] = []
    excluded: list[Matcher] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        found = _TERM.match(text, position)
        if found is None:
            raise LogPatternError(f"unreadable term at {text[position:]!r}")
        sign, token = found.groups()
        if token.startswith('"') and (len(token) < 2 or not token.endswith('"')):
            raise LogPatternError("unterminated quote")
        test = _term_test(token)
        (optional if sign == "?" else excluded if sign == "-" else required).append(test)
        position = found.end()

    def matches(message: str) -> bool:
        if not all(test(message) for test in required):
            return False
        if optional and not any(test(message) for test in optional):
            return False
        return not any(test(message) for test in excluded)

    return matches


# -------------------------------------------------------------------------------- JSON

_JSON_TOKEN = re.compile(
    r"""\s*(?:
        (?P<and>&&)|(?P<or>\|\|)|(?P<open>\()|(?P<close>\))|(?P<lbrace>\{)|(?P<rbrace>\})
        |(?P<op>!=|<=|>=|=|<|>)
        |(?P<selector>\$(?:\.[A-Za-z0-9_@$-]+|\[(?:\d+|\*)\]|\.\*)*)
        |(?P<string>"(?:[^"\\]|\\.)*")
        |(?P<regex>%(?:[^%\\]|\\.)*%)
        |(?P<word>[^\s(){}&|=!<>"]+)
    )""",
    re.VERBOSE,
)

_MISSING = object()


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


class _JsonParser:
    """Recursive descent over `{ comparison (&& | ||) ... }`, && binding tighter than ||."""

    def __init__(self, text: str) -> None:
        self._tokens = self._tokenize(text)
        self._at = 0

    @staticmethod
    def _tokenize(text: str) -> list[_Token]:
        tokens: list[_Token] = []
        position = 0
        while position < len(text):
            if not text[position:].strip():
                break
            found = _JSON_TOKEN.match(text, position)
            if found is None or found.lastgroup is None:
                raise LogPatternError(f"unreadable JSON pattern at {text[position:]!r}")
            tokens.append(_Token(found.lastgroup, found.group(found.lastgroup)))
            position = found.end()
        return tokens

    def _peek(self) -> _Token | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _take(self, kind: str | None = None) -> _Token:
        token = self._peek()
        if token is None or (kind is not None and token.kind != kind):
            raise LogPatternError("incomplete JSON pattern")
        self._at += 1
        return token

    def parse(self) -> Matcher:
        self._take("lbrace")
        test = self._or()
        self._take("rbrace")
        if self._peek() is not None:
            raise LogPatternError("text after the JSON pattern")

        def matches(message: str) -> bool:
            try:
                document = json.loads(message)
            except ValueError:
                return False
            return isinstance(document, dict) and test(document)

        return matches

    def _or(self) -> Callable[[Any], bool]:
        parts = [self._and()]
        while (token := self._peek()) is not None and token.kind == "or":
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else lambda doc: any(p(doc) for p in parts)

    def _and(self) -> Callable[[Any], bool]:
        parts = [self._unit()]
        while (token := self._peek()) is not None and token.kind == "and":
            self._take()
            parts.append(self._unit())
        return parts[0] if len(parts) == 1 else lambda doc: all(p(doc) for p in parts)

    def _unit(self) -> Callable[[Any], bool]:
        token = self._peek()
        if token is not None and token.kind == "open":
            self._take()
            inner = self._or()
            self._take("close")
            return inner
        return self._comparison()

    def _comparison(self) -> Callable[[Any], bool]:
        path = _selector_path(self._take("selector").text)
        token = self._take()
        if token.kind == "word" and token.text.upper() in {"IS", "NOT", "EXISTS"}:
            return self._keyword(path, token.text.upper())
        if token.kind != "op":
            raise LogPatternError(f"expected an operator, got {token.text!r}")
        value = self._take()
        return _compare(path, token.text, value)

    def _keyword(self, path: list[str | int], first: str) -> Callable[[Any], bool]:
        if first == "EXISTS":
            return lambda doc: _select(doc, path) is not _MISSING
        if first == "NOT":
            if self._take("word").text.upper() != "EXISTS":
                raise LogPatternError("expected NOT EXISTS")
            return lambda doc: _select(doc, path) is _MISSING
        word = self._take("word").text.upper()
        if word == "TRUE":
            return lambda doc: _select(doc, path) is True
        if word == "FALSE":
            return lambda doc: _select(doc, path) is False
        if word == "NULL":
            return lambda doc: _select(doc, path) is None
        raise LogPatternError(f"unknown IS {word}")


def _selector_path(selector: str) -> list[str | int]:
    path: list[str | int] = []
    for part in re.findall(r"\.([^.\[]+)|\[(\d+|\*)\]", selector[1:]):
        name, index = part
        if name:
            path.append(name)
        elif index != "*":
            path.append(int(index))
        else:
            path.append("*")
    return path


def _select(document: Any, path: list[str | int]) -> Any:
    current = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or step >= len(current):
                return _MISSING
            current = current[step]
        elif isinstance(current, dict) and step in current:
            current = current[step]
        else:
            return _MISSING
    return current


def _wildcard(text: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(piece) for piece in text.split("*")), re.DOTALL)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


_NUMERIC = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(path: list[str | int], op: str, value: _Token) -> Callable[[Any], bool]:
    number = _number(value.text) if value.kind == "word" else None
    if number is not None:
        check = _NUMERIC[op]

        def numeric(doc: Any) -> bool:
            got = _select(doc, path)
            return isinstance(got, int | float) and not isinstance(got, bool) and check(got, number)

        return numeric
    if op not in {"=", "!="}:
        raise LogPatternError(f"{op} needs a number")
    if value.kind == "regex":
        regex = _regex(value.text[1:-1])

        def text_test(got: str) -> bool:
            return regex.search(got) is not None
    elif value.kind in {"string", "word"}:
        text = _unquote(value.text) if value.kind == "string" else value.text
        pattern = _wildcard(text)

        def text_test(got: str) -> bool:
            return pattern.fullmatch(got) is not None
    else:
        raise LogPatternError(f"unexpected {value.text!r}")
    negate = op == "!="

    def textual(doc: Any) -> bool:
        got = _select(doc, path)
        if got is _MISSING or got is None or isinstance(got, dict | list):
            return False
        rendered = json.dumps(got) if isinstance(got, bool) else str(got)
        return text_test(rendered) != negate

    return textual


# --------------------------------------------------------------------- space-delimited

_FIELD_SPLIT = re.compile(r'"[^"]*"|\[[^\]]*\]|\S+')
_CONDITION = re.compile(r"\s*(!=|<=|>=|=|<|>)\s*(.+?)\s*$")


@dataclass(frozen=True)
class _Field:
    ellipsis: bool
    test: Callable[[str], bool]


def _delimited(text: str) -> Matcher:
    if not text.endswith("]"):
        raise LogPatternError("unterminated [")
    fields = [_field(part) for part in _split_fields(text[1:-1])]

    def matches(message: str) -> bool:
        values = [_strip_group(v) for v in _FIELD_SPLIT.findall(message)]
        return _match_fields(fields, values)

    return matches


def _split_fields(body: str) -> list[str]:
    parts: list[str] = []
    current = ""
    quoted = False
    for char in body:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip() or parts:
        parts.append(current.strip())
    if any(not part for part in parts):
        raise LogPatternError("empty field in a space-delimited pattern")
    return parts


def _strip_group(value: str) -> str:
    if len(value) >= 2 and (value[0], value[-1]) in {('"', '"'), ("[", "]")}:
        return value[1:-1]
    return value


def _field(part: str) -> _Field:
    if part == "...":
        return _Field(True, lambda value: True)
    alternatives = [[_field_condition(c) for c in group.split("&&")] for group in part.split("||")]
    return _Field(False, lambda value: any(all(t(value) for t in group) for group in alternatives))


def _field_condition(text: str) -> Callable[[str], bool]:
    name_and_rest = re.match(r"\s*[A-Za-z0-9_$.-]*", text)
    rest = text[name_and_rest.end() :] if name_and_rest else text
    if not rest.strip():
        return lambda value: True  # a name alone matches any value
    found = _CONDITION.match(rest)
    if found is None:
        raise LogPatternError(f"unreadable condition {text!r}")
    op, raw = found.groups()
    number = _number(raw)
    if number is not None:
        check = _NUMERIC[op]

        def numeric(value: str) -> bool:
            got = _number(value)
            return got is not None and check(got, number)

        return numeric
    if op not in {"=", "!="}:
        raise LogPatternError(f"{op} needs a number")
    pattern = _wildcard(_unquote(raw) if raw.startswith('"') and raw.endswith('"') else raw)
    negate = op == "!="
    return lambda value: (pattern.fullmatch(value) is not None) != negate


def _match_fields(fields: list[_Field], values: list[str]) -> bool:
    if not fields:
        return not values
    first, rest = fields[0], fields[1:]
    if first.ellipsis:
        return any(_match_fields(rest, values[skip:]) for skip in range(len(values) + 1))
    return bool(values) and first.test(values[0]) and _match_fields(rest, values[1:])
