"""engine: clickhouse for a deals snapshot: the funnels run as SQL on ClickHouse (a
server over HTTP, or chdb in process) and only aggregates come back. The results are the
FunnelResult / SourceQuality the Polars engine makes (metrics/breakdown.from_rows), so the
checks and the renderers do not know which engine ran.

The reader's row work is done on distinct values, with the reader's own functions: one
query returns the distinct (stage, status, lost stage, pipeline) combinations and the
breakdown values; metrics/funnel.deal_depths gives each combination its depth, outcome
and whether its loss stage is known, per funnel; that goes back as array parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import polars as pl

from funnelctl.audit.cohort import unknown_loss_stage
from funnelctl.audit.history import stuck_moment
from funnelctl.audit.manager_fold import config_fold
from funnelctl.checks import check_empty_period, check_funnel, check_stage_values
from funnelctl.checks_money import check_money
from funnelctl.config import Config, Funnel, Source
from funnelctl.engines.clickhouse import (
    _copy,
    describe,
    locate,
    refold,
    segment_parts,
    settings,
)
from funnelctl.engines.clickhouse_client import Connection, connect
from funnelctl.engines.clickhouse_forward import forward_view
from funnelctl.engines.clickhouse_money import MoneyColumns, add_money, is_date, money_columns
from funnelctl.engines.clickhouse_sql import Columns
from funnelctl.engines.deals_sql import (
    EPOCH,
    KEY_COLUMNS,
    LOST,
    NOT_MEMBER,
    OPEN,
    WON,
    DealRows,
    FunnelKeys,
    aggregate_sql,
    deal_rows,
    distinct_sql,
    folded_sql,
    funnel_deals,
    labels_sql,
    micros,
    quality_sql,
    usable_sql,
    whole_sql,
)
from funnelctl.engines.money_sql import M_MANAGER
from funnelctl.engines.sql import Params
from funnelctl.errors import DataError
from funnelctl.io.deals import (
    CLOSED_BEFORE_CREATED,
    DUPLICATE,
    EARLIEST_COPY,
    FIRST_COPY,
    _statuses,
    column_mapping,
    duplicate_note,
    resolve_preset,
)
from funnelctl.io.presets import product_columns, with_preset_outcomes
from funnelctl.io.readers import RawSource
from funnelctl.io.stage_dates import WIDE_COLUMN
from funnelctl.io.values import (
    EDGES,
    null_markers,
    out_of_range,
    plausible,
    strip_on_distinct,
)
from funnelctl.metrics.breakdown import EMPTY, from_rows
from funnelctl.metrics.forecast import probabilities_from_counts
from funnelctl.metrics.funnel import DEPTH, LOSS_STAGE_KNOWN, OUTCOME, deal_depths, suspect_values
from funnelctl.metrics.periods import DateRange, today_in
from funnelctl.metrics.value import cycle_target_from
from funnelctl.report import INSUFFICIENT, Finding, FunnelResult, SourceQuality

# A column the Polars reader uses for the forecast, read on ClickHouse when it is
# stored as a date (Date / DateTime); as text it is not read yet (docs/engines.md), and
# the report says so. (A text stage_changed_at is an error with max_days: clickhouse_forward.)
UNREAD = ("expected_close",)
OUTCOME_CODES = {"won": WON, "lost": LOST, "open": OPEN}


@dataclass
class DealSource:
    """What the SQL of a deals source's funnels needs."""

    conn: Connection
    columns: Columns
    rows: DealRows
    params: Params
    keys: pl.DataFrame  # per key combination (row i is cid i + 1): the canonical values
    path: str
    has_status: bool
    has_lost_stage: bool
    preset: str | None
    raw: RawSource
    has_closed: bool
    money: MoneyColumns
    mapping: dict[str, str]
    notes_at: int  # where the unread note goes in raw.notes


def open_deals(name: str, source: Source, config: Config, users: list[Funnel],
               as_of: dt.date | None) -> DealSource:
    conn = connect(name, source)
    params = Params()
    place = locate(name, source, params)
    from_sql, path, detected, notes = place.from_sql, place.path, place.detected, place.notes
    # a table has no row order: its earliest-created row of an id is kept
    row_order = "tuple(created_us, cid, id)" if source.table is not None else "_row_number"
    types = describe(conn, from_sql, params, source.table is not None, place.text_blank)
    raw = RawSource(name, path, pl.LazyFrame(schema=dict.fromkeys(types, pl.String)),
                    list(types), detected, notes)
    breakdown = sorted({c for f in users for c in f.breakdown})
    mapping = column_mapping(raw, source, breakdown)
    preset = resolve_preset(raw, source)
    columns = Columns(types, from_sql, place.text_blank, source.table is None, place.naive)
    for canonical in ("created_at", "closed_at"):
        header = mapping.get(canonical)
        if header in types and not _is_date_or_text(columns, header):
            raise conn.fail(f"column '{header}' ({canonical}) is {types[header]}: engine: "
                            "clickhouse reads dates, date-times or ISO 8601 text")
    notes_at = len(raw.notes)  # the unread note goes here once the funnels are known
    if products := product_columns(preset, raw.columns):
        raw.notes.append(products_unread_note(products))
    present = tuple(c for c in KEY_COLUMNS if c in mapping)
    combos = conn.query(distinct_sql(columns, mapping, present) + settings(columns),
                        dict(params.values))
    raw_keys = [tuple(row[f"k:{c}"] for c in present) for row in combos]
    keys = canonical_keys(raw_keys, present, source, preset)
    # The manager's label too: the money view has every manager's money.
    labelled = sorted({*breakdown, *(["manager"] if "manager" in mapping else [])})
    labels = {c: distinct_labels(conn, columns, mapping, c, params) for c in labelled}
    money = money_columns(conn, columns, mapping, params, config, name, source, lambda header:
                          distinct_values(conn, columns, header, params),
                          stuck=any(s.max_days for f in users for s in f.stages),
                          auto=any(s.max_days == "auto" for f in users for s in f.stages))
    dates = plausible(as_of, config.timezone)
    reasons = ["blank line", "missing deal id", "missing created_at", "unparseable created_at",
               out_of_range("created_at")]
    if "closed_at" in mapping:
        reasons += ["unparseable closed_at", out_of_range("closed_at"), CLOSED_BEFORE_CREATED]
    has_status = "status" in mapping
    unknown_status = [0] * len(raw_keys)
    if has_status:
        reasons.append("unknown status value")
        unknown_status = keys["status"].is_null().cast(pl.UInt8).to_list()
    rows = deal_rows(columns, mapping, params, config.timezone,
                     (micros(dates.start), micros(dates.end)), raw_keys, unknown_status,
                     present, labels, null_markers(source.null_values), tuple(reasons),
                     row_order, set(columns.naive), money.carried)
    rows.table = source.table is not None
    return DealSource(conn, columns, rows, params, keys, path, has_status,
                      "lost_stage" in mapping, preset, raw, "closed_at" in mapping, money,
                      mapping, notes_at)


def unread_note(raw: RawSource, mapping: dict[str, str], columns: Columns,
                loss_dates: bool, at: int) -> None:
    """The data-quality note naming the columns read on Polars only, and what needs them
    (put at `at` in the notes). `loss_dates`: a lost deal's stage is unknown (the Polars
    engine then reads it from the "Date entered" columns; else they change no depth)."""
    types = columns.types
    priced = mapping.get("amount") in types  # the forecast needs amounts
    unread = {f"'{mapping[c]}' ({c}, stored as text)": "the forecast" for c in UNREAD
              if mapping.get(c) in types and priced and not is_date(columns, mapping[c])}
    if loss_dates:
        unread |= {f"'{c}'": "loss stages from stage dates" for c in types
                   if WIDE_COLUMN.match(c)}
    if unread:
        needs = list(dict.fromkeys(unread.values()))
        raw.notes.insert(at,
            "engine: clickhouse does not read " + ", ".join(unread) + " yet: "
            + " and ".join(needs) + (" run" if len(needs) > 1 else " runs")
            + " on engine: polars (docs/engines.md)")


def products_unread_note(products: list[str]) -> str:
    """Product rows are folded into their deal by the Polars reader only (io/deals.py)."""
    return ("engine: clickhouse does not fold product rows yet ("
            + ", ".join(f"'{c}'" for c in products) + "): a deal's later rows are duplicate "
            "deal ids and its amount is its first product's; on engine: polars they are "
            "summed (docs/engines.md)")


def _is_date_or_text(columns: Columns, header: str) -> bool:
    kind = columns.types[header].removeprefix("Nullable(").removeprefix("LowCardinality(")
    return kind.startswith("Date") or columns.is_text(header)


def canonical_keys(raw_keys: list[tuple], present: tuple[str, ...], source: Source,
                   preset: str | None) -> pl.DataFrame:
    """The key combinations as the reader makes them: stage, lost stage and pipeline
    stripped, the status word looked up (io/deals.py's own functions)."""
    frame = pl.DataFrame([list(k) for k in raw_keys] or None,
                         schema=dict.fromkeys(present, pl.String), orient="row")
    frame = strip_on_distinct(frame, [c for c in present if c != "status"])
    if "status" in present:
        frame = frame.with_columns(_statuses(frame["status"], source, preset))
    return frame


def distinct_labels(conn: Connection, columns: Columns, mapping: dict[str, str],
                    column: str, params: Params) -> tuple[list[str], list[str]]:
    """A breakdown column's distinct values and their labels (stripped, as the reader)."""
    return distinct_values(conn, columns, mapping[column], params)


def distinct_values(conn: Connection, columns: Columns, header: str, params: Params
                    ) -> tuple[list[str], list[str]]:
    """A column's distinct values and their labels (stripped, as the reader)."""
    sql = labels_sql(columns, {"c": header}, ["c"]) + settings(columns)
    values = sorted(conn.query(sql, dict(params.values))[0]["b:c"])
    labels = pl.Series(values, dtype=pl.String).str.strip_chars(EDGES).to_list()
    return values, labels


def funnel_keys(keys: pl.DataFrame, funnel: Funnel, deals: DealSource, alone: bool
                ) -> FunnelKeys:
    """Depth, outcome and known loss stage of each key combination (metrics/funnel.py)."""
    if funnel.pipeline is not None and "pipeline" not in keys.columns:
        from funnelctl.errors import ConfigError

        raise ConfigError(f"funnel '{funnel.name}' has `pipeline:` but source "
                          f"'{funnel.source}' maps no pipeline column: add it under "
                          f"sources.{funnel.source}.columns")
    frame = keys
    if not deals.has_status:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("status"))
    judged = deal_depths(frame, with_preset_outcomes(funnel, deals.preset), deals.has_status,
                         deals.has_lost_stage, claim_closed=alone)
    return FunnelKeys(
        depth=judged[DEPTH].fill_null(NOT_MEMBER).to_list(),
        outcome=judged[OUTCOME].replace_strict(OUTCOME_CODES, default=OPEN,
                                               return_dtype=pl.Int8).to_list(),
        known=judged[LOSS_STAGE_KNOWN].fill_null(True).cast(pl.UInt8).to_list())


def deal_funnels(config: Config, name: str, source: Source, users: list[Funnel],
                 dates: DateRange, before: DateRange | None,
                 qualities: dict[str, SourceQuality], as_of: dt.date | None
                 ) -> Iterator[tuple[FunnelResult, FunnelResult | None, list[Finding]]]:
    """(result, the result over `before` or None, findings) for the source's funnels."""
    deals = open_deals(name, source, config, users, as_of)
    moment = stuck_moment(dates, as_of or today_in(config.timezone))
    per_funnel = [funnel_keys(deals.keys, f, deals, len(users) == 1) for f in users]
    unread_note(deals.raw, deals.mapping, deals.columns, any(
        o == LOST and not k for keys in per_funnel for o, k in zip(keys.outcome, keys.known)),
        deals.notes_at)
    quality, present, managers = source_quality(deals, users, per_funnel)
    qualities[name] = quality
    quality.notes += fold_managers(deals, managers, config)
    for funnel, keys in zip(users, per_funnel):
        params = _copy(deals.params)
        sql = funnel_deals(deals.rows, keys, params, deals.has_closed)
        result, unknown = period_result(deals, funnel, sql, params, dates, config, True)
        whole = _query(deals, whole_sql(sql, len(funnel.stages)), params)[0]
        found = check_funnel(result, funnel)
        add_money(_runner(deals, sql, params), deals.money, funnel, config, result,
                  _days(dates))
        found += check_money(result, funnel)
        found += check_stage_values(funnel, suspect_values(funnel, present))
        newest = (EPOCH + dt.timedelta(microseconds=int(whole["newest_us"]))
                  if int(whole["deals"]) else None)
        found += check_empty_period(result, dates.start, dates.end, newest)
        found += unknown_loss_stage(result, quality, funnel, unknown)
        if config.norms is not None and deals.money.manager:
            from funnelctl.audit.scorecard import left_out_note  # only with a scorecard

            quality.notes.append(left_out_note(funnel.name))
        probabilities = probabilities_from_counts(whole, funnel)
        for stage, probability in zip(result.stages, probabilities):
            stage.probability = probability
        found += forward_view(_runner(deals, sql, params), deals.money, funnel, config,
                              result, probabilities, moment, deals.has_closed)
        earlier = (period_result(deals, funnel, sql, params, before, config, False)[0]
                   if before else None)
        yield result, earlier, found


def fold_managers(deals: DealSource, managers: dict[str, int], config: Config) -> list[str]:
    """The manager names folded as on the Polars engine (audit/manager_fold), from the
    distinct names with their deals; the mapping goes into the deals' SQL as parameters.
    Returns the fold's data-quality notes."""
    fold = config_fold(managers, config)
    if fold.counts_as:
        deals.rows = replace(deals.rows, deals=folded_sql(
            deals.rows.deals, deals.params, ["b:manager", M_MANAGER], fold.counts_as))
    return fold.notes


def _runner(deals: DealSource, funnel_sql: str, params: Params) -> Callable:
    """Runs builder(the funnel's deals SQL, a copy of its params) (clickhouse_money)."""
    def run(builder: Callable[[str, Params], str]) -> list[dict]:
        local = _copy(params)
        return _query(deals, builder(funnel_sql, local), local)
    return run


def _query(deals: DealSource, sql: str, params: Params) -> list[dict]:
    return deals.conn.query(sql + settings(deals.columns), params.values)


def _days(dates: DateRange) -> tuple[int, int] | None:
    if dates.start is None:
        return None
    epoch = dt.date(1970, 1, 1)
    return (dates.start - epoch).days, (dates.end - epoch).days


def period_result(deals: DealSource, funnel: Funnel, funnel_sql: str, params: Params,
                  dates: DateRange, config: Config, targets: bool) -> tuple[FunnelResult, int]:
    """The funnel over the deals created in the period (cohort view), and its lost deals
    of unknown stage; targets: with the cycle target (the audited period)."""
    n = len(funnel.stages)
    good = funnel.cycle_days.good if targets and funnel.cycle_days is not None else None
    days = _days(dates)
    local = _copy(params)
    rows = [_row(r) for r in _query(deals, aggregate_sql(funnel_sql, n, funnel.breakdown, local,
                                                         days, good=good), local)]
    total = next((r for r in rows if r["set"] == 0), None) or _empty_row(n)
    parts, kept = segment_parts(rows, funnel)
    if kept:  # the other row's medians come from its deals, not from the segments
        local = _copy(params)
        refold(parts, funnel, (_row(r) for r in _query(deals, aggregate_sql(
            funnel_sql, n, funnel.breakdown, local, days, kept), local)))
    result = from_rows(funnel, "deals", total, parts, config.significance)
    if good is not None:
        target = cycle_target_from(total["cycle_median"], int(total["cycled"]),
                                   int(total.get("over_good") or 0), good,
                                   funnel.cycle_days.acceptable)
        if target.verdict is not None and target.won_deals < funnel.min_sample:
            target.verdict = INSUFFICIENT
        result.cycle_target = target
    return result, int(total["unknown"])


def _row(row: dict) -> dict:
    out = dict(row)
    for key in ("cycle_median", "cycle_p90"):
        out[key] = float(row[key]) if row.get(key) is not None else None
    return out


def _empty_row(n: int) -> dict:
    return {"entities": 0, **{f"entered_{k}": 0 for k in range(1, n + 1)}, "won": 0,
            "lost": 0, "unknown": 0, "cycle_median": None, "cycle_p90": None, "cycled": 0,
            "over_good": 0}


def source_quality(deals: DealSource, users: list[Funnel], per_funnel: list[FunnelKeys]
                   ) -> tuple[SourceQuality, list[str], dict[str, int]]:
    """The source's rows and rejects per reason (as the Polars reader counts them), the
    deals whose stage is no funnel's; the stage values of the usable deals, and their
    deals per manager name (none when no manager is mapped)."""
    reasons = deals.rows.reasons
    row = _query(deals, quality_sql(deals.rows), deals.params)[0]
    rows = int(row["rows"])
    if rows == 0:
        raise DataError(f"{deals.path}: has a header but no data rows")
    counts = {reasons[i]: int(row[f"r{i}"]) for i in range(len(reasons)) if int(row[f"r{i}"])}
    usable = _usable(deals)
    duplicates = sum(int(r["duplicates"]) for r in usable)
    undated = sum(int(r["undated"]) for r in usable)
    if duplicates:
        counts[DUPLICATE] = duplicates
    if not usable:
        reason = max(counts, key=lambda r: (counts[r], r))
        raise DataError(f"{deals.path}: no usable rows: all {rows} were rejected, "
                        f"{counts[reason]} for {reason} (source '{deals.raw.name}')")
    stages = deals.keys["stage"].to_list()
    unmatched: dict[str, int] = {}
    for r in usable:
        i = int(r["cid"]) - 1
        if all(keys.depth[i] == NOT_MEMBER for keys in per_funnel):
            value = EMPTY if stages[i] in (None, "") else str(stages[i])  # named, not None
            unmatched[value] = unmatched.get(value, 0) + int(r["deals"])
    if unmatched:
        reason = "stage matches no stage of funnel " + ", ".join(f"'{f.name}'" for f in users)
        counts[reason] = sum(unmatched.values())
    ordered = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    quality = SourceQuality(name=deals.raw.name, path=deals.path, rows_read=rows,
                            rows_rejected=sum(ordered.values()), reasons=ordered,
                            detected=deals.raw.detected,
                            unmatched_stages=dict(sorted(unmatched.items(),
                                                         key=lambda i: (-i[1], i[0]))),
                            notes=list(deals.raw.notes))
    if duplicates:
        quality.notes.append(duplicate_note(duplicates, deals.rows.newest, undated,
                                            EARLIEST_COPY if deals.rows.table else FIRST_COPY))
    present = sorted({str(stages[int(r["cid"]) - 1]) for r in usable
                      if stages[int(r["cid"]) - 1] is not None})
    return quality, present, per_manager(usable)


def _usable(deals: DealSource) -> list[dict]:
    """The usable deals per key combination (and manager name, when one is mapped)."""
    return _query(deals, usable_sql(deals.rows, M_MANAGER if deals.money.manager else None),
                  deals.params)


def per_manager(usable: list[dict]) -> dict[str, int]:
    """Each manager name of the usable-deals rows with its deals."""
    managers: dict[str, int] = {}
    for r in usable:
        if r.get("mgr") is not None:
            managers[r["mgr"]] = managers.get(r["mgr"], 0) + int(r["deals"])
    return managers


def explain(config: Config, name: str, source: Source, users: list[Funnel],
            dates: DateRange, as_of: dt.date | None) -> Iterator[tuple[Funnel, str]]:
    """(funnel, the SQL of its aggregates with the parameters listed after it). The
    source's columns and distinct values are read (the parameters are made of them), and
    with a manager column its names with their deals: the SQL shown is the one the audit
    runs, the manager-name fold's transform() in it when a name changes."""
    deals = open_deals(name, source, config, users, as_of)
    if deals.money.manager:
        fold_managers(deals, per_manager(_usable(deals)), config)
    for funnel in users:
        params = _copy(deals.params)
        keys = funnel_keys(deals.keys, funnel, deals, len(users) == 1)
        sql = aggregate_sql(funnel_deals(deals.rows, keys, params, deals.has_closed),
                            len(funnel.stages), funnel.breakdown, params, _days(dates))
        listed = "\n".join(f"--   {k} = {v}" for k, v in params.values.items())
        where = deals.conn.where() if not deals.conn.in_process else "chdb (in process)"
        yield funnel, (f"-- on {where}\n{sql}{settings(deals.columns)}\n"
                       f"-- parameters:\n{listed}")
