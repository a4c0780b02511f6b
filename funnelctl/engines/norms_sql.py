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
from funnelctl.engines.sql import Params, trimmed_sql

# The reasons a row cannot be used, in the order the Polars reader tests them
# (io/activities.py _checked_groups): the first that applies is the row's.
REASONS = ("missing manager", "missing ts", "unparseable ts", "ts out of range",
           "missing activity type", "missing duration", "unparseable duration")
# Kind codes of a usable row: call, meeting, a call under min_call_seconds; an other
# type j (0-based, of the cleaned other types) is OTHER_BASE + j; 0: no type.
CALL, MEETING, SHORT_CALL, OTHER_BASE = 1, 2, 3, 4
# Duration states (io/activities.py duration_state: ok, short, missing, bad).
DUR_CODES = {"ok": 0, "short": 1, "missing": 2, "bad": 3}
# A raw value the first query did not see (the table changed in between), and the
# reason code of a row with one.
UNSEEN, CHANGED = 4294967295, 255


@dataclass
class Mapping:
    """What Python made of the distinct values: raw text -> code, per column."""

    managers: tuple[list[str], list[int]]  # raw -> manager id (0: missing)
    types: tuple[list[str], list[int]] | int  # raw -> kind code, or one code (type: call)
    durations: tuple[list[str], list[int]] | None = None  # text duration -> DUR_CODES


def distinct_sql(columns: Columns, headers: list[str]) -> str:
    """Each distinct combination of the columns' values as text (NULL: missing), with its
    row count (v0, v1, ..., n): one scan for the manager and type columns together."""
    values = ", ".join(f"toNullable(toString({column_ref(columns, h)})) AS v{i}"
                       for i, h in enumerate(headers))
    keys = ", ".join(f"v{i}" for i in range(len(headers)))
    return (f"SELECT {values}, count() AS n FROM {columns.from_sql} GROUP BY {keys} "
            f"ORDER BY {keys}")


def bind_codes(params: Params, values: list[int]) -> str:
    """An Array(UInt32) parameter (Params binds strings and numbers only)."""
    name = f"p{len(params.values)}"
    params.values[name] = "[" + ",".join(str(int(v)) for v in values) + "]"
    return f"{{{name}:Array(UInt32)}}"


def _mapped(value: str, pairs: tuple[list[str], list[int]], params: Params,
            missing: int) -> str:
    """transform(raw text, raws, codes): `missing` for NULL, UNSEEN for a value not seen."""
    raws, codes = params.bind(pairs[0], "Array(String)"), bind_codes(params, pairs[1])
    return (f"if(isNull({value}), toUInt32({missing}), "
            f"transform(assumeNotNull({value}), {raws}, {codes}, toUInt32({UNSEEN})))")


def raw_text(columns: Columns, header: str) -> str:
    return f"toNullable(toString({column_ref(columns, header)}))"


def duration_sql(columns: Columns, header: str, minimum: int, params: Params) -> str:
    """Per row: a number's state in SQL (as io/activities.duration_state for numbers), or
    the text itself (mapped after the grouping, by duration_state_sql)."""
    if not columns.is_numeric(header):
        return raw_text(columns, header)
    seconds = f"toFloat64({column_ref(columns, header)})"
    return (f"toUInt32(multiIf(isNull({seconds}), 2, isNaN({seconds}) OR {seconds} < 0, 3, "
            f"{seconds} < {params.bind(minimum, 'Float64')}, 1, 0))")


def duration_state_sql(mapping: Mapping, params: Params) -> str:
    """The grouped duration as its state: a text through the mapping Python made of its
    distinct values; a number's state as it is."""
    if mapping.durations is None:
        return "d_raw"
    return _mapped("d_raw", mapping.durations, params, DUR_CODES["missing"])


def ts_missing_sql(columns: Columns, header: str, markers: list[str], params: Params) -> str:
    """No timestamp given: NULL, or (text) a null marker such as '' or '-'."""
    ref = column_ref(columns, header)
    if not columns.is_text(header):
        return f"isNull({ref})"
    return (f"(isNull({ref}) OR has({params.bind(markers, 'Array(String)')}, "
            f"lowerUTF8({trimmed_sql(f'toString({ref})')})))")


def counts_sql(columns: Columns, headers: dict[str, str], mapping: Mapping, params: Params,
               timezone: str, dates: tuple[str, str], markers: list[str],
               minimum: int | None) -> str:
    """reason (0: usable, CHANGED, else 1 + its index in REASONS), manager id, kind code and local
    date (both 0 / NULL on a rejected row), n rows."""
    one_type = isinstance(mapping.types, int)
    t_raw = "toNullable('')" if one_type else raw_text(columns, headers["type"])
    d_raw = ("toUInt32(0)" if minimum is None else
             duration_sql(columns, headers["duration"], minimum, params))
    ts = ts_micros(columns, headers["ts"], params, timezone)
    zone = params.bind(timezone)
    missing = ts_missing_sql(columns, headers["ts"], markers, params)
    # The rows are grouped by their raw values first (few distinct ones), so the
    # transform()s run once per group, not once per row.
    grouped = (f"SELECT m_raw, t_raw, d_raw, ts_none, isNull(ts_us) AS ts_bad, day0, "
               f"count() AS n FROM (\n"
               f"SELECT {raw_text(columns, headers['manager'])} AS m_raw, {t_raw} AS t_raw, "
               f"{d_raw} AS d_raw,\n  {missing} AS ts_none, {ts} AS ts_us,\n"
               f"  toDate32(fromUnixTimestamp64Micro(ts_us, {zone})) AS day0\n"
               f"FROM {columns.from_sql}\n) GROUP BY m_raw, t_raw, d_raw, ts_none, ts_bad, day0")
    kind = (f"toUInt32({mapping.types})" if one_type
            else _mapped("t_raw", mapping.types, params, 0))  # type: ignore[arg-type]
    rows = (f"SELECT {_mapped('m_raw', mapping.managers, params, 0)} AS mgr0, "
            f"{kind} AS kind0,\n  {duration_state_sql(mapping, params)} AS dur, ts_none, "
            f"ts_bad, day0, n\nFROM (\n{grouped}\n)")
    low, high = (f"toDate32({params.bind(d)})" for d in dates)
    rules = [
        "mgr0 = 0",
        "ts_none",
        "ts_bad",
        f"day0 < {low} OR day0 >= {high}",
        "kind0 = 0",
        f"kind0 = {CALL} AND dur = {DUR_CODES['missing']}",
        f"kind0 = {CALL} AND dur = {DUR_CODES['bad']}",
    ]
    # A value the first query did not see (the table changed in between) comes first.
    unseen = f"{UNSEEN} IN (mgr0, kind0, dur), {CHANGED}, "
    reason = ("multiIf(" + unseen + ", ".join(f"{rule}, {i}" for i, rule in enumerate(rules, 1))
              + ", 0)")
    short = f"kind0 = {CALL} AND dur = {DUR_CODES['short']}"
    return (f"SELECT reason, if(reason = 0, mgr0, 0) AS manager,\n"
            f"  if(reason = 0, if({short}, {SHORT_CALL}, kind0), 0) AS kind,\n"
            f"  if(reason = 0, toString(day0), NULL) AS date, sum(n) AS n\n"
            f"FROM (SELECT *, toUInt8({reason}) AS reason FROM (\n{rows}\n))\n"
            "GROUP BY reason, manager, kind, date ORDER BY reason, manager, kind, date")


# Daily totals (manager, date, calls, meetings): the reasons, in the Polars reader's order
# (io/activities.py _read_daily), then four per count column.
DAILY_REASONS = ("missing manager", "missing date", "unparseable date", "date out of range")
COUNT_PROBLEMS = ("non-numeric {}", "negative {}", "{} over {:,} a day", "fractional {}")


def daily_reasons(counts: list[str], most: int) -> list[str]:
    return [*DAILY_REASONS, *(p.format(c, most) for c in counts for p in COUNT_PROBLEMS)]


def bind_numbers(params: Params, values: list[float | None]) -> str:
    """An Array(Nullable(Float64)) parameter (inf and nan as ClickHouse writes them)."""
    name = f"p{len(params.values)}"
    params.values[name] = "[" + ",".join("NULL" if v is None else repr(float(v))
                                         for v in values) + "]"
    return f"{{{name}:Array(Nullable(Float64))}}"


def count_sql(columns: Columns, header: str, texts: tuple[list[str], list[float | None],
              list[int]] | None, params: Params) -> tuple[str, str]:
    """(the count as Float64 or NULL, whether a value was given): a number column in SQL,
    a text column through the values Python read from its distinct texts."""
    ref = column_ref(columns, header)
    if texts is None:
        return f"toFloat64({ref})", f"isNotNull({ref})"
    raws = params.bind(texts[0], "Array(String)")
    value = (f"if(isNull({ref}), NULL, arrayElement({bind_numbers(params, texts[1])}, "
             f"indexOf({raws}, assumeNotNull(toString({ref})))))")
    given = (f"if(isNull({ref}), 0, arrayElement({bind_codes(params, texts[2])}, "
             f"indexOf({raws}, assumeNotNull(toString({ref})))) = 1)")
    return value, given


def daily_sql(columns: Columns, headers: dict[str, str], managers: tuple[list[str], list[int]],
              counts: dict[str, tuple | None], params: Params, timezone: str,
              dates: tuple[str, str], markers: list[str], most: int) -> str:
    """reason (0: usable, else 1 + its index in daily_reasons), manager id, local date,
    the day's calls and meetings, n rows. `counts`: the count columns present (calls,
    meetings), with the text mapping of a text one."""
    manager = _mapped(raw_text(columns, headers["manager"]), managers, params, 0)
    ts = ts_micros(columns, headers["date"], params, timezone)
    zone = params.bind(timezone)
    missing = ts_missing_sql(columns, headers["date"], markers, params)
    selects = [f"{manager} AS mgr0", f"{missing} AS date_none", f"{ts} AS ts_us",
               f"toDate32(fromUnixTimestamp64Micro(ts_us, {zone})) AS day0"]
    low, high = (f"toDate32({params.bind(d)})" for d in dates)
    rules = ["mgr0 = 0", "date_none", "isNull(ts_us)", f"day0 < {low} OR day0 >= {high}"]
    limit = params.bind(most, "Float64")
    for name, texts in counts.items():
        value, given = count_sql(columns, headers[name], texts, params)
        selects += [f"{value} AS c_{name}", f"{given} AS g_{name}"]
        rules += [f"g_{name} AND (isNull(c_{name}) OR isNaN(c_{name}))", f"c_{name} < 0",
                  f"c_{name} > {limit}", f"c_{name} != floor(c_{name})"]
    reason = ("multiIf(" + ", ".join(f"ifNull({rule}, 0), {i}"
                                     for i, rule in enumerate(rules, 1)) + ", 0)")
    sums = ", ".join(f"sumIf(ifNull(c_{name}, 0), reason = 0) AS {name}" for name in counts)
    rows = f"SELECT {', '.join(selects)}\nFROM {columns.from_sql}"
    return ("SELECT reason, if(reason = 0, mgr0, 0) AS manager,\n"
            "  if(reason = 0, toString(day0), NULL) AS date, count() AS n"
            + (f", {sums}" if sums else "") +
            f"\nFROM (SELECT *, toUInt8({reason}) AS reason FROM (\n{rows}\n))\n"
            "GROUP BY reason, manager, date ORDER BY reason, manager, date")
