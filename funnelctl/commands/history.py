"""`funnelctl history CONFIG`: each stage's conversion and each manager's good-day share
over the runs the config's history recorded, oldest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from funnelctl.config import load_config
from funnelctl.errors import ConfigError
from funnelctl.history import RunRecord, config_key, load_runs
from funnelctl.metrics.stats import ratio


@dataclass
class Point:
    period: str  # the run's period key
    value: float | None  # a fraction; None where the run had no trials
    successes: int
    trials: int


@dataclass
class Series:
    funnel: str | None  # None: a manager's good-day share
    subject: str  # the stage, or the manager
    points: list[Point] = field(default_factory=list)


@dataclass
class RunInfo:
    period: str
    start: dt.date | None
    end: dt.date | None
    recorded_at: str
    verdict: str


@dataclass
class Trend:
    title: str
    language: str  # the config's language: the default for labels
    config: str
    history: str  # the store's file name
    runs: list[RunInfo]
    stages: list[Series]  # conversion from the stage before, stages 2..n of each funnel
    managers: list[Series]


def run_order(run: RunRecord) -> tuple:
    """Runs in the order of the dates they cover (a backfilled day sorts into its place),
    then by when they were recorded."""
    return (run.end or run.as_of or dt.date.min, run.start or dt.date.min, run.recorded_at)


def load_trend(config_path: Path, last: int | None = None) -> Trend:
    """The trend of the last `last` recorded runs (all of them without a limit)."""
    config = load_config(config_path)
    if config.history is None:
        raise ConfigError(f"{config_path}: no history: in the config, so no runs are recorded "
                          "(add e.g. history: reports/history.db)")
    runs = sorted(load_runs(config.history.path, config_key(config_path), create=False),
                  key=run_order)
    runs = runs[-last:] if last else runs
    return Trend(
        title=config.title, language=config.language, config=config_key(config_path),
        history=config.history.path.name,
        runs=[RunInfo(r.period, r.start, r.end, r.recorded_at, r.verdict) for r in runs],
        stages=stage_series(runs, [f.name for f in config.funnels]),
        managers=manager_series(runs))


def stage_series(runs: list[RunRecord], funnel_order: list[str]) -> list[Series]:
    """One series per (funnel, stage) seen in the runs: the config's funnels first, in the
    order of their stages; a run without the stage has no point for it."""
    seen: dict[tuple[str, str], Series] = {}
    for run in runs:
        for name, funnel in run.funnels.items():
            for before, stage in zip(funnel.stages, funnel.stages[1:]):
                series = seen.setdefault((name, stage.name), Series(name, stage.name))
                series.points.append(Point(run.period, ratio(stage.entered, before.entered),
                                           stage.entered, before.entered))
    order = {name: i for i, name in enumerate(funnel_order)}
    return sorted(seen.values(), key=lambda s: order.get(s.funnel, len(order)))


def manager_series(runs: list[RunRecord]) -> list[Series]:
    seen: dict[str, Series] = {}
    for run in runs:
        for manager, (good, days) in run.managers.items():
            seen.setdefault(manager, Series(None, manager)).points.append(
                Point(run.period, ratio(good, days), good, days))
    return list(seen.values())
