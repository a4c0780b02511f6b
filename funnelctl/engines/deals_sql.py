"""The SQL of a deals snapshot on ClickHouse, built from the source's columns.

The row work the Polars reader does on a column's distinct values (stage, status,
lost stage and pipeline words; breakdown labels) is done in Python on the distinct values
this SQL returns (engines/clickhouse_deals.py); what it decides comes back as array
parameters, looked up per row by index. The server then rejects rows by the reader's
rules in the reader's order, keeps one row of each deal id (the first, or the newest by
modified_at or stage_changed_at, as the reader), and returns only
aggregates: deals per depth, won / lost, the sorted cycle days per segment.

Nothing from the config or the data is pasted into the SQL: values are query parameters
(Params), names are quoted identifiers checked against the source's columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from funnelctl.engines.clickhouse_sql import Columns, column_ref
from funnelctl.engines.sql import Params, escaped_text, linear, quote_identifier, trimmed_sql
from funnelctl.io.deals import NEWEST_BY

DAY_US = 86_400_000_000
EPOCH = dt.datetime(1970, 1, 1)
# The combination of columns a deal's depth and outcome depend on (metrics/funnel.py).
KEY_COLUMNS = ("stage", "status", "lost_stage", "pipeline")
WON, LOST, OPEN = 1, 2, 0  # outcome codes in the SQL
NOT_MEMBER = -1  # the depth of a deal that is not the funnel's


def micros(moment: dt.datetime) -> int:
    """A naive (wall) time as microseconds since 1970, as the deals' times are in SQL."""
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def bind_text(params: Params, text: str, kind: str) -> str:
    """A parameter whose value text is already in ClickHouse's format (arrays, tuples)."""
    name = f"p{len(params.values)}"
    params.values[name] = text
    return f"{{{name}:{kind}}}"


def quoted(value: str | None) -> str:
    """A value inside an array or tuple parameter: NULL, or a quoted escaped string."""
    if value is None:
        return "NULL"
    return "'" + escaped_text(value).replace("'", "\\'") + "'"


def bind_keys(params: Params, keys: list[tuple[str | None, ...]]) -> str:
    width = len(keys[0]) if keys else 1
    text = "[" + ",".join("(" + ",".join(quoted(v) for v in key) + ")" for key in keys) + "]"
    kind = "Array(Tuple(" + ", ".join(["Nullable(String)"] * width) + "))"
    return bind_text(params, text, kind)


def bind_ints(params: Params, values: list[int], kind: str = "Int32") -> str:
    return bind_text(params, "[" + ",".join(str(int(v)) for v in values) + "]",
                     f"Array({kind})")


def bind_strings(params: Params, values: list[str]) -> str:
    return params.bind(values, "Array(String)")


def text_of(columns: Columns, header: str) -> str:
    """A column as Nullable text, as the distinct-values query and the rows see it."""
    return f"toNullable(toString({column_ref(columns, header)}))"


def key_tuple(columns: Columns, mapping: dict[str, str], present: tuple[str, ...]) -> str:
    return "tuple(" + ", ".join(text_of(columns, mapping[c]) for c in present) + ")"


def distinct_sql(columns: Columns, mapping: dict[str, str], present: tuple[str, ...]) -> str:
    """The distinct combinations of the key columns over every row."""
    keys = ", ".join(f"{text_of(columns, mapping[c])} AS {quote_identifier('k:' + c)}"
                     for c in present)
    return f"SELECT {keys}, count() AS n FROM {columns.from_sql} GROUP BY ALL"


def labels_sql(columns: Columns, mapping: dict[str, str], breakdown: list[str]) -> str:
    """Each breakdown column's distinct values."""
    values = ", ".join(f"groupUniqArray({text_of(columns, mapping[c])}) AS "
                       f"{quote_identifier('b:' + c)}" for c in breakdown)
    return f"SELECT {values} FROM {columns.from_sql}"


def wall_micros(columns: Columns, header: str, params: Params, timezone: str,
                markers: str, naive: set[str]) -> tuple[str, str]:
    """(the column as Int64 microseconds of wall time in the config's zone, NULL when it
    does not parse; whether a value was given). Naive times are taken as wall times in
    the zone, zone-aware ones converted to it, text read best-effort (ISO 8601). `naive`:
    the columns a local Parquet file stores without a zone (chdb shows them as UTC)."""
    kind = columns.types[header].removeprefix("Nullable(").removeprefix("LowCardinality(")
    ref = column_ref(columns, header)
    if kind.startswith("DateTime"):
        wall = header in naive or (columns.local_files and "'" not in kind)
        text = f"toString({ref}, 'UTC')" if wall else f"toString({ref}, {params.bind(timezone)})"
        given = f"isNotNull({ref})"
    elif kind.startswith("Date"):
        text, given = f"toString({ref})", f"isNotNull({ref})"
    elif columns.is_text(header):
        clean = trimmed_sql(f"toString({ref})")
        blank = f"(isNull({ref}) OR {clean} = '' OR has({markers}, lowerUTF8({clean})))"
        given = f"NOT {blank}"
        zone = params.bind(timezone)
        text = (f"if({blank}, NULL, toString(parseDateTime64BestEffortOrNull({clean}, 6, "
                f"{zone}), {zone}))")
        # The wall time's text, read back as UTC (NULL stays NULL).
        return f"toUnixTimestamp64Micro(toDateTime64OrNull({text}, 6, 'UTC'))", given
    else:
        raise ValueError(kind)
    return f"toUnixTimestamp64Micro(toDateTime64({text}, 6, 'UTC'))", given


@dataclass
class DealRows:
    """The source's rows as SQL: rn, id, cid (index of its key combination), created_us,
    closed_us, changed_us, _reason (index into the reasons, NULL for a usable row),
    `b:<col>` breakdown labels; and the deals: one usable row of each id, the first or,
    with `newest` (the column of io/deals.NEWEST_BY it is read from), the one with the
    latest date (io/deals._newest_copies)."""

    rows: str
    deals: str
    reasons: tuple[str, ...]
    newest: str | None = None
    table: bool = False  # rows of a table, which has no row order (the first: earliest created)


def deal_rows(columns: Columns, mapping: dict[str, str], params: Params, timezone: str,
              bounds_us: tuple[int, int], keys: list[tuple], unknown_status: list[int],
              present: tuple[str, ...], labels: dict[str, tuple[list[str], list[str]]],
              markers: list[str], reasons: tuple[str, ...], row_order: str,
              naive: set[str], carried: dict[str, str] | None = None) -> DealRows:
    """unknown_status: per key combination, 1 when its status word is unknown.
    labels: per breakdown column, (distinct values, their labels). row_order: the SQL of
    the rows' order (the file's row number; on a table, see docs/engines.md). carried:
    more columns of each deal (name: its SQL over the row; the money view's)."""
    carried = carried or {}
    marker_array = bind_strings(params, markers)
    id_ref = column_ref(columns, mapping["deal_id"])
    deal_id = (trimmed_sql(f"toString({id_ref})") if columns.is_text(mapping["deal_id"])
               else f"toString({id_ref})")
    created, created_given = wall_micros(columns, mapping["created_at"], params, timezone,
                                         marker_array, naive)
    low, high = (params.bind(b, "Int64") for b in bounds_us)
    cid = f"indexOf({bind_keys(params, keys)}, {key_tuple(columns, mapping, present)})"
    rules = [
        " AND ".join(f"isNull({column_ref(columns, h)})" for h in sorted(set(mapping.values()))),
        "(isNull(id) OR id = '')", f"NOT ({created_given})", "isNull(created_us)",
        f"(created_us < {low} OR created_us >= {high})"]
    closed = "CAST(NULL, 'Nullable(Int64)')"
    if "closed_at" in mapping:
        closed, closed_given = wall_micros(columns, mapping["closed_at"], params, timezone,
                                           marker_array, naive)
        rules += [f"({closed_given}) AND isNull(closed_us)",
                  f"ifNull(closed_us < {low} OR closed_us >= {high}, 0)",
                  f"ifNull(intDiv(closed_us, {DAY_US}) < intDiv(created_us, {DAY_US}), 0)"]
    changed, newest = changed_micros(columns, mapping, params, timezone, marker_array, naive)
    if "status" in mapping:
        rules.append(f"{bind_ints(params, unknown_status, 'UInt8')}[cid] = 1")
    assert len(rules) == len(reasons)
    reason = "multiIf(" + ", ".join(f"{r}, {i}" for i, r in enumerate(rules)) + ", NULL)"
    bds = "".join(f", {label_sql(columns, mapping[c], params, *labels[c])} AS "
                  f"{quote_identifier('b:' + c)}" for c in labels)
    bds += "".join(f", {sql} AS {quote_identifier(name)}" for name, sql in carried.items())
    rows = (f"SELECT {row_order} AS rn, {deal_id} AS id, {cid} AS cid, "
            f"{created} AS created_us, {closed} AS closed_us, {changed} AS changed_us{bds},\n  "
            f"toNullable({reason}) AS _reason\nFROM {columns.from_sql}")
    names = ["cid", "created_us", "closed_us", *[quote_identifier("b:" + c) for c in labels],
             *map(quote_identifier, carried)]
    kept = ", ".join(names)
    unpack = ", ".join(f"d.{i} AS {name}" for i, name in enumerate(names, 1))
    first = f"argMin(tuple({kept}), rn)"
    undated = "0"  # a repeated id kept by row order for want of a date (the note says so)
    if newest:  # the latest change, ties the first; a copy without one: the first
        first = (f"if(countIf(isNull(changed_us)) > 0, {first}, argMin(tuple({kept}), "
                 "tuple(-ifNull(changed_us, 0), rn)))")
        undated = "count() > 1 AND countIf(isNull(changed_us)) > 0"
    deals = (f"SELECT id, {unpack}, copies, undated FROM (SELECT id, {first} AS d, "
             f"count() AS copies, toUInt8({undated}) AS undated"
             f"\nFROM (\n{rows}\n) WHERE isNull(_reason) GROUP BY id)")
    return DealRows(rows, deals, reasons, newest)


def changed_micros(columns: Columns, mapping: dict[str, str], params: Params, timezone: str,
                   markers: str, naive: set[str]) -> tuple[str, str | None]:
    """(the date that picks the copy of a repeated id kept as wall microseconds, its
    canonical name): the first of io/deals.NEWEST_BY mapped as a date or text, read as
    created_at is; otherwise NULL and None."""
    for canonical in NEWEST_BY:
        header = mapping.get(canonical)
        kind = columns.types.get(header, "").removeprefix("Nullable(").removeprefix(
            "LowCardinality(")
        if header is not None and (kind.startswith("Date") or columns.is_text(header)):
            return wall_micros(columns, header, params, timezone, markers, naive)[0], canonical
    return "CAST(NULL, 'Nullable(Int64)')", None


def label_sql(columns: Columns, header: str, params: Params, values: list[str],
              labels: list[str], missing: str = "'(empty)'") -> str:
    """A breakdown value's label (the reader's, worked out on the distinct values);
    a missing value is '(empty)', as metrics/breakdown labels it (or `missing`)."""
    text = text_of(columns, header)
    return (f"if(isNull({text}), {missing}, arrayElement({bind_strings(params, labels)}, "
            f"indexOf({bind_strings(params, values)}, assumeNotNull({text}))))")


def quality_sql(deal: DealRows) -> str:
    """rows, rows rejected per reason; and per key combination its usable deals."""
    counts = ", ".join(f"countIf(_reason = {i}) AS r{i}" for i in range(len(deal.reasons)))
    return f"SELECT count() AS rows, {counts} FROM (\n{deal.rows}\n)"


def usable_sql(deal: DealRows, manager: str | None = None) -> str:
    """Per key combination: its deals, and the duplicate rows they had; with `manager`
    (a column of the deals), per key combination and manager (the name matching's
    counts come from the same pass)."""
    mgr = f", {quote_identifier(manager)} AS mgr" if manager else ""
    return (f"SELECT cid{mgr}, count() AS deals, sum(copies) - count() AS duplicates, "
            f"sum(undated) AS undated\nFROM (\n{deal.deals}\n) GROUP BY cid"
            f"{', mgr' if manager else ''} ORDER BY cid")


def folded_sql(deals: str, params: Params, columns: list[str], names: dict[str, str]) -> str:
    """The deals with the manager name `columns` mapped by `names` (name as written ->
    the name shown; audit/manager_fold), the names bound as array parameters."""
    written, shown = (bind_strings(params, list(v)) for v in (names, names.values()))
    replaced = ", ".join(f"transform({quote_identifier(c)}, {written}, {shown}, "
                         f"{quote_identifier(c)}) AS {quote_identifier(c)}" for c in columns)
    return f"SELECT * REPLACE ({replaced}) FROM (\n{deals}\n)"


@dataclass
class FunnelKeys:
    """What the funnel makes of each key combination (1-based, as cid)."""

    depth: list[int]  # NOT_MEMBER for a deal that is not the funnel's
    outcome: list[int]  # WON / LOST / OPEN
    known: list[int]  # 1: the loss stage is known (or the deal is not lost)


def funnel_deals(deal: DealRows, keys: FunnelKeys, params: Params, with_cycle: bool) -> str:
    """The funnel's deals: depth, outcome, known, cycle (days, won deals with a close)."""
    depth = f"{bind_ints(params, keys.depth)}[cid]"
    outcome = f"{bind_ints(params, keys.outcome, 'Int8')}[cid]"
    known = f"{bind_ints(params, keys.known, 'UInt8')}[cid]"
    # As Polars: whole seconds between the wall times, in days, never below 0. Polars
    # divides a column by a number as a product with its reciprocal (not always the same
    # last bit as a division): so here too.
    per_day = params.bind(1 / 86400.0, "Float64")
    cycle = (f"if(outcome = {WON} AND isNotNull(closed_us), greatest(0., "
             f"intDiv(closed_us - created_us, 1000000) * {per_day}), NULL)"
             if with_cycle else "CAST(NULL, 'Nullable(Float64)')")
    return (f"SELECT *, {cycle} AS cycle FROM (SELECT *, {depth} AS depth, {outcome} AS "
            f"outcome, {known} AS known FROM (\n{deal.deals}\n)) WHERE depth != {NOT_MEMBER}")


def snoozed_sql(deals: str, params: Params, ids: list[str]) -> str:
    """The funnel's deal ids among a snooze file's `ids` (an array parameter)."""
    return (f"SELECT DISTINCT id FROM (\n{deals}\n) "
            f"WHERE has({params.bind(ids, 'Array(String)')}, id)")


def whole_sql(deals: str, n: int) -> str:
    """Over every deal of the funnel (no period): the closed deals that reached each
    stage and the won ones (stage probabilities), and the newest creation."""
    reached = ", ".join(f"countIf(outcome IN ({WON}, {LOST}) AND depth >= {k}) AS reached_{k}"
                        for k in range(1, n + 1))
    return (f"SELECT count() AS deals, countIf(outcome = {WON} AND depth >= 1) AS won, "
            f"countIf(outcome = {LOST} AND known = 0) AS unknown_lost, "
            f"{reached}, max(created_us) AS newest_us FROM (\n{deals}\n)")


def aggregate_sql(deals: str, n: int, breakdown: list[str], params: Params,
                  days: tuple[int, int] | None, kept: dict[str, list[str]] | None = None,
                  good: float | None = None) -> str:
    """One row for the funnel (set 0) and one per segment of each breakdown column (set
    j) over the deals created inside the period's days (days since 1970; None: all);
    with `kept`, the "(other)" rows of those columns' folded segments."""
    inner = ["count() AS entities",
             *[f"countIf(depth >= {k}) AS entered_{k}" for k in range(1, n + 1)],
             f"countIf(outcome = {WON}) AS won", f"countIf(outcome = {LOST}) AS lost",
             f"countIf(outcome = {LOST} AND known = 0) AS unknown",
             "arraySort(groupArrayIf(cycle, isNotNull(cycle))) AS cycles"]
    outer = ["set", "value", "entities", *[f"entered_{k}" for k in range(1, n + 1)],
             "won", "lost", "unknown", f"{linear(0.5)} AS cycle_median",
             f"{linear(0.9)} AS cycle_p90", "length(cycles) AS cycled"]
    if good is not None:  # the cycle target's won deals over `good` days
        outer.append(f"arrayCount(v -> v > {params.bind(good, 'Float64')}, cycles) AS over_good")
    chosen = [(j, c) for j, c in enumerate(breakdown, 1) if kept is None or c in kept]
    labels = [] if kept is not None else ["tuple(toUInt8(0), '')"]
    for j, c in chosen:
        value = quote_identifier("b:" + c)
        if kept is not None:
            value = f"if(has({bind_strings(params, kept[c])}, {value}), {value}, '(other)')"
        labels.append(f"tuple(toUInt8({j}), toString({value}))")
    where = f" WHERE {created_in(params, days)}"
    grouped = (f"SELECT s.1 AS set, s.2 AS value, {', '.join(inner)}\nFROM (\n{deals}\n)"
               f"\nARRAY JOIN [{', '.join(labels)}] AS s{where} GROUP BY set, value")
    return f"SELECT {', '.join(outer)}\nFROM (\n{grouped}\n)\nORDER BY set, value"


def created_in(params: Params, days: tuple[int, int] | None) -> str:
    """The condition of a deal created inside the period's days (days since 1970; None:
    every deal)."""
    if days is None:
        return "1"
    low, high = (params.bind(d, "Int64") for d in days)
    return f"intDiv(created_us, {DAY_US}) BETWEEN {low} AND {high}"
