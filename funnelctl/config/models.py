"""The version-1 YAML config as pydantic models (loading and file:line errors: loading.py)."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, field_validator, model_validator

from funnelctl.config.base import Model, empty_list, nearest_line, not_above
from funnelctl.config.engine import EngineName
from funnelctl.config.events import (
    Order,
    TrendPeriod,
    Where,
    duration_text,
    order_check,
    order_modes,
    parse_duration,
    where_before,
    where_columns,
)
from funnelctl.config.forecast import Plan, Snooze
from funnelctl.config.history import History
from funnelctl.config.money import CycleTarget, Money
from funnelctl.config.norms import ManagerNames, Norms, TypeValues
from funnelctl.config.notify import NotifyTarget
from funnelctl.config.scorecard import ScorecardSettings
from funnelctl.config.stats import DEFAULT_MIN_SAMPLE, DataQualityLimits, Significance
from funnelctl.config.steps import Exclusion

SourceKind = Literal["deals", "stage_history", "events", "activities"]
# How a stage_history file is laid out; None: detected from the header.
HistoryLayout = Literal["long", "hubspot_wide", "salesforce_history"]


class CsvOptions(Model):
    encoding: str | None = None
    separator: str | None = None

    @field_validator("separator")
    @classmethod
    def _one_char(cls, v: str | None) -> str | None:
        if v is not None and len(v) != 1:
            raise ValueError("separator must be a single character, e.g. ';' or '\\t'")
        return v


class StatusValues(Model):
    open: list[str] = Field(default_factory=empty_list)
    won: list[str] = Field(default_factory=empty_list)
    lost: list[str] = Field(default_factory=empty_list)


class Join(Model):
    """Another file joined to a source's rows on a key (Olist's leads + closed deals; deals +
    contacts). Every row of the source is kept; the other file's first row per key adds its
    columns (a name both files have gets " (joined)"). Rows that do not match are counted."""

    path: Path
    key: str  # the key column in this source (not `on:`, which YAML reads as true)
    other_key: str | None = None  # the key column in the joined file, if named otherwise


class Source(Model):
    path: Path | None = None  # required on engine: polars (engine.py checks)
    kind: SourceKind
    # Where its funnels run (config/engine.py, docs/engines.md); credentials come from the
    # environment variables named here, never from the file.
    engine: EngineName = Field(default="polars", description="where the source's funnels run: "
                               "polars (in process) or clickhouse (docs/engines.md)")
    url: str | None = Field(default=None, description="engine: clickhouse: "
                            "http(s)://host:port/database, chdb: (in process over path:) "
                            "or chdb:FOLDER (a chdb database folder)")
    table: str | None = Field(default=None, description="engine: clickhouse: a table (or "
                              "database.table) instead of path:")
    user_env: str | None = Field(default=None, description="the environment variable that "
                                 "holds the ClickHouse user")
    password_env: str | None = Field(default=None, description="the environment variable "
                                     "that holds the ClickHouse password")
    timeout: str | None = Field(default=None, description="engine: clickhouse: how long a "
                                "query may take, e.g. 30s, 10m (default 5m)")
    preset: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    # One strptime format or a list tried in order; without it the formats are detected.
    date_format: str | list[str] | None = Field(
        default=None, description="strptime format(s) of the date columns, e.g. '%d.%m.%y' "
        "or a list tried in order; detected from the data when absent")
    csv: CsvOptions = Field(default_factory=CsvOptions)
    status_values: StatusValues | None = None
    type_values: TypeValues | None = None  # activities: which type values are calls/meetings
    # activities: calls shorter than this (by the mapped duration column) are not counted
    min_call_seconds: int | None = Field(default=None, ge=0, le=86_400, strict=True)
    null_values: list[str] | None = None
    layout: HistoryLayout | None = None  # stage_history only
    join: Join | None = None

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout(cls, v: Any) -> str | None:
        return duration_text(v)

    @model_validator(mode="after")
    def _layout_for_history(self) -> Source:
        if self.layout is not None and self.kind != "stage_history":
            raise ValueError(f"layout applies to kind: stage_history only (this source is "
                             f"kind: {self.kind})")
        if self.kind != "activities" and (self.min_call_seconds is not None
                                          or self.type_values is not None):
            raise ValueError("type_values and min_call_seconds apply to kind: activities only")
        return self

    @field_validator("date_format")
    @classmethod
    def _formats(cls, v: str | list[str] | None) -> str | list[str] | None:
        formats = [v] if isinstance(v, str) else v or []
        if v is not None and (not formats or any(not f.strip() or "%" not in f
                                                 for f in formats)):
            raise ValueError("date_format needs strptime formats such as '%d.%m.%Y %H:%M' "
                             "(one, or a non-empty list tried in order)")
        return v

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, v: str | None) -> str | None:
        from funnelctl.io.presets import AUTO, PRESETS

        known = [*PRESETS, AUTO]
        if v is not None and v not in known:
            close = difflib.get_close_matches(v, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"unknown preset '{v}'{hint} (expected one of: {', '.join(known)})")
        return v


class Threshold(Model):
    # strict: `good: true` or `good: "0.6"` is a type error, not 1.0 or 0.6
    good: float = Field(ge=0, le=1, strict=True)
    acceptable: float = Field(ge=0, le=1, strict=True)

    @field_validator("good", "acceptable", mode="before")
    @classmethod
    def _fraction(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and 1 < v <= 100 and float(v).is_integer():
            raise ValueError(f"{v} is above 1: thresholds are fractions, write {v / 100:g} "
                             f"for {v:g}%")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> Threshold:
        not_above(self, "acceptable", "good")
        return self


class Stage(Model):
    name: str
    match: list[str] = Field(default_factory=empty_list)
    conversion: Threshold | None = None
    # A number of days, or `auto`: learned from the data (metrics/stuck.py).
    max_days: float | Literal["auto"] | None = Field(
        default=None, description="days an open deal may sit in the stage, or auto: the "
        "80th percentile of the days deals that left the stage spent in it")
    # Deal funnels: the share of deals at this stage that end won, for the weighted
    # forecast; learned from the closed deals when absent (metrics/forecast.py).
    probability: float | None = Field(
        default=None, ge=0, le=1, strict=True, description="deal funnels: the share of deals "
        "at this stage that end won, for the forecast; learned from closed deals if absent")
    min_sample: int | None = Field(default=None, ge=1, strict=True)  # None: the funnel's
    # Event funnels: properties the event must also have, e.g. {page: /cart}; a list of
    # values means any of them, a mapping holds operators, a list of mappings alternatives.
    where: Where = Field(default_factory=dict)
    within: str | None = None  # event funnels: at most this long after the step before
    first_time: bool = False  # event funnels: only the entity's first such event counts
    optional: bool = False  # event funnels: counted when done, skipped without breaking the chain

    @field_validator("max_days", mode="before")
    @classmethod
    def _days(cls, v: Any) -> Any:
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if v is not None and v != "auto" and not (number and v > 0):
            raise ValueError("max_days is a number of days above 0, or auto")
        return float(v) if number else v

    @field_validator("probability", mode="before")
    @classmethod
    def _probability(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("probability is a fraction between 0 and 1, e.g. 0.4")
        if isinstance(v, (int, float)) and 1 < v <= 100:
            raise ValueError(f"{v} is above 1: probability is a fraction, write {v / 100:g} "
                             f"for {v:g}%")
        return float(v) if isinstance(v, int) else v

    @field_validator("match", mode="before")
    @classmethod
    def _scalar_to_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("where", mode="before")
    @classmethod
    def _operators(cls, v: Any) -> Any:
        return where_before(v)

    @field_validator("within", mode="before")
    @classmethod
    def _within(cls, v: Any) -> str | None:
        return duration_text(v)

    def within_seconds(self) -> int | None:
        return parse_duration(self.within) if self.within is not None else None

    def where_columns(self) -> set[str]:
        return where_columns(self.where)

    def uses_event_keys(self) -> list[str]:
        """The event-funnel-only keys this stage sets (for funnels of other kinds)."""
        return [key for key, used in (("where", bool(self.where)),
                                      ("within", self.within is not None),
                                      ("first_time", self.first_time),
                                      ("optional", self.optional)) if used]

    def values(self) -> list[str]:
        """The stage values that mean this stage; the stage's own name when none are given."""
        return self.match or [self.name]


class SegmentView(Model):
    """How a breakdown table shows its segments: the `top` biggest, and the rest (with any
    smaller than `min_size`) folded into one "other" row, so real sizes stay readable."""

    top: int = Field(default=10, ge=1)
    min_size: int = Field(default=1, ge=1)


class Funnel(Model):
    name: str
    source: str
    stages: list[Stage] = Field(min_length=1)
    won: list[str] = Field(default_factory=empty_list)
    lost: list[str] = Field(default_factory=empty_list)
    breakdown: list[str] = Field(default_factory=empty_list)
    segments: SegmentView = Field(default_factory=SegmentView)
    win_rate: Threshold | None = None
    window: str | None = None  # event funnels: e.g. 30m, 36h, 7d
    # Deal funnels: only the deals whose mapped `pipeline` column holds this value (one
    # funnel per pipeline when stage names repeat across pipelines).
    pipeline: str | None = None
    # Event funnels: how the steps must follow each other (a mode, or ClickHouse modes).
    order: Order = "default"
    # Event funnels: events that, between two steps, leave an entity out of the funnel.
    exclude: list[Exclusion] = Field(default_factory=empty_list)
    # Entered into the previous stage before a stage gets a verdict (a stage may override).
    min_sample: int = Field(default=DEFAULT_MIN_SAMPLE, ge=1, strict=True)
    # Deals funnels: a stage_history source of the same deals, which places lost deals
    # whose loss stage the snapshot does not say (the furthest stage they entered).
    stage_history: str | None = None
    plan: Plan | None = Field(default=None, description="sales targets: a CSV path (month, "
                              "manager, amount) or a list of {month or period, amount, manager}")
    snooze: Snooze | None = Field(default=None, description="a CSV (deal_id, until, note) of "
                                  "deals kept out of the stuck and overdue findings until a date")
    # Deal funnels: the sales-cycle target, graded on the median days from created to won.
    cycle_days: CycleTarget | None = None
    # Event funnels: conversion per cohort of the step-1 event's day, week or month.
    trend: TrendPeriod | None = None

    @field_validator("window", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> str | None:
        return duration_text(v)

    @field_validator("order", mode="before")
    @classmethod
    def _order(cls, v: Any) -> Any:
        return order_check(v)

    def order_modes(self) -> frozenset[str]:
        """The modes `order:` means: {} for default, ClickHouse's modes combined, or
        {'unordered'} / {'distinct_events'}."""
        return order_modes(self.order)

    def stage_min_sample(self, stage: Stage) -> int:
        return stage.min_sample if stage.min_sample is not None else self.min_sample

    def window_seconds(self) -> int | None:
        return parse_duration(self.window) if self.window is not None else None

    @model_validator(mode="after")
    def _unique_stage_names(self) -> Funnel:
        seen: set[str] = set()
        for stage in self.stages:
            if stage.name in seen:
                raise ValueError(f"duplicate stage name '{stage.name}' in funnel '{self.name}'")
            seen.add(stage.name)
        if self.window is None:  # deals and stage history: each value must mean one thing
            self._check_values_unambiguous()
        return self

    def value_meanings(self) -> list[tuple[str, str]]:
        """(what it means, value) for every stage, won and lost value the funnel lists."""
        named = [(f"stage '{s.name}'", v) for s in self.stages for v in s.values()]
        return named + [("won", v) for v in self.won] + [("lost", v) for v in self.lost]

    def _check_values_unambiguous(self) -> None:
        meaning: dict[str, str] = {}
        for owner, value in self.value_meanings():
            key = value.strip().lower()
            if meaning.get(key, owner) != owner:
                raise ValueError(f"value '{value}' is listed for both {meaning[key]} and "
                                 f"{owner} in funnel '{self.name}': each stage value must "
                                 "mean one thing")
            meaning[key] = owner


class Period(Model):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period end {self.end} is before its start {self.start}")
        return self


class Config(Model):
    version: Literal[1] = 1
    title: str = "Sales funnel audit"
    timezone: str = "UTC"
    language: Literal["en", "ru"] = "en"
    period: Period | None = None
    sources: dict[str, Source] = Field(min_length=1)
    funnels: list[Funnel] = Field(default_factory=empty_list)
    norms: Norms | None = None
    managers: ManagerNames = Field(default_factory=ManagerNames)  # aliases:, ignore:
    history: History | None = None  # the run-history store (nightly runs)
    notify: list[NotifyTarget] = Field(default_factory=empty_list)  # where reports are sent
    significance: Significance = Field(default_factory=Significance)
    data_quality: DataQualityLimits = Field(default_factory=DataQualityLimits)
    money: Money = Field(default_factory=Money)  # currency of the amounts, exchange rates
    scorecard: ScorecardSettings = Field(default_factory=ScorecardSettings)  # its KPIs
    # Set by loading: the file and each key's line, for errors found once data is read.
    _file: Path | None = PrivateAttr(default=None)
    _lines: dict[tuple, int] = PrivateAttr(default_factory=dict)

    def where(self, loc: tuple) -> str:
        """`file:line: key.path` of a key, for an error the data reveals (line when known)."""
        line = nearest_line(loc, self._lines)
        place = f"{self._file}:{line}" if self._file and line else str(self._file or "config")
        return f"{place}: {'.'.join(map(str, loc))}"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{v}' (expected an IANA name such as "
                             "Europe/Moscow or UTC)") from None
        return v
