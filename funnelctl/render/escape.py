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

from dataclasses import fields, is_dataclass, replace
from typing import TypeVar

from funnelctl.errors import visible

__all__ = ["for_display", "visible"]

T = TypeVar("T")


def for_display(value: T) -> T:
    """A copy of a report (or any part of it) with every string made visible."""
    if isinstance(value, str):
        return visible(value)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: for_display(getattr(value, f.name))
                                 for f in fields(value) if f.init})
    if isinstance(value, list):
        return [for_display(item) for item in value]  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(for_display(item) for item in value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {for_display(k): for_display(v) for k, v in value.items()}  # type: ignore
    return value
