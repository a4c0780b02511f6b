"""engine: clickhouse: the money view of a deals funnel (docs/money.md, docs/engines.md).

The aggregates metrics/value.py groups the deals into (per currency block: the (depth,
outcome) and (segment, outcome) tables with the won deals' medians; the lost deals per
loss reason, depth and currency) come from SQL (engines/money_sql.py), and the same
functions of value.py make the report's money of them (money_from, segments_from,
rest_from, reasons_from, block_plan), attached as on Polars (audit/money.attach_money).

Amounts must be a number column (Int, UInt, Float, Decimal): the Polars reader's text
amounts (`USD 485,000.00`, `1 234,50 ₽`) are parsed with Unicode-aware regular
expressions that ClickHouse's re2 does not match exactly, so a text amount column is a
config error here rather than a number read differently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from funnelctl.audit.money import attach_money, no_rate
from funnelctl.config import Config, Funnel, Source
from funnelctl.engines.clickhouse_client import Connection
from funnelctl.engines.clickhouse_sql import Columns, column_ref
from funnelctl.engines.deals_sql import (
    DAY_US,
    LOST,
    OPEN,
    WON,
    label_sql,
    text_of,
    wall_micros,
)
from funnelctl.engines.money_sql import (
    M_AMOUNT,
    M_CHANGED,
    M_CODE,
    M_CURRENCY,
    M_ENTERED,
    M_EXPECTED,
    M_LOSS,
    M_MANAGER,
    SET_BREAKDOWN,
    SET_DEPTH,
    SET_MANAGER,
    SET_REST,
    SET_WHOLE,
    Blocks,
    currencies_sql,
    currency_code,
    lost_sql,
    money_sql,
)
from funnelctl.engines.sql import Params, quote_identifier
from funnelctl.errors import ConfigError
from funnelctl.io.currency import currency_expr
from funnelctl.io.stage_dates import PREFIX, stage_date_headers
from funnelctl.io.values import null_markers
from funnelctl.metrics.funnel import DEPTH, OUTCOME
from funnelctl.metrics.outcome_tables import in_cents
from funnelctl.metrics.value import (
    CURRENCY,
    block_plan,
    money_from,
    reasons_from,
    rest_from,
    segments_from,
)
from funnelctl.report import FunnelResult

OUTCOME_NAMES = {WON: "won", LOST: "lost", OPEN: "open"}
_NONE = {"median": None, "cycle": None}  # a segment without won deals (as value.py)


@dataclass
class MoneyColumns:
    """The money columns a deals source maps, and the SQL that carries them per deal."""

    carried: dict[str, str] = field(default_factory=dict)
    amount: bool = False
    currency: bool = False
    loss: bool = False
    manager: bool = False
    expected: bool = False  # the forecast's expected close (a Date / DateTime column)
    text_dates: dict[str, str] = field(default_factory=dict)  # canonical: header, not read
    # max_days: auto's "Date entered" columns: canonical entered:<stage> -> carried name
    # (wall microseconds), and those stored as text (-> header), not read.
    entered: dict[str, str] = field(default_factory=dict)
    text_entered: dict[str, str] = field(default_factory=dict)


def money_columns(conn: Connection, columns: Columns, mapping: dict[str, str],
                  params: Params, config: Config, name: str, source: Source,
                  distinct: Callable, stuck: bool = False, auto: bool = False
                  ) -> MoneyColumns:
    """The amount (a number column, else a config error), the currency code and the loss
    reason label of each deal, as SQL over its row. `distinct(column)`: the column's
    distinct values and their stripped labels (clickhouse_deals.distinct_labels).
    `stuck`: a funnel of the source has max_days (its stage change and listed columns);
    `auto`: max_days: auto (the "Date entered" columns it learns from)."""
    found = MoneyColumns(manager="manager" in mapping)
    if stuck:
        stuck_columns(found, columns, mapping, params, config, source, distinct)
    if auto:
        entered_columns(found, columns, params, config, source)
    header = mapping.get("amount")
    if header in columns.types:
        if not columns.is_numeric(header):
            raise ConfigError(
                f"{amount_line(config, name, source)}: column '{header}' (amount) is "
                f"{columns.types[header]}: engine: clickhouse reads amounts stored as numbers "
                "(Int, UInt, Float, Decimal), not text such as 'USD 485,000.00'; store it as "
                "a number or run this source on engine: polars (docs/engines.md)")
        found.amount = True
        found.carried[M_AMOUNT] = f"toNullable(toFloat64({column_ref(columns, header)}))"
        currency = mapping.get("currency")
        if currency in columns.types:
            found.currency = True
            found.carried[M_CURRENCY] = currency_code(
                text_of(columns, currency), params, *reader_codes(currency, source, distinct),
                config.money.currency)
        forecast_columns(found, columns, mapping, params, config, source)
    if "manager" in mapping:  # the manager as the reader has it (stripped; missing: NULL)
        found.carried[M_MANAGER] = label_sql(columns, mapping["manager"], params,
                                             *distinct(mapping["manager"]), missing="NULL")
    if mapping.get("loss_reason") in columns.types:
        found.loss = True
        found.carried[M_LOSS] = label_sql(columns, mapping["loss_reason"], params,
                                          *distinct(mapping["loss_reason"]), missing="NULL")
    return found


def reader_codes(header: str, source: Source, distinct: Callable
                 ) -> tuple[list[str], list[str | None]]:
    """A currency column's distinct raw values and the reader's code of each
    (io/currency.currency_expr on the distinct values)."""
    raws, _ = distinct(header)
    codes = (pl.DataFrame({"c": raws}, schema={"c": pl.String})
             .select(currency_expr("c", null_markers(source.null_values)).alias("c"))
             ["c"].to_list())
    return raws, codes


def stuck_columns(found: MoneyColumns, columns: Columns, mapping: dict[str, str],
                  params: Params, config: Config, source: Source, distinct: Callable) -> None:
    """What stuck deals read: the stage change (wall microseconds) when stored as a date
    (as text: named in found.text_dates, an error with max_days), and the listed deals'
    amount and currency as the Polars reader has them (the reader's code, no default)."""
    header = mapping.get("stage_changed_at")
    if header in columns.types:
        if is_date(columns, header):
            markers = params.bind(null_markers(source.null_values), "Array(String)")
            found.carried[M_CHANGED], _ = wall_micros(columns, header, params, config.timezone,
                                                      markers, set(columns.naive))
        else:
            found.text_dates["stage_changed_at"] = header
    currency = mapping.get("currency")
    if currency in columns.types:
        found.carried[M_CODE] = currency_code(text_of(columns, currency), params,
                                              *reader_codes(currency, source, distinct), None)


def entered_columns(found: MoneyColumns, columns: Columns, params: Params, config: Config,
                    source: Source) -> None:
    """HubSpot's "Date entered" columns (io/stage_dates.py), as max_days: auto reads them:
    a Date / DateTime column as wall microseconds; one stored as text is not read."""
    markers = params.bind(null_markers(source.null_values), "Array(String)")
    for i, (stage, header) in enumerate(stage_date_headers(list(columns.types)).items()):
        canonical = PREFIX + stage
        if not is_date(columns, header):
            found.text_entered[canonical] = header
            continue
        wall, _ = wall_micros(columns, header, params, config.timezone, markers,
                              set(columns.naive))
        found.entered[canonical] = f"{M_ENTERED}{i}"
        found.carried[f"{M_ENTERED}{i}"] = f"CAST({wall}, 'Nullable(Int64)')"


def forecast_columns(found: MoneyColumns, columns: Columns, mapping: dict[str, str],
                     params: Params, config: Config, source: Source) -> None:
    """The forecast's expected close of a priced source, when stored as a date (a text
    one is named in the data-quality notes, clickhouse_deals.UNREAD)."""
    header = mapping.get("expected_close")
    if header in columns.types and not is_date(columns, header):
        found.text_dates["expected_close"] = header  # named: the forecast's, the plan's
    elif header in columns.types:
        markers = params.bind(null_markers(source.null_values), "Array(String)")
        wall, _ = wall_micros(columns, header, params, config.timezone, markers,
                              set(columns.naive))
        found.carried[M_EXPECTED] = f"intDiv({wall}, {DAY_US})"
    found.expected = M_EXPECTED in found.carried


def is_date(columns: Columns, header: str) -> bool:
    kind = columns.types[header].removeprefix("Nullable(").removeprefix("LowCardinality(")
    return kind.startswith("Date")


def amount_line(config: Config, name: str, source: Source) -> str:
    """file:line of what maps the amount: `columns: amount:`, else the preset or source."""
    if "amount" in source.columns:
        return config.where(("sources", name, "columns", "amount"))
    return config.where(("sources", name, "preset" if source.preset else "path"))


def add_money(run: Callable, money: MoneyColumns, funnel: Funnel, config: Config,
              result: FunnelResult, days: tuple[int, int] | None) -> None:
    """result's money view, loss reasons and segments' money over the period's deals, as
    audit/money.add_money makes them on Polars. `run(builder)`: the rows of the statement
    `builder(the funnel's deals SQL, a fresh copy of its params)`."""
    names = [s.name for s in funnel.stages]
    if not money.amount:
        result.loss_reasons = _loss_reasons(run, money, days, names, None, None)
        return
    codes, converted, blocks = _blocks(run, money, funnel, config, days)
    result.loss_reasons = _loss_reasons(run, money, days, names, blocks,
                                        None if blocks.split else codes[0])
    managers = money.manager and "manager" not in funnel.breakdown
    sets = _sets(funnel, result, managers, len(codes) == 1)
    tables = _tables(run(lambda deals, params: money_sql(deals, params, days, blocks, sets)))
    if len(codes) > 1:
        result.money_by_currency = [_money(tables.get(code, {}), names, code, {}, funnel)
                                    for code in codes]
        return
    block = tables.get(None, {})  # one block: no block column
    by_column = {c: segments_from(*_segment_table(block.get(SET_BREAKDOWN + j)),
                                  funnel.min_sample)
                 for j, c in enumerate(funnel.breakdown, 1)}
    rest = {c: _won_medians(block.get(SET_REST + j)).get("(other)", _NONE)
            for j, c in enumerate(funnel.breakdown, 1)}
    attach_money(result, _money(block, names, codes[0], converted, funnel), by_column,
                 lambda column, folded, kept, label: rest_from(rest[column], folded, label,
                                                               funnel.min_sample))


def _loss_reasons(run: Callable, money: MoneyColumns, days: tuple[int, int] | None,
                  names: list[str], blocks: Blocks | None, code: str | None) -> list:
    """The loss reasons (value.reasons_from); `blocks` None: no amounts, counts only;
    `code`: the one block's currency (None: each deal's block)."""
    if not money.loss:
        return []
    lost = run(lambda deals, params: lost_sql(deals, params, days, blocks))
    return reasons_from(_lost_frame(lost, code, blocks is not None), names,
                        priced=blocks is not None)


def _money(block: dict[int, list[dict]], names: list[str], code: str | None,
           converted: dict[str, int], funnel: Funnel):
    """One currency block's Money (value.money_from) from its money_sql rows."""
    whole = _won_medians(block.get(SET_WHOLE)).get("", _NONE)
    managers = (segments_from(*_segment_table(block[SET_MANAGER]), funnel.min_sample)
                if SET_MANAGER in block else {})
    return money_from(_outcome_frame(block.get(SET_DEPTH), DEPTH, int),
                      {"median": whole["median"], "cycle": whole["cycle"]}, names, code,
                      funnel.min_sample, converted, managers)


def _blocks(run: Callable, money: MoneyColumns, funnel: Funnel, config: Config,
            days: tuple[int, int] | None
            ) -> tuple[list[str | None], dict[str, int], Blocks]:
    """The currency blocks of the period's deals (metrics/value.block_plan); a currency
    without a rate in `money.rates` is the config error the Polars engine gives (over the
    period's deals, then over all the funnel's, as the forecast's check there)."""
    default, rates = config.money.currency, config.money.rates
    if not money.currency:
        return [default], {}, Blocks(split=False)
    where = config.where(("money", "rates"))
    plans = []
    for span in (days, None) if rates else (days,):
        found = run(lambda deals, params, span=span: currencies_sql(deals, params, span))
        counts = sorted(((r["code"], int(r["priced"])) for r in found if int(r["priced"])),
                        key=lambda r: (-r[1], r[0] is None, r[0] or ""))
        plan = block_plan(counts, [r["code"] for r in found], default, rates)
        if plan[2]:
            raise no_rate(plan[2], config.money, funnel, where)
        plans.append(plan)
    codes, converted, _ = plans[0]
    if converted:
        return codes, converted, Blocks(split=False, rates={**rates, default: 1.0})
    return codes, {}, Blocks(split=len(codes) > 1)


def currency_blocks_of(run: Callable, money: MoneyColumns, funnel: Funnel, config: Config
                       ) -> tuple[list[str | None], Blocks]:
    """The currency blocks of all the funnel's deals (the forecast's, as
    audit/forecast.priced_blocks on Polars)."""
    codes, _, blocks = _blocks(run, money, funnel, config, None)
    return codes, blocks


def _sets(funnel: Funnel, result: FunnelResult, managers: bool, one_block: bool
          ) -> list[tuple[int, str, list[str] | None]]:
    """The grouping sets of money_sql: (id, key SQL, the kept values of a folded
    breakdown's "(other)" medians)."""
    sets = [(SET_WHOLE, "''", None), (SET_DEPTH, "depth", None)]
    if managers:
        sets.append((SET_MANAGER, quote_identifier("b:manager"), None))
    if not one_block:  # segments' money needs one currency
        return sets
    for j, column in enumerate(funnel.breakdown, 1):
        label = quote_identifier("b:" + column)
        sets.append((SET_BREAKDOWN + j, label, None))
        segs = result.breakdowns.get(column, [])
        if any(seg.folded for seg in segs):
            sets.append((SET_REST + j, label, [seg.value for seg in segs if not seg.folded]))
    return sets


def _tables(rows: list[dict]) -> dict[str | None, dict[int, list[dict]]]:
    """The money_sql rows per block and set."""
    out: dict[str | None, dict[int, list[dict]]] = {}
    for row in rows:
        out.setdefault(row["blk"], {}).setdefault(int(row["set"]), []).append(row)
    return out


def _outcome_frame(rows: list[dict] | None, key: str, cast) -> pl.DataFrame:
    """value.py's _outcome_table of the rows: key, outcome, deals, value, priced, sorted
    as there (so every sum over it adds in the same order)."""
    data = [{key: cast(r["key"]), OUTCOME: OUTCOME_NAMES[int(r["outcome"])],
             "deals": int(r["deals"]), "value": float(r["value"]), "priced": int(r["priced"])}
            for r in rows or []]
    schema = {key: pl.Int64 if cast is int else pl.String, OUTCOME: pl.String,
              "deals": pl.UInt32, "value": pl.Float64, "priced": pl.UInt32}
    # (in cents, as on Polars: outcome_tables.in_cents)
    return (pl.DataFrame(data, schema=schema).with_columns(in_cents(pl.col("value")))
            .sort(key, OUTCOME, nulls_last=True))


def _won_medians(rows: list[dict] | None) -> dict[str, dict]:
    """key -> {median, cycle} of the won deals."""
    return {r["key"]: {"_segment": r["key"], "median": _float(r["median"]),
                       "cycle": _float(r["cycle"])}
            for r in rows or [] if int(r["outcome"]) == WON}


def _float(value) -> float | None:
    return float(value) if value is not None else None


def _segment_table(rows: list[dict] | None) -> tuple[pl.DataFrame, dict[str, dict]]:
    return _outcome_frame(rows, "_segment", str), _won_medians(rows)


def _lost_frame(rows: list[dict], code: str | None, priced: bool) -> pl.LazyFrame:
    """The lost deals per (loss_reason, depth[, currency]) as reasons_from reads them:
    `code`, the one block's currency (None: each row's own block); not priced: no
    currency, no value (as value.loss_reasons without amounts)."""
    frame = pl.DataFrame(
        [{"loss_reason": r["loss_reason"], DEPTH: int(r["depth"]),
          CURRENCY: code if code is not None else r["blk"], "deals": int(r["deals"]),
          "value": float(r["value"]) if priced and r["value"] is not None else None}
         for r in rows],
        schema={"loss_reason": pl.String, DEPTH: pl.Int64, CURRENCY: pl.String,
                "deals": pl.UInt32, "value": pl.Float64}).with_columns(in_cents(pl.col("value")))
    return (frame if priced else frame.drop(CURRENCY)).lazy()
