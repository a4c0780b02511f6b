"""`init --from-export` on an activity log: a CRM's calls and meetings (manager, time,
type), or a PBX's call log (manager, time, duration, no type: every row is a call). It
writes an `activities` source and a `norms:` block with the defaults as comments."""

from __future__ import annotations

from dataclasses import dataclass

from funnelctl.commands.guess_columns import (
    STAGE_LIKE,
    Guess,
    Guesses,
    Profile,
    detail,
    guess_by_headers,
    why_unmapped,
)
from funnelctl.commands.inspect import InspectResult, value_counts
from funnelctl.commands.yaml_text import comment_safe, yaml_double_quoted
from funnelctl.config.norms import WEEKDAYS, BelowShare, Daily, Minimums, TypeValues, Weekly
from funnelctl.io import presets
from funnelctl.io.readers import RawSource

# Words inside a type value that say call or meeting ("Созвон", "Phone call - outbound",
# "Визит к клиенту"), for values the defaults (config/norms.py) do not list.
CALL_STEMS = ("звон", "call", "phone", "телефон")
MEETING_STEMS = ("встреч", "meeting", "визит", "visit")
# ...unless the value says it did not happen or is a plan ("Пропущенный звонок",
# "Задача: позвонить"): those are not graded, whatever else they say.
NOT_HELD = ("пропущ", "missed", "недозвон", "неотвеч", "unanswered", "задач", "task",
            "запланир", "planned", "scheduled", "отмен", "cancel")
TYPE_SHARE = 0.5  # rows a column must fill with call/meeting words to be the type unnamed
MIN_CALL_SECONDS = 30
TIME_HEADERS = {"время", "time", "времязвонка", "calltime", "времяначала", "starttime"}
ROSTER_SHOWN = 30


@dataclass
class ActivityLog:
    guesses: Guesses
    types: list[tuple[str, int, str | None]]  # the type column's values: rows, call/meeting
    time_column: str | None  # the time, in a column apart from a date-only ts
    managers: list[str]  # the manager column's values, most rows first
    missing: list[str]  # what an activity log needs and this file lacks

    @property
    def calls_only(self) -> bool:
        """A PBX log (no type column) or a type column without a meeting value."""
        return all(kind != "meeting" for _, _, kind in self.types)


def activity_kind(value: str) -> str | None:
    """'call', 'meeting' or None (not graded) for one value of a type column."""
    low = value.strip().lower()
    default = TypeValues().lookup().get(low)
    if default is not None:
        return default
    if any(word in low for word in NOT_HELD):
        return None
    call = any(stem in low for stem in CALL_STEMS)
    meeting = any(stem in low for stem in MEETING_STEMS)
    return "call" if call and not meeting else "meeting" if meeting and not call else None


def guess_activity_log(raw: RawSource, result: InspectResult, prof: Profile) -> ActivityLog:
    columns = [c.name for c in result.columns]
    found = guess_by_headers(("manager", "ts", "duration"), columns, prof, None)
    free = [c for c in columns if c not in {g.column for g in found.values()}]
    if "ts" not in found:
        dates = [c for c in free if prof.is_date(c)]
        if dates:
            found["ts"] = Guess(dates[0], "values: the first date column"
                                + detail("ts", dates[0], prof))
            free.remove(dates[0])
    unmapped: list[tuple[str, str]] = []
    type_guess, types = _type_column(raw, free, prof, unmapped)
    if type_guess is not None:
        found["type"] = type_guess
        free.remove(type_guess.column)
    if type_guess is not None and "duration" in found:
        # A CRM's calls and meetings: a meeting has no call duration to check.
        column = found.pop("duration").column
        unmapped.append((column, "a call's duration: map it as duration and set "
                         f"min_call_seconds: {MIN_CALL_SECONDS} to leave short calls out"))
    missing = [c for c in ("manager", "ts") if c not in found]
    if type_guess is None and "duration" not in found:
        missing.append("type (call / meeting values) or duration" + _unread_durations(prof))
    time_column = _time_column(found.get("ts"), free, prof)
    explained = {g.column for g in found.values()} | {c for c, _ in unmapped} | {time_column}
    unmapped += [(c, why_unmapped(c, prof)) for c in columns if c not in explained]
    # The names as the audit shows them (a roster's spelling): "Иванов Иван", not
    # "Иванов Иван (ivanov@firm.ru)" or " иванов иван"
    managers = prof.managers.get(found["manager"].column, []) if "manager" in found else []
    return ActivityLog(Guesses("activities", found, unmapped), types, time_column, managers,
                       missing)


def _unread_durations(prof: Profile) -> str:
    """Why a column named like a duration is none: too few of its values read as one."""
    said = [f"'{c}' is named like one, but {n:,} of {prof.filled(c):,} values read as a "
            "duration: seconds, mm:ss, hh:mm:ss or 1 мин 23 сек"
            for c, n in prof.durations.items() if prof.filled(c)]
    return f" ({'; '.join(said)})" if said else ""


def _type_column(raw: RawSource, free: list[str], prof: Profile,
                 unmapped: list[tuple[str, str]]
                 ) -> tuple[Guess | None, list[tuple[str, int, str | None]]]:
    """The column named like a type with a call or meeting word among its values, else
    the column whose values are mostly such words (a column named like one whose values
    are not goes to `unmapped`, with why)."""
    named = guess_by_headers(("type",), free, prof, None).get("type")
    if named is not None:
        types = _kinds(raw, named.column)
        if any(kind for _, _, kind in types):
            return named, types
        shown = ", ".join(f"'{v}'" for v, _, _ in types[:3])
        unmapped.append((named.column, f"named like a type, but no value ({shown}) is a "
                         "call or meeting word"))
    best: tuple[float, str, list] | None = None
    for column in free:
        if not (prof.is_text(column) and prof.distinct[column] <= STAGE_LIKE[1]):
            continue
        types = _kinds(raw, column)
        share = sum(n for _, n, kind in types if kind) / max(prof.rows, 1)
        if share >= TYPE_SHARE and (best is None or share > best[0]):
            best = (share, column, types)
    if best is None:
        return None, []
    share, column, types = best
    return Guess(column, f"values: {share:.0%} of the rows are call or meeting words"
                 + detail("type", column, prof)), types


def _kinds(raw: RawSource, column: str) -> list[tuple[str, int, str | None]]:
    return [(value, n, activity_kind(value)) for value, n in value_counts(raw, column) if value]


def _time_column(ts: Guess | None, free: list[str], prof: Profile) -> str | None:
    """A time-of-day column beside a ts column that holds dates alone (`Дата`, `Время`)."""
    if ts is None or "%H" in prof.types[ts.column]:
        return None
    return next((c for c in free if presets.normalise(c) in TIME_HEADERS), None)


def source_lines(log: ActivityLog) -> list[str]:
    """The activities source's lines after its columns: the time caveat, the types."""
    lines = []
    if log.time_column:
        lines += [f"    # ts is the date alone: the time is in {_q(log.time_column)}, a column "
                  "of its own, and the reader",
                  "    # reads one. Norms count days, so the date is enough. It is taken as "
                  "the export writes it (the",
                  "    # PBX's clock): with no time it is not moved into the timezone: above, "
                  "as a full timestamp is."]
    if "type" not in log.guesses.mapping:
        return lines + [
            "    type_values: {type: call}  # no type column, and a call duration: a "
            "call log (a PBX's), every row is a call",
            f"    min_call_seconds: {MIN_CALL_SECONDS}  # missed, dropped and wrong-number "
            "calls last seconds: shorter calls are no conversation, counted apart as short"]
    column = log.guesses.header("type")
    lines.append(f"    # type values in {_q(column)} ({len(log.types)} distinct): "
                 "calls, meetings, or not graded (counted as other types)")
    width = len(f"{max(n for _, n, _ in log.types):,}")
    lines += [f"    #   {n:>{width},}  {comment_safe(v)}  -> {kind or 'not graded'}"
              for v, n, kind in log.types]
    defaults = TypeValues().lookup()
    unusual = {kind: [v for v, _, k in log.types if k == kind] for kind in ("call", "meeting")
               if any(k == kind and v.strip().lower() not in defaults for v, _, k in log.types)}
    if not unusual:
        return lines + ["    # type_values: not needed, the call and meeting values above are "
                        "the defaults"]
    lines.append("    type_values:  # some values are no default words: read by their wording "
                 "(a list replaces the defaults)")
    return lines + [f"      {kind}: [{', '.join(_q(v) for v in values)}]"
                    for kind, values in unusual.items()]


def norms_lines(log: ActivityLog, russian: bool) -> list[str]:
    """The norms block: the source, then the defaults as comments to edit."""
    shown = ", ".join(_q(m) for m in log.managers[:ROSTER_SHOWN])
    more = f" (and {len(log.managers) - ROSTER_SHOWN} more)" if len(log.managers) > \
        ROSTER_SHOWN else ""
    daily, weekly, share = Daily(), Weekly(), BelowShare()
    meetings = weekly.meetings
    country, why = (("country: RU, ", "Russia's public holidays and transferred working days")
                    if russian else ("", "add country: (an ISO code) for its public holidays"))
    lines = ["norms:", "  source: activities"]
    if log.calls_only:
        lines.append("  weekly: {meetings: null}  # the log has no meetings: weeks are not "
                     "graded on them (days are, on calls)")
    return lines + [
        f"  # roster: [{shown}]  # the names in the data{more}: list who should have "
        "worked (without a roster, everyone in the data is graded)",
        f"  # calendar: {{{country}workdays: [{', '.join(WEEKDAYS[:5])}], holidays: []}}  "
        f"# {why}",
        "  # The defaults (the field-sales table of docs/norms.md); uncomment to change:",
        "  # daily:",
        f"  #   good: {_rules(daily.good)}",
        f"  #   acceptable: {_rules(daily.acceptable)}",
        f"  # weekly: {{meetings: {{excellent: {meetings.excellent}, good: {meetings.good}}}}}"
        "  # meetings per ISO week",
        f"  # below_share: {{warn: {share.warn}, fail: {share.fail}}}  # a manager's share "
        "of below-norm working days that makes a finding"]


def _rules(rules: list[Minimums]) -> str:
    parts = [", ".join(f"{k}: {v}" for k, v in (("meetings", r.meetings), ("calls", r.calls))
                       if v) for r in rules]
    return "[" + ", ".join(f"{{{p}}}" for p in parts) + "]"


def _q(value: str) -> str:
    return yaml_double_quoted(value)
