"""The SQL of an event funnel on ClickHouse, built from the funnel definition.

Per entity: `windowFunnel(window[, mode])` gives the depth (the count the report is made
of). The same entity's events, sorted by (time, step) as windowFunnel sorts them, are
walked once more with arrayFold to learn what windowFunnel does not return: when each
step was first reached, from which chain start, and the breakdown values of the step-1
event that began the chain by which the entity first reached its deepest step (the
Polars engine's attribution). The query checks that both depths agree. Only aggregates
come back: counts per depth, and the median / p90 seconds from step 1 to each step, per
breakdown segment.

Nothing from the config or the data is pasted into the SQL: values are query parameters
(Params), names are quoted identifiers checked against the source's columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from funnelctl.config import Funnel, Stage
from funnelctl.config.events import Condition, Operators, PropertyValue, alternatives
from funnelctl.engines.sql import Params, linear, quote_identifier, trimmed_sql

NUMERIC = ("Int", "UInt", "Float", "Decimal")
TS_MAX_US = 2**62  # a window past the data's span is endless: capped, nothing overflows


@dataclass
class Columns:
    """The source's columns (name -> ClickHouse type) and the source's FROM clause."""

    types: dict[str, str]
    from_sql: str  # `db`.`t` or file({p:String}, Parquet)
    text_blank_is_null: bool = False  # CSV: an empty cell is a missing value (as Polars)
    local_files: bool = False  # chdb over path: (naive times are the config's local time)
    # Timestamp columns a local Parquet file stores without a zone: chdb shows them as
    # UTC, the Polars reader takes them as wall times in the config's zone (as here).
    naive: frozenset[str] = frozenset()

    def is_numeric(self, column: str) -> bool:
        base = self.types[column].removeprefix("Nullable(").removeprefix("LowCardinality(")
        return base.startswith(NUMERIC)

    def is_text(self, column: str) -> bool:
        base = self.types[column].removeprefix("Nullable(").removeprefix("LowCardinality(")
        return base.startswith(("String", "FixedString"))


def column_ref(columns: Columns, header: str) -> str:
    ref = quote_identifier(header)
    if columns.text_blank_is_null and columns.is_text(header):
        return f"nullIf({ref}, '')"
    return ref


def ts_micros(columns: Columns, header: str, params: Params, timezone: str) -> str:
    """The timestamp column as Int64 microseconds since 1970 (UTC); NULL if it does not
    parse. Text is read best-effort (ISO 8601; naive times in the config's zone)."""
    kind = columns.types[header].removeprefix("Nullable(").removeprefix("LowCardinality(")
    ref = column_ref(columns, header)
    if kind.startswith("DateTime"):
        if header in columns.naive:  # chdb shows it as UTC: its UTC digits are the wall time
            return (f"toUnixTimestamp64Micro(toDateTime64(toString({ref}, 'UTC'), 6, "
                    f"{params.bind(timezone)}))")
        if columns.local_files and "'" not in kind:  # a naive time in a file: local wall time
            return (f"toUnixTimestamp64Micro(toDateTime64(toString({ref}), 6, "
                    f"{params.bind(timezone)}))")
        return f"toUnixTimestamp64Micro(toDateTime64({ref}, 6))"
    if kind.startswith("Date"):
        return (f"toUnixTimestamp64Micro(toDateTime64(toString({ref}), 6, "
                f"{params.bind(timezone)}))")
    return (f"toUnixTimestamp64Micro(parseDateTime64BestEffortOrNull("
            f"{trimmed_sql(f'toString({ref})')}, 6, {params.bind(timezone)}))")


def step_condition(stage: Stage, columns: Columns, mapping: dict[str, str],
                   params: Params) -> str:
    """The event is one of the stage's names and passes `where` (as metrics/events.py)."""
    names = stage.values()
    condition = f"(ev IN {params.bind(names, 'Array(String)')})" if len(names) > 1 else \
        f"(ev = {params.bind(names[0])})"
    options = []
    for alternative in alternatives(stage.where):
        if alternative:
            tests = [_property(Prop(columns, c, mapping.get(c, c)), test, params)
                     for c, test in alternative.items()]
            options.append("(" + " AND ".join(tests) + ")")
    if options:
        condition += " AND (" + " OR ".join(options) + ")"
    return condition


@dataclass
class Prop:
    """An event property as the step conditions see it: its column in the clean select."""

    columns: Columns
    name: str  # canonical name (the clean select's `x:name`)
    header: str  # the column in the source

    @property
    def ref(self) -> str:
        return quote_identifier("x:" + self.name)

    def is_numeric(self) -> bool:
        return self.columns.is_numeric(self.header)

    def is_text(self) -> bool:
        return self.columns.is_text(self.header)


def _property(prop: Prop, test: Condition, params: Params) -> str:
    if isinstance(test, Operators):
        return "(" + " AND ".join(_operator(prop, op, operand, params)
                                  for op, operand in test.given().items()) + ")"
    return _is_in(prop, test if isinstance(test, list) else [test], params)


def _is_in(prop: Prop, values: list[PropertyValue], params: Params) -> str:
    ref = prop.ref
    numeric = prop.is_numeric() and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if numeric:
        bound = ", ".join(params.bind(v, "Float64") for v in values)
        return f"ifNull(toFloat64({ref}) IN ({bound}), 0)"
    texts = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return f"ifNull(toString({ref}) IN {params.bind(texts, 'Array(String)')}, 0)"


def _operator(prop: Prop, op: str, operand, params: Params) -> str:
    ref = prop.ref
    if op in ("=", "in"):
        return _is_in(prop, operand if op == "in" else [operand], params)
    if op in ("!=", "not", "not in"):
        return "NOT " + _is_in(prop, operand if op == "not in" else [operand], params)
    if op in ("present", "absent"):
        missing = f"(isNull({ref}) OR {trimmed_sql(f'toString({ref})')} = '')" \
            if prop.is_text() else f"isNull({ref})"
        return f"(NOT {missing})" if (op == "present") == operand else missing
    if op == "contains":
        return (f"ifNull(position(lowerUTF8(toString({ref})), "
                f"lowerUTF8({params.bind(operand)})) > 0, 0)")
    if op == "regex":
        return f"ifNull(match(toString({ref}), {params.bind(operand)}), 0)"
    sign = {">": ">", ">=": ">=", "<": "<", "<=": "<="}[op]
    return f"ifNull(toFloat64OrNull(toString({ref})) {sign} {params.bind(operand, 'Float64')}, 0)"


@dataclass
class Clean:
    """The canonical columns of the source as SQL, and the reject reasons."""

    select: str  # SELECT ... FROM source: ent, ev, ts_us, _reason, and the extras
    reasons: tuple[str, ...]


def clean_sql(columns: Columns, mapping: dict[str, str], extra: list[str],
              params: Params, timezone: str, plausible_us: tuple[int, int],
              reasons: tuple[str, ...]) -> Clean:
    """ent, ev, ts_us, _reason (index into reasons, NULL when the row is usable) and the
    extra columns (breakdowns, where properties) under their own quoted names."""
    ent_ref = column_ref(columns, mapping["entity_id"])
    ent = trimmed_sql(f"toString({ent_ref})") if columns.is_text(mapping["entity_id"]) else \
        f"toString({ent_ref})"
    ev = f"toString({column_ref(columns, mapping['event'])})"
    raw_ts = column_ref(columns, mapping["ts"])
    ts = ts_micros(columns, mapping["ts"], params, timezone)
    ts_missing = f"isNull({raw_ts})"
    if columns.is_text(mapping["ts"]):
        ts_missing += f" OR {trimmed_sql(f'toString({raw_ts})')} = ''"
    low, high = params.bind(plausible_us[0], "Int64"), params.bind(plausible_us[1], "Int64")
    ent_missing = f"isNull({ent_ref})" + (f" OR {ent} = ''" if
                                          columns.is_text(mapping["entity_id"]) else "")
    rules = [ent_missing, f"isNull({column_ref(columns, mapping['event'])})", ts_missing,
             "isNull(ts_us)", f"ts_us < {low} OR ts_us >= {high}"]
    reason = "multiIf(" + ", ".join(f"{rule}, {i}" for i, rule in enumerate(rules)) + ", NULL)"
    extras = [f"{column_ref(columns, mapping.get(c, c))} AS {quote_identifier('x:' + c)}"
              for c in extra]
    select = (f"SELECT {ent} AS ent, {ev} AS ev, {ts} AS ts_us,\n  "
              f"toNullable({reason}) AS _reason"
              + "".join(", " + e for e in extras) + f"\nFROM {columns.from_sql}")
    return Clean(select, reasons)


def quality_sql(clean: Clean, names: list[str], since_us: int | None, until_us: int | None,
                params: Params) -> str:
    """rows, rejects per reason, and the funnel names seen among the usable events."""
    counts = ", ".join(f"countIf(_reason = {i}) AS r{i}" for i in range(len(clean.reasons)))
    usable = "isNull(_reason) AND " + _wanted(names, since_us, until_us, params)
    return (f"SELECT count() AS rows, {counts}, groupUniqArrayIf(ev, {usable}) AS seen, "
            f"maxIf(ts_us, {usable}) AS latest_us, countIf({usable}) AS usable "
            f"FROM ({clean.select})")


def _wanted(names: list[str] | None, since_us: int | None, until_us: int | None,
            params: Params) -> str:
    """The events a funnel reads: its names (None: every event, as strict_order needs)
    inside the read range."""
    wanted = f"ev IN {params.bind(names, 'Array(String)')}" if names is not None else "1"
    if since_us is not None:
        wanted += f" AND ts_us >= {params.bind(since_us, 'Int64')}"
    if until_us is not None:
        wanted += f" AND ts_us <= {params.bind(until_us, 'Int64')}"
    return wanted


def entities_sql(clean: Clean, funnel: Funnel, columns: Columns, mapping: dict[str, str],
                 params: Params, names: list[str], read_range: tuple[int | None, int | None],
                 period_us: tuple[int, int] | None) -> str:
    """One row per entity reaching step 1: depth, time_k (seconds), the breakdown values."""
    n = len(funnel.stages)
    conditions = [step_condition(stage, columns, mapping, params) for stage in funnel.stages]
    if period_us is not None:
        conditions[0] = (f"({conditions[0]}) AND ts_us >= {params.bind(period_us[0], 'Int64')}"
                         f" AND ts_us < {params.bind(period_us[1], 'Int64')}")
    window_us = min(funnel.window_seconds() * 1_000_000, TS_MAX_US)
    window = params.bind(window_us, "UInt64")
    modes = sorted(funnel.order_modes())  # windowFunnel's own (config/engine.py checks)
    mode_args = "".join(f", {params.bind(m)}" for m in modes)
    strict = "strict_increase" in modes
    order = "strict_order" in modes
    breakdown = [quote_identifier("x:" + c) for c in funnel.breakdown]
    bd_tuple = ", ".join(f"toNullable(toString({b}))" for b in breakdown)
    steps_arr = "[" + ", ".join(f"toUInt8(ifNull({c}, 0))" for c in conditions) + "]"
    wf = ", ".join(f"toUInt8(ifNull({c}, 0))" for c in conditions)
    element = (f"tuple(toInt64(assumeNotNull(ts_us)), {steps_arr}"
               + (f", [{bd_tuple}]" if breakdown else "") + ")")
    # (time, step, index of the event in evs), sorted as windowFunnel sorts its events.
    matched = f"arrayFilter((k, c) -> c = 1, range(1, {n + 1}), e.2)"
    if order:  # an event of no step is step 0: it sorts before the steps at its instant
        matched = f"if(empty({matched}), [toUInt64(0)], {matched})"
    pairs = ("arraySort(arrayFlatten(arrayMap((e, i) -> "
             f"arrayMap(k -> (e.1, toInt64(k), toInt64(i)), {matched}), "
             "evs, arrayEnumerate(evs))))")
    # acc: S start, R reach time, I start's index (latest chain per step);
    # FT, FS, FI: the same at the first reach of each step; FG: the time from the reach
    # of the step before that the first reach extended.
    ok = (f"(x.2 = 1 OR (acc.1[x.2 - 1] >= 0 AND x.1 - acc.1[x.2 - 1] <= {window}"
          + (" AND x.1 > acc.2[x.2 - 1]" if strict else "") + "))")
    new_s = "if(x.2 = 1, x.1, acc.1[x.2 - 1])"
    new_i = "if(x.2 = 1, x.3, acc.3[x.2 - 1])"
    first = "acc.4[x.2] < 0"

    def put(arr: str, value: str, cond: str) -> str:
        return (f"arrayMap((v, j) -> if(j = x.2 AND {cond}, toInt64({value}), v), {arr}, "
                f"range(1, {n + 1}))")

    step = (f"if({ok}, tuple({put('acc.1', new_s, '1')}, {put('acc.2', 'x.1', '1')}, "
            f"{put('acc.3', new_i, '1')}, {put('acc.4', 'x.1', first)}, "
            f"{put('acc.5', new_s, first)}, {put('acc.6', new_i, first)}, "
            f"{put('acc.7', 'if(x.2 = 1, 0, x.1 - acc.2[x.2 - 1])', first)}, acc.8), acc)")
    # The modes that stop the walk (metrics/strict_modes.py): the first event that breaks
    # a rule ends it, and the depth is what was reached before it.
    stops = []
    if order:  # an event of no step, or (without allow_reentry) a step out of order
        stops.append("(x.2 = 0 AND acc.4[1] >= 0)")
        if "allow_reentry" not in modes:
            stops.append("(x.2 >= 2 AND acc.4[1] >= 0 AND acc.4[x.2 - 1] < 0)")
    if "strict_deduplication" in modes:  # a step already reached, again
        stops.append("(x.2 >= 2 AND acc.4[x.2] >= 0)")
    halted = "tuple(acc.1, acc.2, acc.3, acc.4, acc.5, acc.6, acc.7, toInt64(1))"
    if stops:
        step = f"multiIf({' OR '.join(stops)}, {halted}, x.2 = 0, acc, {step})"
    step = f"if(acc.8 = 1, acc, {step})"
    minus = f"arrayWithConstant({n}, toInt64(-1))"
    init = f"tuple({', '.join([minus] * 7)}, toInt64(0))"
    fold = f"arrayFold((acc, x) -> {step}, {pairs}, {init})"
    times = ", ".join(f"if(f.4[{k}] >= 0, (f.4[{k}] - f.5[{k}]) / 1e6, NULL) AS time_{k}, "
                      f"if(f.4[{k}] >= 0, f.7[{k}] / 1e6, NULL) AS gap_{k}"
                      for k in range(2, n + 1))
    bds = ", ".join(f"evs[f.6[depth]].3[{j + 1}] AS {quote_identifier('b:' + c)}"
                    for j, c in enumerate(funnel.breakdown))
    since, until = read_range
    inner = (f"SELECT ent,\n  windowFunnel({window}{mode_args})(toUInt64(ts_us), {wf}) AS wf,"
             f"\n  groupArray({element}) AS evs\nFROM (\n{clean.select}\n)\n"
             f"WHERE isNull(_reason) AND {_wanted(None if order else names, since, until, params)}"
             " GROUP BY ent")
    folded = f"SELECT ent, wf, evs,\n  {fold} AS f\nFROM (\n{inner}\n) WHERE wf > 0"
    return ("SELECT ent, wf, toUInt32(arrayCount(v -> v >= 0, f.4)) AS depth, "
            "f.5[depth] AS start_us"
            + (f", {times}" if times else "") + (f", {bds}" if bds else "")
            + f"\nFROM (\n{folded}\n)")


def aggregate_sql(entities: str, funnel: Funnel, params: Params,
                  kept: dict[str, list[str]] | None = None) -> str:
    """Aggregates of the entities: one row for the whole funnel (set 0) and one per
    segment of each breakdown column (set j), a checksum of the depths (bad), and with
    `kept` the folded segments ("(other)" for the values not kept) of those columns.
    Each row also has the time-to-convert distribution of time_k and gap_k (count,
    median, p90, histogram buckets as metrics/convert_time names them)."""
    from funnelctl.metrics.convert_time import buckets_for

    n = len(funnel.stages)
    timed = [c for k in range(2, n + 1) for c in (f"time_{k}", f"gap_{k}")]
    inner = ["count() AS entities",
             *[f"countIf(depth >= {k}) AS entered_{k}" for k in range(1, n + 1)],
             *[f"arraySort(groupArrayIf({c}, isNotNull({c}))) AS {quote_identifier('a:' + c)}"
               for c in timed],
             "countIf(depth != wf) AS bad"]
    buckets = buckets_for(funnel.window_seconds())
    outer = ["set", "value", "entities", *[f"entered_{k}" for k in range(1, n + 1)],
             *[f"{_linear(f'time_{k}', 0.5)} AS time_median_{k}, "
               f"{_linear(f'time_{k}', 0.9)} AS time_p90_{k}, "
               f"length({quote_identifier(f'a:time_{k}')}) AS timed_{k}"
               for k in range(2, n + 1)], "bad"]
    for c in timed:
        values = quote_identifier("a:" + c)
        outer += [f"length({values}) AS {quote_identifier(c + ':n')}",
                  f"{_linear(c, 0.5)} AS {quote_identifier(c + ':median')}",
                  f"{_linear(c, 0.9)} AS {quote_identifier(c + ':p90')}"]
        for i, (_, low, high) in enumerate(buckets):
            test = f"v >= {params.bind(low, 'Float64')}"
            if high is not None:
                test += f" AND v < {params.bind(high, 'Float64')}"
            outer.append(f"arrayCount(v -> {test}, {values}) AS {quote_identifier(f'{c}:{i}')}")
    chosen = [(j, c) for j, c in enumerate(funnel.breakdown, 1) if kept is None or c in kept]
    labels = [] if kept is not None else ["tuple(toUInt8(0), toNullable(toString('')))"]
    for j, c in chosen:
        value = f"ifNull({quote_identifier('b:' + c)}, '(empty)')"
        if kept is not None:
            value = f"if(has({params.bind(kept[c], 'Array(String)')}, {value}), {value}, '(other)')"
        labels.append(f"tuple(toUInt8({j}), toNullable({value}))")
    grouped = (f"SELECT s.1 AS set, s.2 AS value, {', '.join(inner)}\nFROM (\n{entities}\n)"
               f"\nARRAY JOIN [{', '.join(labels)}] AS s GROUP BY set, value")
    return f"SELECT {', '.join(outer)}\nFROM (\n{grouped}\n)\nORDER BY set, value"


def _linear(column: str, q: float) -> str:
    """The q-quantile of a column with linear interpolation in the same float steps as
    Polars (engines/deals_sql.linear over the column's values, its nulls left out):
    the same bits, not just 1e-12."""
    return linear(q, quote_identifier("a:" + column))


TRUNCATE = {"day": "toDate({d})", "week": "toStartOfWeek({d}, 1)",
            "month": "toStartOfMonth({d})"}


def trend_sql(entities: str, funnel: Funnel, params: Params, timezone: str) -> str:
    """One row per cohort (the local date of the step-1 event that began the entity's
    deepest chain, cut to the trend's day, week from Monday, or month)."""
    n = len(funnel.stages)
    day = f"toDate(fromUnixTimestamp64Micro(start_us, {params.bind(timezone)}))"
    cohort = TRUNCATE[funnel.trend].format(d=day)
    counts = ", ".join(f"countIf(depth >= {k}) AS entered_{k}" for k in range(1, n + 1))
    return (f"SELECT toString({cohort}) AS cohort, count() AS entities, {counts}, "
            f"max(start_us) AS latest_us\nFROM (\n{entities}\n)\nGROUP BY cohort "
            "ORDER BY cohort")
