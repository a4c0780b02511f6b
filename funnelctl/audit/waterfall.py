"""The pipeline waterfall in an audit: the two states of a funnel's deals, from a stage
history (the start and the end of the period, `--compare previous`) or from two exports
of the same snapshot source (`--since-snapshot OLD_EXPORT`), and the waterfall between.

Which funnels `--since-snapshot` applies to: every funnel over the one deals source the
option names (`--since-snapshot SOURCE=PATH`) or, when the config has a single deals
source used by funnels, over that one. Several deals sources and no name is a usage
error listing them; none is a usage error too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from funnelctl.audit.manager_fold import ManagerFold, fold_older
from funnelctl.config import Config, Funnel
from funnelctl.errors import ConfigError, UsageError
from funnelctl.io.deals import DUPLICATE, read_deals
from funnelctl.io.readers import open_source
from funnelctl.io.rejects import ledger
from funnelctl.metrics.funnel import DEPTH, OUTCOME
from funnelctl.metrics.history import ORDER, ROLE, VALUES, latest_values, value_history
from funnelctl.metrics.periods import DateRange
from funnelctl.metrics.waterfall import MissingRates, complete_state, waterfall
from funnelctl.report import SourceQuality
from funnelctl.report_waterfall import Waterfall

OPTION = "--since-snapshot"
DATE_COLUMNS = ("created_at", "closed_at", "stage_changed_at")


@dataclass(frozen=True)
class SinceSnapshot:
    source: str  # the deals source the older export is a snapshot of
    path: Path


@dataclass
class OlderExport:
    path: Path
    frames: list[pl.DataFrame]  # one per funnel over the source (deal_depths frames)
    latest: dt.date | None
    matching: dict[str, int]  # rows of the older export that could not be used, per reason
    columns: set[str]
    notes: list[str]  # its manager names folded as the newer export's (audit/manager_fold)


def deal_sources(config: Config) -> list[str]:
    return [name for name, s in config.sources.items()
            if s.kind == "deals" and any(f.source == name for f in config.funnels)]


def resolve_since(config: Config, spec: str, config_path: str | Path) -> SinceSnapshot:
    """`PATH` (the config's one deals source) or `SOURCE=PATH`."""
    sources = deal_sources(config)
    name, sep, rest = spec.partition("=")
    if sep and name in config.sources:
        if name not in sources:
            raise UsageError(f"{OPTION}: source '{name}' of {config_path} is not a deals "
                             f"snapshot used by a funnel (deals sources: "
                             f"{', '.join(sources) or 'none'})")
        spec, chosen = rest, name
    elif not sources:
        raise UsageError(f"{OPTION}: {config_path} has no funnel over a deals snapshot "
                         "(kind: deals); a stage-history funnel shows the waterfall with "
                         "--period and --compare previous")
    elif len(sources) > 1:
        raise UsageError(f"{OPTION}: {config_path} has {len(sources)} deals sources ("
                         f"{', '.join(sources)}): say which one the older export is a "
                         f"snapshot of, e.g. {OPTION} {sources[0]}=PATH")
    else:
        chosen = sources[0]
    if not spec.strip():
        raise UsageError(f"{OPTION}: no file given")
    return SinceSnapshot(chosen, Path(spec))


def read_older(config: Config, since: SinceSnapshot, funnels: list[Funnel],
               frames_of, breakdown: list[str], rejects: list[pl.DataFrame],
               as_of: dt.date | None, fold: ManagerFold | None = None) -> OlderExport:
    """The older export read with the very source definition of the newer one (preset,
    columns, encoding, date formats); its unusable rows go to the rejects ledger under
    'SOURCE (older export)' and are counted per reason. `frames_of(deals, funnels,
    quality, rejects)` gives a frame per funnel (audit.deals.funnel_frames). `fold`: the
    newer export's manager names, which the older one's are shown as."""
    source = config.sources[since.source].model_copy(update={"path": since.path})
    name = f"{since.source} (older export)"
    raw = open_source(name, source)
    deals = read_deals(raw, source, config.timezone, breakdown, as_of)
    rejects += [ledger(name, deals.rejects), ledger(name, deals.problems)]
    deals.frame, notes = fold_older(deals.frame, fold or ManagerFold(), config)
    scratch = SourceQuality(name=name, path=str(since.path), rows_read=0, rows_rejected=0)
    frames = frames_of(deals, funnels, scratch, rejects)
    matching = {}
    for reason, count in reason_counts(deals.rejects).items():
        matching[f"older export: {reason}"] = count
    for reason, count in scratch.reasons.items():
        matching[f"older export: {reason}"] = int(count)
    for reason, problem in reason_counts(deals.problems).items():
        matching[f"older export: {reason} (deal kept)"] = problem
    return OlderExport(since.path, frames, latest_date(deals.frame), matching,
                       set(deals.frame.columns), notes)


def reason_counts(rows: pl.DataFrame) -> dict[str, int]:
    """Rows of a rejects or problems ledger per reason, in reason order."""
    return {r: int(n) for r, n in rows.group_by("reason").len().sort("reason").iter_rows()}


def latest_date(frame: pl.DataFrame) -> dt.date | None:
    """When an export was taken, as far as it says: the latest date any deal carries."""
    cols = [c for c in DATE_COLUMNS if c in frame.columns]
    if not cols or not frame.height:
        return None
    latest = frame.select(pl.max_horizontal([pl.col(c).max() for c in cols])).item()
    return latest.date() if latest is not None else None


def snapshot_state(frame: pl.DataFrame, funnel: Funnel) -> pl.DataFrame:
    """A deals frame (deal_depths) as a waterfall state: status, position, stage name."""
    names = {i: s.name for i, s in enumerate(funnel.stages, 1)}
    is_open = pl.col(OUTCOME) == "open"
    stage = pl.when(is_open).then(pl.col(DEPTH).replace_strict(
        names, default=None, return_dtype=pl.String)).otherwise(pl.col(OUTCOME))
    return frame.with_columns(status=pl.col(OUTCOME),
                              position=pl.when(is_open).then(pl.col(DEPTH)), stage=stage)


def snapshot_waterfall(config: Config, funnel: Funnel, newer: pl.DataFrame,
                       older: OlderExport, k: int, newer_duplicates: int,
                       newer_latest: dt.date | None) -> Waterfall:
    """The waterfall from the older export to the newer one of one funnel (the k-th over
    the source); deals are matched by id."""
    old = older.frames[k]
    currency = config.money.currency
    start = complete_state(snapshot_state(old, funnel), currency)
    end = complete_state(snapshot_state(newer, funnel), currency)
    has_amounts = "amount" in older.columns and "amount" in newer.columns
    has_close = "expected_close" in older.columns and "expected_close" in newer.columns
    result = _waterfall(config, funnel, start, end, basis="snapshot",
                        has_amounts=has_amounts, has_close_dates=has_close)
    result.start, result.end = older.latest, newer_latest
    result.older_export = str(older.path)
    matching = dict(result.matching)
    if newer_duplicates:
        matching[f"newer export: {DUPLICATE}"] = newer_duplicates
    result.matching = {**matching, **older.matching}
    if not has_amounts:
        result.notes.append("no amount column in both exports: the buckets count deals only")
    return result


def history_state(entries: pl.DataFrame, funnel: Funnel, moment: dt.datetime,
                  edits: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each deal as it stood just before `moment`: its last classified entry then, with
    the last amount and expected close date any entry (or edit row) set before it."""
    n = len(funnel.stages)
    names = {i: s.name for i, s in enumerate(funnel.stages, 1)} | {n + 1: "won"}
    known = entries.filter(pl.col(ROLE).is_not_null() & (pl.col("entered_at") < moment))
    last_role = pl.col(ROLE).last()
    extra = [pl.col("manager").drop_nulls().last().alias("manager")] \
        if "manager" in entries.columns else []
    state = known.group_by("deal_id").agg(
        pl.when(last_role == "stage").then(pl.lit("open")).otherwise(last_role)
        .alias("status"),
        pl.when(last_role == "stage").then(pl.col(ORDER).last()).alias("position"),
        pl.when(last_role == "lost").then(pl.lit("lost"))
        .otherwise(pl.col(ORDER).last().replace_strict(names, default=None,
                                                       return_dtype=pl.String)).alias("stage"),
        *extra)
    values = [c for c in VALUES if c in entries.columns]
    if not values:
        return state
    return state.join(latest_values(entries, edits, values, moment), on="deal_id", how="left")


def close_date_pushes(entries: pl.DataFrame, edits: pl.DataFrame | None,
                      start_at: dt.datetime, end_at: dt.datetime, deals: set[str]) -> int:
    """How many times the expected close date of these deals moved later in the period
    (each later date than the one before counts once)."""
    dated = value_history(entries, edits, ["expected_close"]).filter(
        pl.col("expected_close").is_not_null() & pl.col("deal_id").is_in(list(deals))
        & (pl.col("entered_at") < end_at))
    moved = dated.with_columns(before=pl.col("expected_close").shift(1).over("deal_id"))
    return moved.filter((pl.col("entered_at") >= start_at)
                        & (pl.col("expected_close") > pl.col("before"))).height


def history_waterfall(config: Config, entries: pl.DataFrame, funnel: Funnel,
                      dates: DateRange, edits: pl.DataFrame | None = None) -> Waterfall:
    """From the start of the period's first day to the end of its last (classified
    entries of one stage history)."""
    start_at = dt.datetime.combine(dates.start, dt.time())
    end_at = dt.datetime.combine(dates.end + dt.timedelta(days=1), dt.time())
    currency = config.money.currency
    start = complete_state(history_state(entries, funnel, start_at, edits), currency)
    end = complete_state(history_state(entries, funnel, end_at, edits), currency)
    has_amounts = "amount" in entries.columns
    has_close = "expected_close" in entries.columns
    result = _waterfall(config, funnel, start, end, basis="history",
                        has_amounts=has_amounts, has_close_dates=has_close)
    result.start, result.end = dates.start, dates.end
    result.matching = {}  # one history: nothing to match
    if result.slippage is not None:
        both = start.join(end, on="deal_id", suffix="_end").filter(
            (pl.col("status") == "open") & (pl.col("status_end") == "open")
            & (pl.col("expected_close_end") > pl.col("expected_close")))
        result.slippage.pushes = close_date_pushes(entries, edits, start_at, end_at,
                                                   set(both["deal_id"].to_list()))
    if not has_amounts:
        result.notes.append("the stage history has no amount column: the buckets count "
                            "deals only")
    return result


def _waterfall(config: Config, funnel: Funnel, start: pl.DataFrame, end: pl.DataFrame,
               **options) -> Waterfall:
    """waterfall() with the config's currency and rates; a currency without a rate is the
    same config error as in the money view."""
    money = config.money
    try:
        return waterfall(start, end, rates=money.rates, default_currency=money.currency,
                         **options)
    except MissingRates as exc:
        raise ConfigError(
            f"{config.where(('money', 'rates'))}: no rate for {exc}, which amounts of "
            f"funnel '{funnel.name}' are in (waterfall): add it (units of {money.currency} "
            f"per 1 {exc.currencies[0]})"
        ) from None
