"""Reading a config file: YAML with every key's line, pydantic validation, and errors that
name the file, the line and the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from pydantic import ValidationError

from funnelctl.config.models import Config
from funnelctl.config.references import reference_problems
from funnelctl.errors import ConfigError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: str | Path) -> Config:
    """Read, parse and validate a config; every error names the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    except ValueError as exc:  # a date YAML recognises but that does not exist: 2024-02-30
        raise ConfigError(f"{_bad_date_place(node, path)}: {exc} (expected a real date, "
                          "YYYY-MM-DD)") from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ConfigError(f"{path}: expected a mapping of settings (version, sources, "
                          f"funnels, ...), got {got}")
    lines = _line_map(node)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, path, lines)) from None
    problems = reference_problems(config)
    if problems:
        raise ConfigError("\n".join(f"{path}:{_nearest_line(loc, lines) or '?'}: "
                                     f"{'.'.join(map(str, loc))}: {msg}"
                                     for loc, msg in problems))
    config._file, config._lines = path, lines
    base = path.parent
    for source in config.sources.values():
        if not source.path.is_absolute():
            source.path = base / source.path
        if source.join is not None and not source.join.path.is_absolute():
            source.join.path = base / source.join.path
    if config.history and not config.history.path.is_absolute():
        config.history.path = base / config.history.path
    return config


def _bad_date_place(node: yaml.Node | None, path: Path) -> str:
    """file:line of the first YAML timestamp that is not a real date."""
    stack = [node]
    while stack:
        item = stack.pop(0)
        if isinstance(item, yaml.ScalarNode) and item.tag.endswith(":timestamp"):
            try:
                dt.date.fromisoformat(item.value[:10])
            except ValueError:
                return f"{path}:{item.start_mark.line + 1}: '{item.value}'"
        elif isinstance(item, yaml.MappingNode):
            stack += [v for pair in item.value for v in pair]
        elif isinstance(item, yaml.SequenceNode):
            stack += item.value
    return str(path)


def _line_map(node: yaml.Node | None, prefix: tuple = ()) -> dict[tuple, int]:
    """Map each key path, e.g. ('funnels', 0, 'stages'), to its 1-based line in the YAML."""
    lines: dict[tuple, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, key.value)
            lines[path] = key.start_mark.line + 1
            lines.update(_line_map(value, path))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*prefix, i)] = item.start_mark.line + 1
            lines.update(_line_map(item, (*prefix, i)))
    return lines


def _format_errors(exc: ValidationError, path: Path, lines: dict[tuple, int]) -> str:
    messages = []
    for err in exc.errors():
        loc = tuple(str(p) if isinstance(p, str) else p for p in err["loc"])
        if err["type"] == "unknown_key":
            loc = (*loc, err["ctx"]["key"])
        line = _nearest_line(loc, lines)
        where = f"{path}:{line}" if line else str(path)
        key = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        messages.append(f"{where}: {key}: {msg}")
    return "\n".join(messages)


def _nearest_line(loc: tuple, lines: dict[tuple, int]) -> int | None:
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def json_schema() -> dict:
    schema = Config.model_json_schema(mode="validation")
    schema["title"] = "funnelctl config, version 1"
    return schema
