"""A small GAQL parser: SELECT fields FROM resource [WHERE ...] [ORDER BY ...] [LIMIT n].

Conditions are joined by AND and take the forms the app and most reports use:
`field = v`, `!=`, `>`, `>=`, `<`, `<=`, `field IN (v, ...)`, `field NOT IN (...)`,
`field BETWEEN 'a' AND 'b'` and `segments.date DURING LAST_7_DAYS` (and friends). Values are
quoted strings, numbers or enum names. Anything else is a QueryError, as Google would answer.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

Value = str | int | float

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op>!=|>=|<=|=|>|<|\(|\)|,)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
DURINGS = {
    "TODAY": (0, 0),
    "YESTERDAY": (1, 1),
    "LAST_7_DAYS": (7, 1),
    "LAST_14_DAYS": (14, 1),
    "LAST_30_DAYS": (30, 1),
}


class QueryError(ValueError):
    """The query is not valid GAQL (or uses what the sandbox does not serve)."""


@dataclass(frozen=True)
class Condition:
    """One WHERE condition: `field op values`."""

    field: str
    op: str  # = != > >= < <= IN NOT_IN BETWEEN
    values: tuple[Value, ...]

    def holds(self, actual: Value) -> bool:
        """Say whether a row's value satisfies the condition."""
        first = self.values[0]
        checks = {
            "=": lambda: actual == first,
            "!=": lambda: actual != first,
            ">": lambda: actual > first,  # type: ignore[operator]
            ">=": lambda: actual >= first,  # type: ignore[operator]
            "<": lambda: actual < first,  # type: ignore[operator]
            "<=": lambda: actual <= first,  # type: ignore[operator]
            "IN": lambda: actual in self.values,
            "NOT_IN": lambda: actual not in self.values,
            "BETWEEN": lambda: first <= actual <= self.values[1],  # type: ignore[operator]
        }
        check: Any = checks[self.op]
        return bool(check())


@dataclass(frozen=True)
class Query:
    """A parsed GAQL query."""

    fields: tuple[str, ...]
    resource: str
    where: tuple[Condition, ...]
    order_by: tuple[tuple[str, bool], ...]  # (field, descending)
    limit: int | None

    def date_range(self) -> tuple[date, date] | None:
        """Return the segments.date range the query is limited to, if any."""
        for cond in self.where:
            if cond.field == "segments.date" and cond.op == "BETWEEN":
                return _day(cond.values[0]), _day(cond.values[1])
            if cond.field == "segments.date" and cond.op == "=":
                return _day(cond.values[0]), _day(cond.values[0])
        return None


def parse(text: str, *, today: date) -> Query:
    """Parse a GAQL query; DURING ranges are resolved against `today`."""
    tokens = _Tokens(_tokenize(text))
    tokens.keyword("SELECT")
    fields = _fields(tokens)
    tokens.keyword("FROM")
    resource = tokens.word()
    where = _where(tokens, today) if tokens.accept("WHERE") else ()
    order = _order(tokens) if tokens.accept("ORDER") else ()
    limit = _limit(tokens) if tokens.accept("LIMIT") else None
    if not tokens.done():
        raise QueryError(f"unexpected input near {tokens.peek()!r}")
    if "segments.date" in fields and where and not any(c.field == "segments.date" for c in where):
        raise QueryError("segments.date in SELECT needs a finite date range in WHERE")
    return Query(tuple(fields), resource, where, order, limit)


def _tokenize(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"unexpected character at {position}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return found


class _Tokens:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.at = tokens, 0

    def peek(self) -> str:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else ""

    def done(self) -> bool:
        return self.at >= len(self.tokens)

    def take(self) -> tuple[str, str]:
        if self.done():
            raise QueryError("unexpected end of query")
        self.at += 1
        return self.tokens[self.at - 1]

    def accept(self, word: str) -> bool:
        if self.peek().upper() == word:
            self.at += 1
            return True
        return False

    def keyword(self, word: str) -> None:
        if not self.accept(word):
            raise QueryError(f"expected {word}")

    def word(self) -> str:
        kind, text = self.take()
        if kind != "word":
            raise QueryError(f"expected a name, got {text!r}")
        return text

    def value(self) -> Value:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1]
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "word":
            return text
        raise QueryError(f"expected a value, got {text!r}")


def _fields(tokens: _Tokens) -> list[str]:
    fields = [tokens.word()]
    while tokens.accept(","):
        fields.append(tokens.word())
    return fields


def _where(tokens: _Tokens, today: date) -> tuple[Condition, ...]:
    conditions = [_condition(tokens, today)]
    while tokens.accept("AND"):
        conditions.append(_condition(tokens, today))
    return tuple(conditions)


def _condition(tokens: _Tokens, today: date) -> Condition:
    field = tokens.word()
    op = tokens.take()[1].upper()
    if op in ("=", "!=", ">", ">=", "<", "<="):
        return Condition(field, op, (tokens.value(),))
    if op == "BETWEEN":
        low = tokens.value()
        tokens.keyword("AND")
        return Condition(field, "BETWEEN", (low, tokens.value()))
    if op == "DURING":
        return _during(field, tokens.word().upper(), today)
    if op == "NOT":
        tokens.keyword("IN")
        return Condition(field, "NOT_IN", _list(tokens))
    if op == "IN":
        return Condition(field, "IN", _list(tokens))
    raise QueryError(f"unsupported operator {op}")


def _during(field: str, name: str, today: date) -> Condition:
    if name not in DURINGS:
        raise QueryError(f"unsupported date range {name}")
    back, end = DURINGS[name]
    first, last = today - timedelta(days=back), today - timedelta(days=end)
    return Condition(field, "BETWEEN", (first.isoformat(), last.isoformat()))


def _list(tokens: _Tokens) -> tuple[Value, ...]:
    tokens.keyword("(")
    values = [tokens.value()]
    while tokens.accept(","):
        values.append(tokens.value())
    tokens.keyword(")")
    return tuple(values)


def _order(tokens: _Tokens) -> tuple[tuple[str, bool], ...]:
    tokens.keyword("BY")
    order = [_one_order(tokens)]
    while tokens.accept(","):
        order.append(_one_order(tokens))
    return tuple(order)


def _one_order(tokens: _Tokens) -> tuple[str, bool]:
    field = tokens.word()
    if tokens.accept("DESC"):
        return field, True
    tokens.accept("ASC")
    return field, False


def _limit(tokens: _Tokens) -> int:
    value = tokens.value()
    if not isinstance(value, int) or value <= 0:
        raise QueryError("LIMIT takes a positive whole number")
    return value


def _day(value: Value) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise QueryError(f"not a date: {value!r}") from None
