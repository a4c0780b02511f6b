"""The JSON report contract (schema_version 1): field names are a public interface."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from funnelctl.render import RenderOptions
from funnelctl.report import Report


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _finite(value: Any) -> Any:
    """NaN/inf are not JSON: write null instead."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def render(report: Report, options: RenderOptions | None = None) -> str:
    """Indented for a person at a terminal; compact for files and pipes, where the C
    encoder writes a large norms report (one entry per manager-day) about 4x faster."""
    pretty = options is not None and options.color
    return json.dumps(_finite(report.to_dict()), default=_default, ensure_ascii=False,
                      indent=2 if pretty else None) + "\n"
