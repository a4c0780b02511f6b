"""Text the starter configs write into YAML: a file name or a data value as one scalar
that reads back as exactly itself."""

from __future__ import annotations

import contextlib
import re


def yaml_quoted(value: str) -> str:
    """`value` as one double-quoted YAML scalar on one line, whatever it holds.

    A file name may contain quotes, `#`, a newline or other control characters (or,
    undecodable bytes, surrogates): those are escaped, so the line stays one valid
    scalar that reads back as exactly `value`. A plain path stays plain.
    """
    import yaml

    plain = yaml.safe_dump(value, width=1 << 20, allow_unicode=True).splitlines()[0]
    with contextlib.suppress(yaml.YAMLError):
        if yaml.safe_load(f"k: {plain}  # comment") == {"k": value}:
            return plain
    return yaml_double_quoted(value)


def yaml_double_quoted(value: str) -> str:
    """`value` as a double-quoted YAML scalar, every control character and surrogate
    escaped: never read as YAML syntax, a number, a date or a boolean."""
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    out = []
    for ch in value:
        if ch in escapes:
            out.append(escapes[ch])
        elif ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                       else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def comment_safe(text: str) -> str:
    """Text safe inside a YAML comment: one line, no control characters."""
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", str(text))
