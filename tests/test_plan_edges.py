"""Plan edge cases on hand-made frames: early in a span, a span with no working day, and a
pipeline deal whose weight is unknown. December 2026: Tue 1st .. Thu 31st, 23 weekdays."""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config.forecast import PlanTarget
from funnelctl.metrics.forecast import EXPECTED, WEIGHT
from funnelctl.metrics.plan import plan_lines

NO_WON = pl.DataFrame({"depth": [1], "outcome": ["open"], "closed_at": [None],
                       "amount": [1.0], "manager": ["ann"]},
                      schema_overrides={"closed_at": pl.Datetime})


def _pipe(amounts, weights):
    n = len(amounts)
    return pl.DataFrame({"amount": amounts, WEIGHT: weights, "manager": ["ann"] * n,
                         EXPECTED: [dt.datetime(2026, 12, 20)] * n},
                        schema_overrides={"amount": pl.Float64, WEIGHT: pl.Float64,
                                          "manager": pl.String, EXPECTED: pl.Datetime})


def _line(target, day, pipe=None):
    [line] = plan_lines(NO_WON, pipe if pipe is not None else _pipe([], []),
                        [PlanTarget(**target)], day)
    return line


def test_not_behind_before_a_fifth_of_the_working_days():
    # Day 2 (Wed 2nd): 2 of 23 working days gone (< 20%): due 1000 x 2/23, won 0, not behind.
    early = _line({"month": "2026-12", "amount": 1000}, dt.date(2026, 12, 2))
    assert (early.working_days, round(early.expected_by_now, 2), early.behind) == (
        23, 86.96, False)
    # Mon 7th: 5 of 23 gone (21.7% >= 20%), won 0 < 217.39: behind.
    later = _line({"month": "2026-12", "amount": 1000}, dt.date(2026, 12, 7))
    assert (round(later.expected_by_now, 2), later.behind) == (217.39, True)


def test_a_span_without_working_days_has_nothing_due():
    # Sat 5th .. Sun 6th: no working day; as of Saturday the span runs.
    line = _line({"period": {"start": "2026-12-05", "end": "2026-12-06"}, "amount": 500},
                 dt.date(2026, 12, 5))
    assert (line.working_days, line.expected_by_now, line.behind) == (0, None, False)


def test_an_unknown_weight_leaves_the_coverage_unknown():
    known = _line({"month": "2026-12", "amount": 1000}, dt.date(2026, 12, 7),
                  _pipe([200.0], [0.5]))
    assert (known.weighted_pipeline, known.coverage) == (100.0, 0.1)  # 200 x 0.5 / 1000
    unknown = _line({"month": "2026-12", "amount": 1000}, dt.date(2026, 12, 7),
                    _pipe([200.0, 300.0], [0.5, None]))
    assert (unknown.weighted_pipeline, unknown.coverage) == (None, None)
