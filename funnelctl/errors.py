"""Errors a user can act on. The CLI turns every FunnelctlError into exit code 2."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """0: verdict below --fail-on; 1: findings at or above it; 2: the audit could not run;
    3: the report was written but a notification could not be delivered."""

    OK = 0
    FINDINGS = 1
    ERROR = 2
    DELIVERY = 3


class FunnelctlError(Exception):
    """Base of every error that is the input's fault, not the program's."""


class ConfigError(FunnelctlError):
    """The YAML config is missing, malformed or inconsistent."""


class DataError(FunnelctlError):
    """A data file is missing, unreadable, or lacks what the config maps."""


class UsageError(FunnelctlError):
    """A command-line option has a value that cannot be used."""


# Characters a terminal or a reader would act on rather than show: C0 and C1 controls
# (escape sequences start with ESC or CSI), DEL, and the bidi overrides and isolates that
# reorder text on screen (U+202E can make "exe.txt" look like "txt.exe").
_INVISIBLE = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F,
              *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029]
_VISIBLE = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
            for code in _INVISIBLE} | {9: "\\t", 10: "\\n", 13: "\\r"}
EXCERPT_CHARS = 60


def visible(text: str, keep: str = "") -> str:
    """Text with every control and bidi character shown as its escape (ESC -> `\\x1b`).

    `keep` names the characters to leave as they are (error messages keep their
    line breaks). The one implementation behind render/escape.py and every excerpt.
    """
    table = _VISIBLE if not keep else {k: v for k, v in _VISIBLE.items() if chr(k) not in keep}
    return text.translate(table)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A short, safe quote of file content for an error message: at most `limit`
    characters, controls escaped, an ellipsis where it was cut."""
    shown = visible(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def excerpt_list(names: list[str], each: int = 24, limit: int = EXCERPT_CHARS) -> str:
    """Names from a file (its header) for an error message: each cut to `each`
    characters, the whole to `limit`, with the count when some are left out."""
    shown = excerpt(", ".join(excerpt(name, each) for name in names), limit)
    return shown if not shown.endswith("…") else f"{shown} ({len(names)} in all)"
