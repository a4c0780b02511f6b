"""SQL text for ClickHouse without pasting values into it: identifiers are quoted (and
checked against the table's columns by the caller), every value is a query parameter
`{name:Type}` whose text travels apart from the SQL (HTTP `param_name=`, chdb params)."""

from __future__ import annotations

import math

from funnelctl.io.edges import EDGES

_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0",
            "\b": "\\b", "\f": "\\f"}


def quote_identifier(name: str) -> str:
    """A column or table name as a ClickHouse identifier: backquoted, escapes doubled."""
    text = "".join(_ESCAPES.get(ch, ch) for ch in name).replace("`", "\\`")
    return f"`{text}`"


def quote_table(name: str) -> str:
    """`table` or `database`.`table` (a name with one dot is database.table)."""
    return ".".join(quote_identifier(part) for part in name.split(".", 1))


def escaped_text(value: str) -> str:
    """A String parameter's value in ClickHouse's escaped text format (as sent)."""
    return "".join(_ESCAPES.get(ch, ch) for ch in value)


# EDGES as a regular-expression class, each character as re2's \x{...} code point (the
# backslash doubled for the string literal): ClickHouse's trimBoth trims ASCII spaces only.
_EDGE_CLASS = "[" + "".join(f"\\\\x{{{ord(ch):x}}}" for ch in EDGES) + "]"


def trimmed_sql(text: str) -> str:
    """The text expression `text` without EDGES at its ends: io/values.trimmed in SQL.
    A value whose first and last bytes are printable ASCII (no EDGES character is) is
    kept without the regular expression: ids and timestamps mostly are (over 10M ASCII
    ids in chdb: the expression alone +0.65 s, with the check +0.35 s, trimBoth +0.05 s)."""
    printable = (f"substring({text}, 1, 1) BETWEEN '!' AND '~' "
                 f"AND substring({text}, -1, 1) BETWEEN '!' AND '~'")
    return (f"if({printable}, {text}, "
            f"replaceRegexpAll({text}, '^{_EDGE_CLASS}+|{_EDGE_CLASS}+$', ''))")


def array_text(values: list[str]) -> str:
    """An Array(String) parameter's value: a quoted literal list, every quote escaped."""
    items = ("'" + escaped_text(v).replace("'", "\\'") + "'" for v in values)
    return "[" + ",".join(items) + "]"


class Params:
    """Collects the query parameters of one statement: bind() returns the placeholder."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def bind(self, value: object, kind: str = "String") -> str:
        name = f"p{len(self.values)}"
        if kind == "Array(String)":
            text = array_text([str(v) for v in value])  # type: ignore[union-attr]
        elif kind == "String":
            text = escaped_text(str(value))
        elif kind == "Float64":
            number = float(value)  # type: ignore[arg-type]
            if not math.isfinite(number):
                raise ValueError(f"not a finite number: {value!r}")
            text = repr(number)
        else:  # integer kinds
            text = str(int(value))  # type: ignore[call-overload]
        self.values[name] = text
        return f"{{{name}:{kind}}}"


def linear(q: float, values: str = "cycles") -> str:
    """The q-quantile of a sorted array (no nulls) with Polars' linear interpolation, in
    the same float steps (h = (n - 1) * q; x[floor] + (x[ceil] - x[floor]) * (h - floor h))."""
    h = f"((length({values}) - 1) * {q!r})"
    low = f"{values}[toUInt64(floor({h})) + 1]"
    high = f"{values}[toUInt64(ceil({h})) + 1]"
    return f"if(empty({values}), NULL, {low} + ({high} - {low}) * ({h} - floor({h})))"
