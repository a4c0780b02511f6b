"""Reading a config file: YAML with every key's line, pydantic validation, and errors that
name the file, the line and the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from pydantic import ValidationError

from funnelctl.config.base import nearest_line
from funnelctl.config.engine import resolve_chdb_folder
from funnelctl.config.models import Config
from funnelctl.config.references import reference_problems
from funnelctl.errors import ConfigError
from funnelctl.io.files import os_problem, stat_input

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_CONFIG_BYTES = 1 << 20  # a config is a page of settings; more is a wrong file
# Values a config may hold once YAML aliases (*name) are expanded: a few aliases of
# aliases ("billion laughs") would otherwise expand to billions while validated.
MAX_EXPANDED_VALUES = 100_000


def load_config(path: str | Path) -> Config:
    """Read, parse and validate a config; every error names the file and line."""
    path = Path(path)
    info = stat_input(path, "config file", error=ConfigError)
    if info.st_size > MAX_CONFIG_BYTES:
        raise ConfigError(_too_big(path, info.st_size))
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)  # it may have grown since the stat
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {os_problem(exc)}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(_too_big(path, len(data)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    return parse_config(text, path)


def _too_big(path: Path, size: int) -> str:
    return (f"{path}: the config is {size:,} bytes; a config may have at most "
            f"{MAX_CONFIG_BYTES:,} (1 MiB): is this the right file?")


def parse_config(text: str, path: Path) -> Config:
    try:
        node = yaml.compose(text, Loader=_Loader)
        _check_structure(node, path)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    except ValueError as exc:  # a date YAML recognises but that does not exist: 2024-02-30
        raise ConfigError(f"{_bad_date_place(node, path)}: {exc} (expected a real date, "
                          "YYYY-MM-DD)") from None
    except RecursionError:
        raise ConfigError(f"{path}: the YAML is nested too deeply to be a config") from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ConfigError(f"{path}: expected a mapping of settings (version, sources, "
                          f"funnels, ...), got {got}")
    try:
        lines = _line_map(node)
    except RecursionError:
        raise ConfigError(f"{path}: the YAML is nested too deeply to be a config") from None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, path, lines)) from None
    problems = reference_problems(config)
    if problems:
        raise ConfigError("\n".join(f"{path}:{nearest_line(loc, lines) or '?'}: "
                                     f"{'.'.join(map(str, loc))}: {msg}"
                                     for loc, msg in problems))
    config._file, config._lines = path, lines
    base = path.parent
    for source in config.sources.values():
        if source.path is not None and not source.path.is_absolute():
            source.path = base / source.path
        resolve_chdb_folder(source, base)
        if source.join is not None and not source.join.path.is_absolute():
            source.join.path = base / source.join.path
    for funnel in config.funnels:
        for part in (funnel.plan, funnel.snooze):
            if part is not None and part.path is not None and not part.path.is_absolute():
                part.path = base / part.path
    if config.history and not config.history.path.is_absolute():
        config.history.path = base / config.history.path
    return config


def _check_structure(root: yaml.Node | None, path: Path) -> None:
    """Refuse duplicate keys (YAML keeps the last silently), recursive aliases, and
    aliases that expand past MAX_EXPANDED_VALUES, before anything walks the values.

    Aliases make the composed nodes a graph that shares subtrees: each node's expanded
    size is counted once (depth-first, without recursion), so the check is as fast as
    the text is long, whatever the expansion."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ConfigError(f"{path}:{node.start_mark.line + 1}: a YAML alias refers to "
                              "the value it is inside of (a recursive alias)")
        if isinstance(node, yaml.MappingNode):
            _check_duplicate_keys(node, path)
        on_path.add(key)
        stack.append((node, True))
        stack += [(child, False) for child in children if id(child) not in sizes]
    expanded, written = (sizes[id(root)] if root is not None else 0), len(sizes)
    if expanded > written and expanded > MAX_EXPANDED_VALUES:
        raise ConfigError(f"{path}: YAML aliases (*name) expand this config to more than "
                          f"{MAX_EXPANDED_VALUES:,} values ({expanded:,}; an alias bomb?): "
                          "funnelctl refuses aliases past that; write the values out")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_duplicate_keys(node: yaml.MappingNode, path: Path) -> None:
    first_line: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag.endswith(":merge"):
            continue
        line = key.start_mark.line + 1
        if key.value in first_line:
            raise ConfigError(f"{path}:{line}: duplicate key '{key.value}' (first at line "
                              f"{first_line[key.value]}): YAML would silently keep only the "
                              "last; remove one")
        first_line[key.value] = line


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
        line = nearest_line(loc, lines)
        where = f"{path}:{line}" if line else str(path)
        key = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if isinstance(err.get("input"), bool) and err["type"] in ("float_type", "int_type"):
            msg = (f"expected a number, got {str(err['input']).lower()} (YAML reads true, "
                   "false, yes, no, on and off as booleans)")
        messages.append(f"{where}: {key}: {msg}")
    return "\n".join(messages)




def json_schema() -> dict:
    schema = Config.model_json_schema(mode="validation")
    schema["title"] = "funnelctl config, version 1"
    return schema
