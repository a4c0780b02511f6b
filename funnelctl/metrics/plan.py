"""The sales plan: attainment, the pace still needed, and pipeline coverage, per target.

For a target of `plan` over start..end, as of day D (the end of the audit period or the
as-of day, whichever is first):
- won: the amount of the funnel's won deals whose close date falls in start..min(end, D)
  (of the target's manager; for the team, of everyone);
- attainment = won / plan; remaining = max(plan - won, 0);
- working days: the norms calendar's working days (metrics/norms.calendar_frame: default
  Monday to Friday; holidays, a country's production calendar and working dates as the
  norms configure them) in start..end; elapsed = those up to D, days_left = those after D;
- pace needed = remaining / days_left, per working day (a period with no working day left
  has none); expected by now = plan x elapsed / working days (a straight line);
  (none when the span has no working day);
- behind: won below expected by now, while the period runs and once at least 20% of its
  working days are gone (earlier it is too soon to tell); once it is over, below plan;
- coverage = weighted open pipeline / remaining, where the pipeline is the open deals
  (of the manager) whose expected close falls in start..end, overdue ones included (they
  are still open), each worth amount x its stage's probability; none once the period is
  over, and none (the weight unknown) when such a deal has an amount but no probability.
A team line missing from the plan is the sum of the managers' targets of the same span,
measured over those managers only.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config.forecast import PlanTarget
from funnelctl.config.norms import Calendar
from funnelctl.managers import match_names, name_key
from funnelctl.metrics.forecast import EXPECTED, WEIGHT, to_cents
from funnelctl.metrics.funnel import OUTCOME
from funnelctl.metrics.norms import WORKING, calendar_frame
from funnelctl.plural import counted
from funnelctl.report_forecast import PlanLine

MIN_ELAPSED = 0.2  # the share of a span's working days gone before it can be behind
ONE_DAY = dt.timedelta(days=1)


def span_days(start: dt.date, end: dt.date, day: dt.date, calendar: Calendar
              ) -> tuple[int, int, int]:
    """(the working days of start..end, those up to `day`, those after it), from one
    calendar of the span (not one per count: a plan has three counts per span)."""
    if end < start:
        return 0, 0, 0
    dates = calendar_frame(start, end, calendar).filter(pl.col(WORKING))["date"]
    return dates.len(), int((dates <= day).sum()), int((dates > day).sum())


def with_team_lines(targets: list[PlanTarget]) -> list[tuple[PlanTarget, list[str] | None]]:
    """(target, the managers a derived team line covers, else None) for every target, plus
    a team line per span that has manager targets but none for the team."""
    out: list[tuple[PlanTarget, list[str] | None]] = [(t, None) for t in targets]
    spans: dict[tuple[dt.date, dt.date], list[PlanTarget]] = {}
    for target in targets:
        spans.setdefault(target.dates(), []).append(target)
    for (start, end), group in spans.items():
        if any(t.manager is None for t in group):
            continue
        team = PlanTarget(period={"start": start, "end": end},
                          amount=sum(t.amount for t in group))
        out.append((team, [t.manager for t in group if t.manager]))
    return out


def plan_lines(deals: pl.DataFrame, open_weighted: pl.DataFrame, targets: list[PlanTarget],
               day: dt.date, calendar: Calendar | None = None,
               keys: dict[str, str] | None = None) -> list[PlanLine]:
    """One line per target (and derived team line) that has started by `day`, or that
    starts later (status "future"). `deals`: depth, outcome, closed_at, amount, manager;
    `open_weighted`: the open deals with their probability (metrics.forecast.weighted, or
    open_pipeline's with the day of their expected close);
    either may be lazy. `keys`: each manager name (of the data and the targets) -> the
    key of the manager it counts as (manager_keys); without it, names_key of the name.

    The deals are summed per manager for each of the plan's spans (a plan has few: a
    month's lines share one) in one collect_all, not per day first."""
    every = with_team_lines(targets)
    keys = keys or {}
    won_spans, pipe_spans = _spans(every, day)
    names = _names(open_weighted)
    pipe_day = "_day" if "_day" in names else EXPECTED if EXPECTED in names else None
    won = deals.lazy().filter(pl.col(OUTCOME) == "won")
    queries = [_span_query(won, "closed_at", span, WON_SUMS, keys) for span in won_spans]
    queries += [_span_query(open_weighted.lazy(), pipe_day, span, PIPE_SUMS, keys)
                for span in pipe_spans]
    got = pl.collect_all(queries) if queries else []
    won_by = {span: _per_key(table) for span, table in zip(won_spans, got)}
    pipe_by = {span: _per_key(table) for span, table in zip(pipe_spans, got[len(won_spans):])}
    return _lines(every, won_by, pipe_by, day, calendar, keys)


# What the plan sums of the won deals (their amount, their number) and of the open ones
# (the weighted amount, the priced deals without a probability: their weight unknown).
WON_SUMS = [pl.col("amount").sum().alias("_sum"), pl.len().alias("_n")]
PIPE_SUMS = [(pl.col("amount") * pl.col(WEIGHT)).sum().alias("_sum"),
             (pl.col("amount").is_not_null() & pl.col(WEIGHT).is_null()).sum().alias("_n")]


def plan_days(targets: list[PlanTarget], day: dt.date
              ) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The days the plan reads (first, last): of the won deals' close (up to `day`), of
    the open deals' expected close."""
    first = min(t.dates()[0] for t in targets)
    return ((first, max(min(t.dates()[1], day) for t in targets)),
            (first, max(t.dates()[1] for t in targets)))


def plan_lines_from(won: pl.LazyFrame, pipeline: pl.LazyFrame, targets: list[PlanTarget],
                    day: dt.date, calendar: Calendar | None = None,
                    keys: dict[str, str] | None = None) -> list[PlanLine]:
    """plan_lines from the deals summed per (manager as written, day: `_day`): the won
    amount and won deals (`_sum`, `_n`) by close date, the weighted open pipeline and
    its priced deals without a probability by expected close (the ClickHouse engine's
    tables, engines/plan_sql.py), summed per manager key and span."""
    every = with_team_lines(targets)
    keys = keys or {}
    won_spans, pipe_spans = _spans(every, day)
    tables = [(won, won_spans), (pipeline, pipe_spans)]
    won_by, pipe_by = (
        _by_key_and_span(got, spans) for got, (_, spans) in
        zip(pl.collect_all([_span_sums(table, keys, spans) for table, spans in tables]),
            tables))
    return _lines(every, won_by, pipe_by, day, calendar, keys)


SpanSums = dict[tuple[dt.date, dt.date], dict[str | None, tuple[float, int]]]


def _lines(every: list[tuple[PlanTarget, list[str] | None]], won_by: SpanSums,
           pipe_by: SpanSums, day: dt.date, calendar: Calendar | None,
           keys: dict[str, str]) -> list[PlanLine]:
    """The plan lines of `every` target from the sums per span and manager key."""
    calendar = calendar or Calendar()
    won_sums, pipe = _sums_per_target(won_by, pipe_by, every, day, keys)
    lines = []
    spans: dict[tuple[dt.date, dt.date], tuple[int, int, int]] = {}
    for i, (target, members) in enumerate(every):
        start, end = target.dates()
        won_amount, won_deals = won_sums.get(i, (0.0, 0))
        days = spans.get((start, end))
        if days is None:  # the same for every target of the span
            days = spans[(start, end)] = span_days(start, end, day, calendar)
        total, elapsed, left = days
        remaining = max(target.amount - won_amount, 0.0)
        # No working day in the span: nothing is due by any day of it.
        expected = target.amount * elapsed / total if total else None
        status = "future" if day < start else ("finished" if day >= end else "running")
        # A priced deal without a probability: the weight is unknown, not 0.
        # In cents already (_sums_per_target): the same JSON run after run.
        weight, unknown = pipe.get(i, (0.0, 0))
        weighted_pipe = None if unknown else weight
        # Too early to tell: not behind before MIN_ELAPSED of the working days are gone.
        judged = expected is not None and elapsed >= MIN_ELAPSED * total
        lines.append(PlanLine(
            manager=target.manager, start=start, end=end, plan=target.amount,
            won=won_amount, won_deals=won_deals,
            attainment=won_amount / target.amount, remaining=remaining,
            working_days=total, days_left=left, expected_by_now=expected,
            pace_needed=remaining / left if left else None,
            weighted_pipeline=weighted_pipe,
            coverage=(weighted_pipe / remaining if remaining and weighted_pipe is not None
                      and status != "finished" else None),
            behind=(status == "running" and judged and won_amount < (expected or 0.0))
            or (status == "finished" and won_amount < target.amount),
            status=status, derived=members is not None,
            too_early=status == "running" and expected is not None and not judged))
    return sorted(lines, key=lambda ln: (ln.start, ln.end, ln.manager is not None,
                                         ln.manager or ""))


def unpriced_won_note(deals: pl.DataFrame | pl.LazyFrame, targets: list[PlanTarget],
                      day: dt.date) -> list[str]:
    """The note on won deals closed in a target's start..min(end, day) without an amount:
    they count in won_deals but add nothing to won, so attainment is understated."""
    if not targets or "amount" not in _names(deals):
        return []
    # The targets share few spans (a month's per-manager lines are one span): each distinct
    # span is tested once, on the unpriced won deals' close dates only, not 1M rows per target.
    spans = _note_spans(targets, day)
    closed = pl.col("closed_at")
    n = (deals.lazy().filter((pl.col(OUTCOME) == "won") & pl.col("amount").is_null())
         .select(closed.dt.date())
         .filter(pl.any_horizontal(closed.is_between(start, end) for start, end in spans))
         .select(pl.len()).collect().item())
    return [counted(n, UNPRICED_WON)] if n else []


def unpriced_note_from(unpriced: list[tuple[dt.date, int]], targets: list[PlanTarget],
                       day: dt.date) -> list[str]:
    """unpriced_won_note from the won deals without an amount per close day (any
    engine's)."""
    spans = _note_spans(targets, day)
    n = sum(k for d, k in unpriced if any(start <= d <= end for start, end in spans))
    return [counted(n, UNPRICED_WON)] if n else []


def _note_spans(targets: list[PlanTarget], day: dt.date) -> list[tuple[dt.date, dt.date]]:
    return sorted({(t.dates()[0], min(t.dates()[1], day)) for t in targets})


UNPRICED_WON = ("{n} won deal closed in the plan's periods has no amount: won and "
                "attainment leave it out",
                "{n} won deals closed in the plan's periods have no amount: won and "
                "attainment leave them out")


def _sums_per_target(won_by: SpanSums, pipe_by: SpanSums,
                     every: list[tuple[PlanTarget, list[str] | None]], day: dt.date,
                     keys: dict[str, str]
                     ) -> tuple[dict[int, tuple[float, int]], dict[int, tuple[float, int]]]:
    """Per target (its position in `every`): (won amount, won deals) of its manager(s)
    closed in start..min(end, day), and (weighted pipeline, priced deals without a
    probability) expected to close in start..end: each target adds up its managers' (or
    everyone's) sums of its span."""
    out: tuple[dict[int, tuple[float, int]], dict[int, tuple[float, int]]] = ({}, {})
    for i, (target, members) in enumerate(every):
        start, end = target.dates()
        names = [target.manager] if target.manager is not None else members
        who = None if names is None else sorted({_key(name, keys) for name in names})
        for part, by, span in ((out[0], won_by, (start, min(end, day))),
                               (out[1], pipe_by, (start, end))):
            sums = by.get(span, {})
            picked = [sums[k] for k in (sorted(sums, key=str) if who is None else who)
                      if k in sums]
            part[i] = (to_cents(sum(total for total, _ in picked)),
                       int(sum(n for _, n in picked)))
    return out


def _spans(every: list[tuple[PlanTarget, list[str] | None]], day: dt.date
           ) -> tuple[list[tuple[dt.date, dt.date]], list[tuple[dt.date, dt.date]]]:
    """The distinct spans the won deals are summed over (start..min(end, day)) and the
    open deals (start..end)."""
    return (sorted({(t.dates()[0], min(t.dates()[1], day)) for t, _ in every}),
            sorted({t.dates() for t, _ in every}))


def _span_query(frame: pl.LazyFrame, when: str | None, span: tuple[dt.date, dt.date],
                aggs: list[pl.Expr], keys: dict[str, str]) -> pl.LazyFrame:
    """The aggregates of the deals whose `when` (a time, or a day) falls in `span`, per
    manager key (`_who`): grouped per manager as written, the names keyed on those rows."""
    if when is None:
        return pl.LazyFrame(schema={"_who": pl.String, "_sum": pl.Float64, "_n": pl.UInt32})
    inside = _in_span(frame, when, span, aggs)
    return (inside.with_columns(_manager(inside, keys).alias("_who")).group_by("_who")
            .agg(pl.col("_sum").sum(), pl.col("_n").sum()))


def _per_key(table: pl.DataFrame) -> dict[str | None, tuple[float, int]]:
    return {who: (total or 0.0, n or 0) for who, total, n in table.iter_rows()}


def _span_sums(table: pl.LazyFrame, keys: dict[str, str],
               spans: list[tuple[dt.date, dt.date]]) -> pl.LazyFrame:
    """Per manager key (`_who`: null without a manager) of a per-manager-and-day table: the
    sum and the count of its days in each span (s0, n0, s1, n1, ...), lazily."""
    return table.with_columns(_manager(table, keys).alias("_who")).group_by("_who").agg(
        expr for i, (first, last) in enumerate(spans) for expr in (
            pl.col("_sum").filter(pl.col("_day").is_between(first, last)).sum().alias(f"s{i}"),
            pl.col("_n").filter(pl.col("_day").is_between(first, last)).sum().alias(f"n{i}")))


def _by_key_and_span(sums: pl.DataFrame, spans: list[tuple[dt.date, dt.date]]
                     ) -> dict[tuple[dt.date, dt.date], dict[str | None, tuple[float, int]]]:
    """span -> manager key -> (the sum, the count), from _span_sums' rows."""
    return {span: {row["_who"]: (row[f"s{i}"] or 0.0, row[f"n{i}"] or 0)
                   for row in sums.iter_rows(named=True)}
            for i, span in enumerate(spans)}


def _names(frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
    return frame.collect_schema().names()


def _in_span(frame: pl.LazyFrame, when: str, span: tuple[dt.date, dt.date],
             aggs: list[pl.Expr]) -> pl.LazyFrame:
    """The aggregates per manager as written of the deals whose `when` (a time, or a day)
    falls in `span` (first, last): the names are keyed on the grouped rows, not on every
    deal."""
    column = pl.col(when)
    if frame.collect_schema()[when] == pl.Date:
        inside = frame.filter(column.is_between(*span))
    else:
        # The days' bounds as times: no day is worked out for the deals outside them.
        first, last = (dt.datetime.combine(d, dt.time()) for d in (span[0], span[1] + ONE_DAY))
        inside = frame.filter(column.is_between(first, last, closed="left"))
    return inside.group_by("manager").agg(aggs) if "manager" in _names(frame) \
        else inside.select(aggs)


def _key(name: str, keys: dict[str, str]) -> str:
    return keys.get(name) or name_key(name)


def _manager(frame: pl.DataFrame | pl.LazyFrame, keys: dict[str, str]) -> pl.Expr:
    """The key of each manager as written (`keys` holds every name of the data when the
    audit gives it; a library caller without it gets name_key, on the grouped rows)."""
    if "manager" in _names(frame) and keys:
        return pl.col("manager").replace_strict(keys, default=None, return_dtype=pl.String)
    if "manager" in _names(frame):
        return pl.col("manager").map_elements(name_key, return_dtype=pl.String)
    return pl.lit(None, pl.String)


def manager_keys(data: dict[str, int], targets: list[PlanTarget],
                 aliases: dict[str, str] | None = None, ignore: list[str] | None = None,
                 roster: list[str] | None = None) -> tuple[dict[str, str], list[str]]:
    """(name -> key of the manager it counts as, for the names of the data (with their
    deals) and of the targets; the target managers that own no deal). The project's name
    matching (funnelctl/managers.py: case, ё/е, word order, initials, `aliases:`), so a
    target names the same manager as the rest of the report."""
    named = sorted({t.manager for t in targets if t.manager})
    rows = {**dict.fromkeys(named, 0), **data}
    match = match_names(rows, roster, aliases, ignore or ())
    keys = {n: name_key(match.counts_as.get(n, n)) for n in rows}
    owning = {keys[n] for n in data}
    return keys, [n for n in named if keys[n] not in owning]
