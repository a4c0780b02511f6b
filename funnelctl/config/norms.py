"""The `norms:` block of the config (manager activity norms) and an activities source's
`type_values:`. Defaults are the article's table in DOMAIN.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from funnelctl.config.base import Model, empty_list, not_above

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
    """Which values of an activities source's type column mean a call or a meeting, or
    (`type: call`) that every row of the source is one type, for a telephony export that
    has no type column."""

    call: list[str] = Field(default_factory=empty_list)
    meeting: list[str] = Field(default_factory=empty_list)
    type: Literal["call", "meeting"] | None = Field(
        default=None, description="every row of the source is this type (no type column)")

    @model_validator(mode="after")
    def _disjoint(self) -> TypeValues:
        if self.type is not None and (self.call or self.meeting):
            raise ValueError(f"type: {self.type} makes every row a {self.type}; drop the "
                             "call/meeting lists (they read a type column)")
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
    # null: weeks are not graded on meetings (a team whose work is calls)
    meetings: WeeklyMeetings | None = Field(default_factory=WeeklyMeetings)


class Calendar(Model):
    workdays: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]), min_length=1)
    holidays: list[dt.date] = Field(default_factory=empty_list)
    # A production calendar: the country's public holidays are days off and its
    # transferred working days (Russia's working Saturdays) are working days; holidays:
    # and working_dates: add to it.
    country: str | None = Field(
        default=None, description="ISO country code of the production calendar, e.g. RU "
        "(public holidays and transferred working days from the holidays package)")
    working_dates: list[dt.date] = Field(
        default_factory=empty_list, description="dates that are working days whatever the "
        "weekday (a working Saturday the country calendar does not know)")

    @field_validator("country")
    @classmethod
    def _known_country(cls, v: str | None) -> str | None:
        if v is None:
            return None
        from funnelctl.production_calendar import is_supported  # lazy: only with a country

        code = v.strip().upper()
        if not is_supported(code):
            raise ValueError(f"unknown country '{v}' for the production calendar (expected "
                             "an ISO 3166 code the holidays package knows, such as RU, BY, "
                             "KZ)")
        return code

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


class Member(Model):
    """A roster entry with dates: the manager is graded from `from` to `to` (inclusive;
    either may be left out)."""

    name: str = Field(min_length=1)
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Member:
        self.name = self.name.strip()
        if not self.name:
            raise ValueError("an empty name in the roster")
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError(f"{self.name}: to ({self.to}) is before from ({self.from_})")
        return self


class Team(Model):
    """Managers with their own norms (phone sales, field sales): a rule left out is the
    top-level one."""

    name: str = Field(min_length=1)
    members: list[str] = Field(min_length=1)
    daily: Daily | None = None
    weekly: Weekly | None = None


class Norms(Model):
    source: str | list[str] = Field(
        description="the activities source, or a list of them (a CRM log and a telephony "
        "export): their calls and meetings add up per manager and day")
    roster: list[str | Member] | None = None
    calendar: Calendar = Field(default_factory=Calendar)
    daily: Daily = Field(default_factory=Daily)
    weekly: Weekly = Field(default_factory=Weekly)
    below_share: BelowShare = Field(default_factory=BelowShare)
    teams: list[Team] = Field(default_factory=empty_list)

    @field_validator("source")
    @classmethod
    def _sources(cls, v: str | list[str]) -> str | list[str]:
        if isinstance(v, list) and (not v or len(set(v)) != len(v)):
            raise ValueError("source: a source name or a list of distinct source names")
        return v

    @field_validator("roster")
    @classmethod
    def _unique_names(cls, names: list[str | Member] | None) -> list[str | Member] | None:
        if names is None:
            return None
        from funnelctl.managers import name_key

        names = [n.strip() if isinstance(n, str) else n for n in names]
        keys = [name_key(n if isinstance(n, str) else n.name) for n in names]
        shown = [n if isinstance(n, str) else n.name for n in names]
        repeated = sorted({shown[i] for i, k in enumerate(keys) if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"names listed twice: "
                             f"{', '.join(repeated)} (case, ё/е, spaces and word order "
                             "aside)")
        if "" in shown:
            raise ValueError("an empty name in the roster")
        return names

    @model_validator(mode="after")
    def _teams(self) -> Norms:
        from funnelctl.managers import name_key

        seen: dict[str, str] = {}
        names = [t.name for t in self.teams]
        if len(set(names)) != len(names):
            raise ValueError("teams: two teams have the same name")
        roster = None if self.roster is None else {name_key(n) for n in self.roster_names()}
        for team in self.teams:
            for member in team.members:
                key = name_key(member)
                if key in seen:
                    raise ValueError(f"teams: {member} is in two teams ({seen[key]} and "
                                     f"{team.name}); a manager has one set of norms")
                seen[key] = team.name
                if roster is not None and key not in roster:
                    raise ValueError(f"teams: {member} (team {team.name}) is not on the roster")
        return self

    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)

    def members(self) -> list[Member] | None:
        """The roster as entries with dates (a plain name has none)."""
        if self.roster is None:
            return None
        return [Member(name=n) if isinstance(n, str) else n for n in self.roster]

    def roster_names(self) -> list[str] | None:
        members = self.members()
        return None if members is None else [m.name for m in members]


class ManagerNames(Model):
    """How managers' names in the data are matched (funnelctl/managers.py): `aliases` maps
    a name or user id in a file to a manager's name; `ignore` lists system users."""

    aliases: dict[str, str] = Field(
        default_factory=dict, description="name or user id in the data -> manager, e.g. "
        "{'17': Анна Смирнова, 'Аня С.': Анна Смирнова}")
    ignore: list[str] = Field(
        default_factory=empty_list, description="system and shared users whose rows are never "
        "graded (0 always is), e.g. [Система, Робот]")

    @field_validator("aliases", mode="before")
    @classmethod
    def _text_keys(cls, v: Any) -> Any:
        # YAML reads `17: Анна` with an int key: a user id is text here.
        return {str(k): v for k, v in v.items()} if isinstance(v, dict) else v


def norms_problems(norms: Norms | None, sources: Mapping[str, Any],
                   names: ManagerNames | None = None) -> list[tuple[tuple, str]]:
    """Cross-checks the models cannot make alone: (key path, message) for each problem."""
    if norms is None:
        return []
    problems = []
    for name in norms.sources():
        source = sources.get(name)
        if source is None:
            problems.append((("norms", "source"), f"unknown source '{name}' (sources defined: "
                                                  f"{', '.join(sources)})"))
        elif source.kind != "activities":
            problems.append((("norms", "source"), f"source '{name}' is of kind "
                             f"'{source.kind}'; norms need a source of kind: activities"))
    roster = norms.roster_names()
    if names is not None and roster is not None:
        from funnelctl.managers import name_key

        keys = {name_key(n) for n in roster}
        problems += [(("managers", "aliases", alias), f"alias '{alias}' -> '{target}': "
                      "that name is not on norms.roster")
                     for alias, target in names.aliases.items() if name_key(target) not in keys]
    return problems
