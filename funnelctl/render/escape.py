"""Data values shown as text in every renderer, never acted on.

Names, stage values, segment values, file paths and finding messages come from files
other systems wrote. Before a report is rendered as a table, Markdown or HTML, every
string in it has its control characters (ESC, BEL, CSI, ...) and bidi overrides replaced
by visible escapes (`\\x1b`, `\\u202e`), so a value cannot clear a screen, set a
terminal's title or reverse the text around it. Markup is each renderer's own business:
the terminal console parses no rich markup at all, Markdown escapes its metacharacters
(markdown_tables.esc), HTML autoescapes (Jinja2). JSON keeps the values exactly: it is
data for programs, and its encoder escapes controls itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, is_dataclass, replace
from typing import TypeVar

from funnelctl.errors import visible

__all__ = ["for_display", "visible"]

T = TypeVar("T")
_NO_TEXT = (int, float, bool, type(None), dt.date, dt.datetime)
_INIT_FIELDS: dict[type, list[str]] = {}


def for_display(value: T) -> T:
    """A report (or any part of it) with every string made visible: a part with nothing
    to escape is returned as it is, not copied (a norms report has one object per
    manager-day, and copying each cost more than drawing the tables)."""
    kind = type(value)
    if kind is str:
        shown = visible(value)  # type: ignore[arg-type]
        return value if shown == value else shown  # type: ignore[return-value]
    if kind in _NO_TEXT:
        return value
    names = _INIT_FIELDS.get(kind)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _INIT_FIELDS[kind] = [f.name for f in fields(value) if f.init]
    if names is not None:
        old = [getattr(value, name) for name in names]
        new = [for_display(item) for item in old]
        if _same(old, new):
            return value
        return replace(value, **dict(zip(names, new)))  # type: ignore[type-var]
    if isinstance(value, str):
        return visible(value)  # type: ignore[return-value]
    if isinstance(value, (list, tuple)):
        items = [for_display(item) for item in value]
        if _same(value, items):
            return value
        return items if isinstance(value, list) else tuple(items)  # type: ignore
    if isinstance(value, dict):
        pairs = [(for_display(k), for_display(v)) for k, v in value.items()]
        if all(k is a and v is b for (k, v), (a, b) in zip(value.items(), pairs)):
            return value
        return dict(pairs)  # type: ignore[return-value]
    return value


def _same(old, new) -> bool:
    return all(a is b for a, b in zip(old, new))
