"""The JSON report contract (schema_version 1): field names are a public interface."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import fields, is_dataclass
from typing import Any

from funnelctl.render import RenderOptions
from funnelctl.report import Report

_FIELD_NAMES: dict[type, list[str]] = {}
_PLAIN = (str, int, bool, type(None))


def _default(value: Any) -> Any:
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _json_ready(value: Any) -> Any:
    """The report as JSON values, in one walk: dataclasses as dicts (field order), dates
    as ISO text, NaN/inf (not JSON) as null. Exact types are looked up first: a norms
    report has tens of thousands of values (one entry per manager-day), and the
    isinstance / is_dataclass chain on each of them cost more than writing the text."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dt.date:  # one a manager-day
        return value.isoformat()
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        return {name: _json_ready(getattr(value, name)) for name in names}
    if kind is list or kind is tuple:
        return [_json_ready(v) for v in value]
    if kind is dict:
        return {k: _json_ready(v) for k, v in value.items()}
    return _json_ready_other(value)


def _json_ready_other(value: Any) -> Any:
    """Dataclasses met for the first time, dates, and subclasses (a str enum, a numpy
    float)."""
    if is_dataclass(value) and not isinstance(value, type):
        _FIELD_NAMES[type(value)] = [f.name for f in fields(value)]
        return _json_ready(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return value


def render(report: Report, options: RenderOptions | None = None) -> str:
    """Indented for a person at a terminal; compact for files and pipes, where the C
    encoder writes a large norms report (one entry per manager-day) about 4x faster."""
    pretty = options is not None and options.color
    return json.dumps(_json_ready(report), default=_default, ensure_ascii=False,
                      indent=2 if pretty else None) + "\n"
