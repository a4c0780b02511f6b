"""Config pieces of event funnels: `window:` / `within:` durations, `where:` filters and
`exclude:` steps (the checks that need the sources' kinds are in references.py)."""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pydantic import Field, ValidationError, field_validator, model_validator

from funnelctl.config.base import Model

PropertyValue = str | int | float | bool
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_SECONDS = 2**64 - 1  # windowFunnel's window is a UInt64 count of DateTime seconds
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
# How an event funnel's steps must follow each other (README: "Order modes"): one mode,
# or a list of ClickHouse's windowFunnel modes that combine (as its parameters do).
ClickHouseMode = Literal["strict_increase", "strict_order", "strict_deduplication",
                         "allow_reentry"]
OrderMode = Literal["default", "strict_order", "strict_deduplication", "strict_increase",
                    "allow_reentry", "distinct_events", "unordered"]
# `trend:` of an event funnel: the cohort period of the step-1 event (weeks from Monday).
TrendPeriod = Literal["day", "week", "month"]
Order = OrderMode | list[ClickHouseMode]


def order_modes(order: Order) -> frozenset[str]:
    """The set of ClickHouse modes (or the one other mode) an `order:` means;
    `allow_reentry` is ClickHouse's strict_order + allow_reentry."""
    modes = set(order if isinstance(order, list) else [order]) - {"default"}
    if "allow_reentry" in modes:
        modes.add("strict_order")
    return frozenset(modes)


def order_check(order: Any) -> Any:
    """One clear message for an `order:` that is no mode (before the type's checks)."""
    modes, combining = get_args(OrderMode), get_args(ClickHouseMode)
    if isinstance(order, list):
        if not order:
            raise ValueError("an empty list; give a mode, e.g. order: strict_order, or "
                             "ClickHouse modes to combine, e.g. [strict_order, "
                             "strict_deduplication]")
        wrong = [m for m in order if m not in combining]
        if wrong:
            raise ValueError(f"'{wrong[0]}' cannot be combined: a list combines ClickHouse's "
                             f"windowFunnel modes ({', '.join(combining)})")
        if len(set(order)) < len(order):
            raise ValueError(f"[{', '.join(order)}] names a mode twice")
    elif order not in modes:
        raise ValueError(f"'{order}' is no order mode; expected one of {', '.join(modes)}, "
                         "or a list of ClickHouse modes to combine")
    return order


def parse_duration(text: str) -> int:
    """'30m', '36h', '7d' -> seconds."""
    found = _DURATION.match(str(text))
    if not found or int(found[1]) == 0:
        raise ValueError(f"'{text}' is not a duration: expected a positive whole number and a "
                         "unit, e.g. 30m, 36h, 7d (units: s, m, h, d, w)")
    seconds = int(found[1]) * DURATION_UNITS[found[2]]
    if seconds > MAX_SECONDS:
        raise ValueError(f"'{text}' is longer than ClickHouse's windowFunnel allows "
                         f"({MAX_SECONDS} seconds, about 584 billion years)")
    return seconds


def duration_text(v: Any) -> str | None:
    """A config duration checked, as text (`window: 7` is a number in YAML: same message)."""
    if v is None:
        return None
    parse_duration(str(v))
    return str(v)


class Operators(Model):
    """One property's test: every operator given must hold (AND)."""

    eq: PropertyValue | None = Field(default=None, alias="=")
    ne: PropertyValue | None = Field(default=None, alias="!=")
    not_: PropertyValue | None = Field(default=None, alias="not")
    in_: list[PropertyValue] | None = Field(default=None, alias="in")
    not_in: list[PropertyValue] | None = Field(default=None, alias="not in")
    present: bool | None = None
    absent: bool | None = None
    contains: str | None = None  # case-insensitive, taken literally
    regex: str | None = None
    gt: float | None = Field(default=None, alias=">")
    ge: float | None = Field(default=None, alias=">=")
    lt: float | None = Field(default=None, alias="<")
    le: float | None = Field(default=None, alias="<=")

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            import polars as pl

            try:
                pl.Series([""]).str.contains(v)
            except pl.exceptions.PolarsError as exc:
                raise ValueError(f"regex '{v}' does not compile: "
                                 f"{str(exc).splitlines()[-1].strip()}") from None
        return v

    @model_validator(mode="after")
    def _something(self) -> Operators:
        if not self.model_fields_set:
            raise ValueError("an empty test: give an operator, e.g. {'!=': x}, {in: [a, b]}, "
                             "{present: true}, {contains: text}, {'>=': 10}")
        return self

    def given(self) -> dict[str, Any]:
        """operator (as written in the config) -> operand, for the operators set."""
        return {type(self).model_fields[name].alias or name: getattr(self, name)
                for name in self.model_fields_set}


# A property's test: a value (equals), a list (any of them) or operators.
Condition = PropertyValue | list[PropertyValue] | Operators
# where: one mapping (every property must match) or a list of them (any alternative).
Where = dict[str, Condition] | list[dict[str, Condition]]


def where_before(v: Any) -> Any:
    """Check operator mappings first, so an unknown operator is one clear message."""
    for alternative in v if isinstance(v, list) else [v]:
        if not isinstance(alternative, dict):
            raise ValueError("where: expected a mapping of property: test, or a list of "
                             "such mappings (any of them)")
        for column, test in alternative.items():
            if isinstance(test, dict):
                _check_operators(column, test)
    return v


def _check_operators(column: str, test: dict) -> None:
    known = sorted(f.alias or n for n, f in Operators.model_fields.items())
    unknown = [k for k in test if k not in known]
    if unknown:
        raise ValueError(f"where.{column}: unknown operator '{unknown[0]}' "
                         f"(expected one of: {', '.join(known)})")
    try:
        Operators.model_validate(test)
    except ValidationError as exc:  # one message, not one per shape `where` may take
        error = exc.errors()[0]
        at = ".".join(str(p) for p in (column, *error["loc"]))
        message = error["msg"].removeprefix("Value error, ")
        raise ValueError(f"where.{at}: {message}") from None


def alternatives(where: Where) -> list[dict[str, Condition]]:
    return where if isinstance(where, list) else [where] if where else []


def where_columns(where: Where) -> set[str]:
    return {column for alternative in alternatives(where) for column in alternative}
