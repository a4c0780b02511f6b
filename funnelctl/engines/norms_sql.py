"""The SQL of an activities source (one row per activity) on ClickHouse, for the norms.

Two kinds of statement, both with every value a query parameter (Params) and every name
a quoted identifier checked against the source's columns:

- distinct_sql: the distinct raw values of a column (manager, type, a text duration)
  with their row counts. They are few; Python cleans and maps them with the functions
  the Polars reader uses (engines/clickhouse_norms.py).
- counts_sql: the mapping goes back as arrays (transform), and the server returns one row
  per (reject reason, manager, kind, local date) with its count: the manager-day counts
  of calls and meetings, the other types, the short calls and the rejects per reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from funnelctl.engines.clickhouse_sql import Columns, column_ref, ts_micros
from funnelctl.engines.sql import Params

# The reasons a row cannot be used, in the order the Polars reader tests them
# (io/activities.py _checked_groups): the first that applies is the row's.
REASONS = ("missing manager", "missing ts", "unparseable ts", "ts out of range",
           "missing activity type", "missing duration", "unparseable duration")
# Kind codes of a usable row: call, meeting, a call under min_call_seconds; an other
# type j (0-based, of the cleaned other types) is OTHER_BASE + j; 0: no type.
CALL, MEETING, SHORT_CALL, OTHER_BASE = 1, 2, 3, 4
# Duration states (io/activities.py duration_state: ok, short, missing, bad).
DUR_CODES = {"ok": 0, "short": 1, "missing": 2, "bad": 3}
# A raw value the first query did not see (the table changed in between).
UNSEEN = 4294967295


@dataclass
class Mapping:
    """What Python made of the distinct values: raw text -> code, per column."""

    managers: tuple[list[str], list[int]]  # raw -> manager id (0: missing)
    types: tuple[list[str], list[int]] | int  # raw -> kind code, or one code (type: call)
    durations: tuple[list[str], list[int]] | None = None  # text duration -> DUR_CODES


def distinct_sql(columns: Columns, header: str) -> str:
    """Each distinct value of a column as text (NULL: missing) with its row count."""
    ref = column_ref(columns, header)
    return (f"SELECT toNullable(toString({ref})) AS v, count() AS n FROM {columns.from_sql} "
            "GROUP BY v ORDER BY v")


def bind_codes(params: Params, values: list[int]) -> str:
    """An Array(UInt32) parameter (Params binds strings and numbers only)."""
    name = f"p{len(params.values)}"
    params.values[name] = "[" + ",".join(str(int(v)) for v in values) + "]"
    return f"{{{name}:Array(UInt32)}}"


def _mapped(columns: Columns, header: str, pairs: tuple[list[str], list[int]],
            params: Params, missing: int) -> str:
    """transform(raw text, raws, codes): `missing` for NULL, UNSEEN for a value not seen."""
    ref = column_ref(columns, header)
    raws, codes = params.bind(pairs[0], "Array(String)"), bind_codes(params, pairs[1])
    return (f"if(isNull({ref}), toUInt32({missing}), "
            f"transform(assumeNotNull(toString({ref})), {raws}, {codes}, toUInt32({UNSEEN})))")


def duration_state_sql(columns: Columns, header: str, mapping: Mapping, minimum: int,
                       params: Params) -> str:
    """A number in SQL (as io/activities.duration_state for numbers); text through the
    mapping Python made of its distinct values."""
    if columns.is_numeric(header):
        seconds = f"toFloat64({column_ref(columns, header)})"
        return (f"multiIf(isNull({seconds}), 2, isNaN({seconds}) OR {seconds} < 0, 3, "
                f"{seconds} < {params.bind(minimum, 'Float64')}, 1, 0)")
    assert mapping.durations is not None
    return _mapped(columns, header, mapping.durations, params, DUR_CODES["missing"])


def ts_missing_sql(columns: Columns, header: str, markers: list[str], params: Params) -> str:
    """No timestamp given: NULL, or (text) a null marker such as '' or '-'."""
    ref = column_ref(columns, header)
    if not columns.is_text(header):
        return f"isNull({ref})"
    return (f"(isNull({ref}) OR has({params.bind(markers, 'Array(String)')}, "
            f"lowerUTF8(trimBoth(toString({ref})))))")


def counts_sql(columns: Columns, headers: dict[str, str], mapping: Mapping, params: Params,
               timezone: str, dates: tuple[str, str], markers: list[str],
               minimum: int | None) -> str:
    """reason (0: usable, else 1 + its index in REASONS), manager id, kind code and local
    date (both 0 / NULL on a rejected row), n rows."""
    manager = _mapped(columns, headers["manager"], mapping.managers, params, 0)
    if isinstance(mapping.types, int):
        kind = f"toUInt32({mapping.types})"
    else:
        kind = _mapped(columns, headers["type"], mapping.types, params, 0)
    duration = ("toUInt8(0)" if minimum is None else
                duration_state_sql(columns, headers["duration"], mapping, minimum, params))
    ts = ts_micros(columns, headers["ts"], params, timezone)
    zone = params.bind(timezone)
    low, high = (f"toDate32({params.bind(d)})" for d in dates)
    rules = [
        "mgr0 = 0",
        "ts_none",
        "isNull(ts_us)",
        f"day0 < {low} OR day0 >= {high}",
        "kind0 = 0",
        f"kind0 = {CALL} AND dur = {DUR_CODES['missing']}",
        f"kind0 = {CALL} AND dur = {DUR_CODES['bad']}",
    ]
    reason = ("multiIf(" + ", ".join(f"{rule}, {i}" for i, rule in enumerate(rules, 1))
              + ", 0)")
    short = f"kind0 = {CALL} AND dur = {DUR_CODES['short']}"
    missing = ts_missing_sql(columns, headers["ts"], markers, params)
    rows = (f"SELECT {manager} AS mgr0, {kind} AS kind0, {duration} AS dur,\n"
            f"  {missing} AS ts_none, {ts} AS ts_us,\n"
            f"  toDate32(fromUnixTimestamp64Micro(ts_us, {zone})) AS day0\n"
            f"FROM {columns.from_sql}")
    return (f"SELECT reason, if(reason = 0, mgr0, 0) AS manager,\n"
            f"  if(reason = 0, if({short}, {SHORT_CALL}, kind0), 0) AS kind,\n"
            f"  if(reason = 0, toString(day0), NULL) AS date, count() AS n\n"
            f"FROM (SELECT *, toUInt8({reason}) AS reason FROM (\n{rows}\n))\n"
            "GROUP BY reason, manager, kind, date ORDER BY reason, manager, kind, date")
