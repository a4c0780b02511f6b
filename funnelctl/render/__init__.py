"""Renderers: one function `render(report, options) -> str` per output format.

The registry is the list of `--format` choices; adding a format is one module and one
entry here. A format whose writer makes bytes itself (JSON: orjson) also has
`render_bytes(report, options) -> bytes`, which the CLI writes as it is.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the report model (dataclasses) is not needed to list the formats
    from funnelctl.report import Report


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False  # ANSI colours: only when writing to a terminal
    lang: str = "en"
    width: int | None = 110  # None: the terminal's own width


RENDERERS = {
    "table": "funnelctl.render.terminal",
    "json": "funnelctl.render.json",
    "markdown": "funnelctl.render.markdown",
    "html": "funnelctl.render.html",
}


def renderer(name: str) -> Callable[[Report, RenderOptions], str]:
    """The render function of a format, imported only when it is used."""
    return importlib.import_module(RENDERERS[name]).render


def rendered_output(name: str, report: Report, options: RenderOptions) -> str | bytes:
    """What the CLI writes for `--format name`: the format's bytes when its writer makes
    bytes (no decoding and encoding again of a report that may be megabytes), else its text."""
    module = importlib.import_module(RENDERERS[name])
    return getattr(module, "render_bytes", module.render)(report, options)
