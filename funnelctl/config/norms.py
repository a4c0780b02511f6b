"""The `norms:` block of the config (manager activity norms) and an activities source's
`type_values:`. Defaults are the article's table in DOMAIN.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from funnelctl.config.base import Model, not_above

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Activity type labels CRMs write (compared trimmed and case-insensitively);
# `type_values:` in the source replaces a list.
DEFAULT_TYPE_VALUES = {
    "call": ["call", "calls", "phone call", "outgoing call", "incoming call", "outgoing_call",
             "incoming_call", "звонок", "звонки", "исходящий звонок", "входящий звонок"],
    "meeting": ["meeting", "meetings", "встреча", "встречи"],
}


class TypeValues(Model):
    """Which values of an activities source's type column mean a call or a meeting."""

    call: list[str] = Field(default_factory=list)
    meeting: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> TypeValues:
        both = {v.strip().lower() for v in self.call} & {v.strip().lower() for v in self.meeting}
        if both:
            raise ValueError(f"values listed as both call and meeting: {', '.join(sorted(both))}")
        return self

    def lookup(self) -> dict[str, str]:
        """lower-cased label -> 'call' | 'meeting'; an empty list keeps the defaults."""
        words = {"call": self.call or DEFAULT_TYPE_VALUES["call"],
                 "meeting": self.meeting or DEFAULT_TYPE_VALUES["meeting"]}
        return {w.strip().lower(): kind for kind, ws in words.items() for w in ws}


# Most calls or meetings one person can log in a day (one every second is 86,400): a
# larger rule or daily total is a typo or a placeholder, refused rather than computed.
MAX_PER_DAY = 100_000


class Minimums(Model):
    """One rule: a day meets it when every minimum holds."""

    # strict: `calls: true` or `calls: "10"` is a type error, not 1 or 10
    calls: int = Field(default=0, ge=0, le=MAX_PER_DAY, strict=True)
    meetings: int = Field(default=0, ge=0, le=MAX_PER_DAY, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _not_empty(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data:
            raise ValueError("a rule needs at least one minimum, e.g. {calls: 25}")
        return data


def _rules(*pairs: tuple[int, int]) -> list[Minimums]:
    return [Minimums(meetings=m, calls=c) for m, c in pairs]


class Daily(Model):
    # DOMAIN.md: good = 3 meetings, 2 + 10 calls, 1 + 30 calls, or 50 calls;
    # acceptable = 2 meetings, 1 + 15 calls, or 25 calls.
    good: list[Minimums] = Field(
        default_factory=lambda: _rules((3, 0), (2, 10), (1, 30), (0, 50)), min_length=1)
    acceptable: list[Minimums] = Field(
        default_factory=lambda: _rules((2, 0), (1, 15), (0, 25)), min_length=1)


class WeeklyMeetings(Model):
    excellent: int = Field(default=11, ge=0, le=7 * MAX_PER_DAY, strict=True)
    good: int = Field(default=8, ge=0, le=7 * MAX_PER_DAY, strict=True)

    @model_validator(mode="after")
    def _ordered(self) -> WeeklyMeetings:
        not_above(self, "good", "excellent")
        return self


class Weekly(Model):
    meetings: WeeklyMeetings = Field(default_factory=WeeklyMeetings)


class Calendar(Model):
    workdays: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]), min_length=1)
    holidays: list[dt.date] = Field(default_factory=list)

    def workday_numbers(self) -> list[int]:
        """ISO weekday numbers (Monday = 1) of the working days."""
        return sorted({WEEKDAYS.index(d) + 1 for d in self.workdays})


class BelowShare(Model):
    """A manager's share of below-norm working days that makes a finding (strictly above)."""

    warn: float = Field(default=0.20, ge=0, le=1, strict=True)
    fail: float = Field(default=0.40, ge=0, le=1, strict=True)

    @model_validator(mode="after")
    def _ordered(self) -> BelowShare:
        not_above(self, "warn", "fail")
        return self


class Norms(Model):
    source: str
    roster: list[str] | None = None
    calendar: Calendar = Field(default_factory=Calendar)
    daily: Daily = Field(default_factory=Daily)
    weekly: Weekly = Field(default_factory=Weekly)
    below_share: BelowShare = Field(default_factory=BelowShare)

    @field_validator("roster")
    @classmethod
    def _unique_names(cls, names: list[str] | None) -> list[str] | None:
        if names is None:
            return None
        names = [n.strip() for n in names]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"names listed twice: {', '.join(repeated)}")
        if "" in names:
            raise ValueError("an empty name in the roster")
        return names


def norms_problems(norms: Norms | None, sources: Mapping[str, Any]) -> list[tuple[tuple, str]]:
    """Cross-checks the models cannot make alone: (key path, message) for each problem."""
    if norms is None:
        return []
    source = sources.get(norms.source)
    if source is None:
        return [(("norms", "source"), f"unknown source '{norms.source}' (sources defined: "
                                      f"{', '.join(sources)})")]
    if source.kind != "activities":
        return [(("norms", "source"), f"source '{norms.source}' is of kind '{source.kind}'; "
                                      "norms need a source of kind: activities")]
    return []
