"""Where a source's funnels run: `engine: polars` (default, in process) or `engine:
clickhouse` with a `url:` (a server over HTTP(S), or chdb in process). The checks here
need only the source; the ones that need its funnels are in engine_problems()."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

EngineName = Literal["polars", "clickhouse"]
CHDB = "chdb:"
# What engine: clickhouse runs today (README / docs/engines.md; activities: norms_sql.py).
CLICKHOUSE_KINDS = ("events", "deals", "activities")
# order: modes the ClickHouse SQL runs, as windowFunnel's mode names.
CLICKHOUSE_MODES = {"strict_increase", "strict_order", "strict_deduplication", "allow_reentry"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE = re.compile(r"^[^.\s`\x00-\x1f]+(\.[^.\s`\x00-\x1f]+)?$")


def source_engine_problem(source: Any) -> tuple[str, str] | None:
    """The first problem of a source's engine keys: (the key at fault, message), or None."""
    if source.engine == "polars":
        given = [k for k in ("url", "table", "user_env", "password_env")
                 if getattr(source, k) is not None]
        if given:
            return given[0], (f"{given[0]} applies to engine: clickhouse only (this source "
                              "runs on polars)")
        if source.path is None:
            return "path", "path is required (a file, a folder or a glob of Parquet files)"
        return None
    if source.url is None:
        return "engine", ("engine: clickhouse needs url: (e.g. http://localhost:8123/db, "
                          "chdb: for in-process ClickHouse over the local files, or chdb:PATH)")
    if source.kind not in CLICKHOUSE_KINDS:
        return "kind", (f"engine: clickhouse runs sources of kind: "
                        f"{', '.join(CLICKHOUSE_KINDS)} (this one is kind: {source.kind}; "
                        "stage_history runs on engine: polars, see "
                        "docs/engines.md)")
    problem = url_problem(source.url)
    if problem:
        return "url", problem
    for key in ("user_env", "password_env"):
        name = getattr(source, key)
        if name is not None and not _ENV_NAME.match(name):
            return key, (f"{key}: '{name}' is not an environment variable name (letters, "
                         "digits, _; e.g. CH_PASSWORD): the value itself never goes in the "
                         "config")
    server = not source.url.startswith(CHDB)
    if not server and (source.user_env or source.password_env):
        return ("user_env" if source.user_env else "password_env",
                "user_env / password_env apply to a ClickHouse server (url: http(s)://...)")
    if (source.path is None) == (source.table is None):
        return ("table" if source.table else "engine",
                "give either path: (local files) or table: (a table on the server), not both")
    if source.table is not None:
        if source.url == CHDB:
            return "table", ("table: needs a server url or a chdb database folder "
                             "(url: chdb:PATH); url: chdb: alone reads local files (path:)")
        if not _TABLE.match(source.table):
            return "table", (f"table: '{source.table}' is not a table name (name or "
                             "database.name, no spaces, backquotes or control characters)")
    elif server:
        return "path", ("a ClickHouse server cannot read this machine's files: name a "
                        "table: there, or use url: chdb: to run ClickHouse in process over "
                        "path:")
    if source.join is not None:
        return "join", "join applies to engine: polars only"
    for key in ("date_format", "null_values"):  # the Polars readers' options
        if getattr(source, key) is not None:
            return key, (f"{key} applies to engine: polars only (ClickHouse reads "
                         "DateTime columns, or ISO 8601 text, see docs/engines.md)")
    return None


def url_problem(url: str) -> str | None:
    if url.startswith(CHDB):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (f"url: '{url}' is not a ClickHouse address: expected http(s)://host:port/db, "
                "chdb: or chdb:PATH")
    if parts.username or parts.password:
        return ("url: holds credentials; put them in environment variables and name them "
                "with user_env: and password_env: (never in the config file)")
    if parts.query or parts.fragment:
        return f"url: '{url}' has a query or fragment; expected http(s)://host:port/db"
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return f"url: '{url}' has a bad port"
    if parts.path.strip("/").count("/"):
        return f"url: '{url}': the path is the database name only (e.g. /analytics)"
    return None


def resolve_chdb_folder(source: Any, base: Path) -> None:
    """chdb:PATH is relative to the config file, like path:."""
    if source.url and source.url.startswith(CHDB) and source.url != CHDB:
        folder = Path(source.url[len(CHDB):])
        if not folder.is_absolute():
            source.url = CHDB + str(base / folder)


def engine_problems(config: Any) -> list[tuple[tuple, str]]:
    """(key path, message) for engine keys that do not fit together, and for funnel
    settings the ClickHouse engine cannot run."""
    problems = []
    for name, source in config.sources.items():
        found = source_engine_problem(source)
        if found:
            problems.append((("sources", name, found[0]), found[1]))
    for i, funnel in enumerate(config.funnels):
        source = config.sources.get(funnel.source)
        if source is None or source.engine != "clickhouse":
            continue
        if source.kind == "deals":
            problems += deal_funnel_problems(funnel, i)
            continue
        if not funnel.order_modes() <= CLICKHOUSE_MODES:
            problems.append((("funnels", i, "order"),
                             f"order: {funnel.order} does not run on engine: clickhouse "
                             f"(there: default, {', '.join(sorted(CLICKHOUSE_MODES))}; see "
                             "docs/engines.md)"))
        problems += [(("funnels", i, key), f"{key} does not run on engine: clickhouse "
                      f"({why}); run this funnel on engine: polars")
                     for key, why in (("exclude", "windowFunnel has no exclusion steps"),)
                     if getattr(funnel, key)]
        for j, stage in enumerate(funnel.stages):
            for key, used, why in (
                    ("within", stage.within is not None,
                     "windowFunnel has one window for the whole chain"),
                    ("first_time", stage.first_time, "windowFunnel counts every such event"),
                    ("optional", stage.optional,
                     "windowFunnel's chain cannot skip a step")):
                if used:
                    problems.append((("funnels", i, "stages", j, key),
                                     f"{key} does not run on engine: clickhouse ({why}); "
                                     "use engine: polars"))
    return problems


# Deals funnel keys that need each deal's row (engines/clickhouse_deals.py does not run
# them; docs/engines.md).
_DEAL_KEYS = (("stage_history", "the linked stage history is joined deal by deal"),)


def deal_funnel_problems(funnel: Any, i: int) -> list[tuple[tuple, str]]:
    """Settings of a deals funnel on engine: clickhouse that run on polars only."""
    problems = [(("funnels", i, key), f"{key} does not run on engine: clickhouse ({why}); "
                 "run this funnel's source on engine: polars")
                for key, why in _DEAL_KEYS if getattr(funnel, key, None)]
    return problems
