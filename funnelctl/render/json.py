"""The JSON report contract (schema_version 1): field names are a public interface."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from funnelctl.render import RenderOptions
from funnelctl.report import Report

# orjson writes the report's own types itself, in C: dataclasses as objects in field
# order, dates as ISO text, NaN and inf (not JSON) as null, str/int/list/dict subclasses
# as their base type. A norms report has one entry per manager-day (tens of thousands of
# values), and walking it in Python first cost more than writing the text.
# Non-str keys (an int, a date) become text, as the standard library's json does for ints.
_COMPACT = orjson.OPT_NON_STR_KEYS
_PRETTY = _COMPACT | orjson.OPT_INDENT_2


def _other(value: Any) -> Any:
    """What orjson leaves to the caller: float, date and tuple subclasses (a numpy float,
    a namedtuple); anything else is an error, as with the standard library."""
    if isinstance(value, float):
        return float(value)  # orjson writes NaN and inf as null
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def render_bytes(report: Report, options: RenderOptions | None = None) -> bytes:
    """The report as orjson writes it, UTF-8: what the CLI writes to a file or standard
    output as it is, never decoded and encoded again. Indented (2 spaces) for a person at
    a terminal; compact for files and pipes."""
    pretty = options is not None and options.color
    return orjson.dumps(report, default=_other, option=_PRETTY if pretty else _COMPACT) + b"\n"


def render(report: Report, options: RenderOptions | None = None) -> str:
    """render_bytes as text, for a caller that wants a str (the renderer interface)."""
    return render_bytes(report, options).decode()

