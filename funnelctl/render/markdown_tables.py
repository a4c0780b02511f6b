"""The Markdown helpers both Markdown modules share: escaping user data, table rows,
verdict symbols."""

from __future__ import annotations

import re

# `_` inside a word (created_at) is not emphasis in CommonMark: escape it only at the edges.
_SPECIAL = re.compile(r"([\\`*\[\]<>|#]|(?<!\w)_|_(?!\w))")
# Chat clients show emoji in colour even where Markdown tables are not rendered.
SYMBOL = {"ok": "✅", "warn": "⚠️", "fail": "❌", "insufficient": "❔"}


def esc(text: object) -> str:
    """Escape Markdown (and inline HTML) metacharacters; keep a cell on one line."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " ")


def row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table(header: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """align: one letter per column, l or r."""
    rule = ["---:" if a == "r" else "---" for a in align]
    return [row(header), row(rule), *(row(r) for r in rows), ""]
