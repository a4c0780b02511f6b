"""Which column of an unknown export is which: by header names (RU and EN synonyms, the
presets' aliases) and by what the values look like (ids, dates, money, a few stage-like
values). Each guess carries its evidence, for the comment `init` writes next to it."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from funnelctl.audit.manager_fold import manager_fold
from funnelctl.commands.inspect import InspectResult
from funnelctl.io import presets
from funnelctl.io.activities import duration_seconds
from funnelctl.io.readers import RawSource
from funnelctl.io.values import EDGES, clean_text, epoch_unit, null_markers

# Header words per canonical column, normalised like presets.normalise (best first).
# Exact matches win; then a header that contains one of them ("Дата создания сделки").
SYNONYMS: dict[str, list[str]] = {
    "deal_id": ["id", "dealid", "ид", "идсделки", "номерсделки", "номер", "recordid",
                "opportunityid"],
    "stage": ["stage", "dealstage", "этап", "этапсделки", "стадия", "стадиясделки",
              "stageid", "этапворонки", "статуссделки"],
    "status": ["status", "dealstatus", "outcome", "result", "группастадий", "итог",
               "результат", "состояние", "stagesemanticid", "семантика"],
    "pipeline": ["pipeline", "воронка", "направление", "category", "categoryid", "категория"],
    "created_at": ["createdat", "created", "createdate", "createddate", "datecreated",
                   "датасоздания", "создана", "датазаявки", "addtime", "datecreate"],
    "closed_at": ["closedat", "closedate", "closeddate", "closed", "датазакрытия",
                  "датазавершения", "wontime", "closetime"],
    "modified_at": ["modified", "modifiedat", "updated", "updatetime", "laststagechange",
                    "датаизменения", "датаредактирования", "последнееизменение", "datemodify",
                    "movedtime"],
    # A planned close date (the forecast's): never a bare "Close Date", which is closed_at
    # without a preset to say an open deal's one is the expected close (HubSpot's).
    "expected_close": ["expectedclose", "expectedclosedate", "expectedclosingdate",
                       "plannedclosedate", "estimatedclosedate", "ожидаемаядатазакрытия",
                       "планируемаядатазакрытия", "предполагаемаядатазакрытия",
                       "датазакрытияплан"],
    # When the deal entered its current stage (max_days, time in stage): no plain edit date
    "stage_changed_at": ["stagechangedat", "stagechanged", "laststagechange",
                         "stagechangetime", "dateenteredcurrentstage", "movedtime",
                         "датаперемещения", "датасменыэтапа", "датаизмененияэтапа"],
    "currency": ["currency", "dealcurrency", "currencycode", "currencyisocode",
                 "dealcurrencycode", "валюта", "валютасделки"],
    "amount": ["amount", "value", "dealvalue", "sum", "сумма", "бюджет", "стоимость",
               "revenue", "opportunity", "суммасделки"],
    "probability": ["probability", "dealprobability", "вероятность"],
    # then the presets' own headers ("Opportunity Owner", "ASSIGNED_BY_ID")
    "manager": list(dict.fromkeys(
        ["manager", "owner", "dealowner", "responsible", "ответственный", "менеджер",
         "assignedby", "salesrep", "сотрудник", "оператор", "employee", "agent",
         "исполнитель", *presets.aliases("manager")])),
    "loss_reason": ["lostreason", "lossreason", "причинаотказа", "closedlostreason",
                    "причинапроигрыша"],
    "source": ["source", "leadsource", "источник", "канал", "channel", "utmsource"],
    # event logs
    "entity_id": ["entityid", "userid", "clientid", "visitorid", "customerid", "anonymousid",
                  "sessionid", "user", "пользователь", "клиент", "idпользователя"],
    "event": ["event", "eventname", "eventtype", "action", "событие", "действие"],
    # "ts_ms", "time_ms": a product log's epoch with its unit in the name; the unit itself
    # is read from the values (_epochs), since a name can be wrong about it
    "ts": ["ts", "timestamp", "time", "eventtime", "datetime", "время", "датаивремя", "date",
           "дата", "tsms", "timems", "timestampms", "eventtimems"],
    # activity logs (a CRM's calls and meetings, a PBX's call log)
    "type": ["type", "тип", "activitytype", "типактивности", "типдела", "типсобытия",
             "видактивности", "типзвонка", "вид", "kind", "activity", "активность"],
    "duration": ["длительностьразговора", "времяразговора", "talktime", "billsec",
                 "длительность", "duration", "продолжительность", "callduration"],
}
DEAL_COLUMNS = ("deal_id", "stage", "status", "pipeline", "created_at", "closed_at",
                "expected_close", "stage_changed_at", "modified_at", "amount", "currency",
                "probability", "manager", "loss_reason", "source")
EVENT_COLUMNS = ("entity_id", "event", "ts")
ACTIVITY_COLUMNS = ("manager", "ts", "type", "duration")
DATES = ("created_at", "closed_at", "expected_close", "stage_changed_at", "modified_at", "ts")
NUMBERS = ("amount", "probability")
STAGE_LIKE = (2, 60)  # distinct values a stage or event column may have
CURRENCIES = 20  # distinct values a currency column may have (codes: RUB, USD, EUR)
# Unix seconds of 1990-01-01 and 2100-01-01: an integer "timestamp" outside is no epoch
EPOCH_RANGE = (631_152_000, 4_102_444_800)
# A column with more distinct values is counted as written (ids, deal names): the values
# are cleaned one by one only where they are few enough to be categories.
CATEGORIES = 10_000
DURATION_SHARE = 0.95  # rows whose duration must read for the column to be one
# Words too common to count inside a longer header ('Forecast Category' is no pipeline).
EXACT_ONLY = {"category", "value", "user", "time", "date", "дата", "result", "closed",
              "created", "status", "stage", "event", "action", "номер", "type", "kind",
              "activity"}
# A planned close date ("Deal - Expected close date", "Планируемая дата закрытия") is a
# forecast, not the day a deal closed: its header contains 'closedate' / 'датазакрытия',
# but read as closed_at it would make a sales cycle of the planned dates.
PLANNED = ("expected", "planned", "assumed", "estimated", "forecast", "планируем",
           "предполагаем", "ожидаем", "прогноз")


@dataclass
class Guess:
    column: str
    evidence: str


@dataclass
class Guesses:
    kind: str  # deals or events
    mapping: dict[str, Guess]
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (column, why not)

    def header(self, canonical: str) -> str | None:
        guess = self.mapping.get(canonical)
        return guess.column if guess else None


@dataclass
class Profile:
    """What init needs to know of each column: its type (inspect's), distinct and empty counts."""

    rows: int
    types: dict[str, str]
    distinct: dict[str, int]  # of text: the values as the readers see them (_as_read)
    nulls: dict[str, int]
    durations: dict[str, int]  # of columns named like a duration: values readable as one
    epochs: dict[str, str]  # integer columns (or CSV text of digits) named like a time
    # whose values are Unix epochs of 1990-2100 (a product log's ms timestamps): the unit
    # Columns named like a manager: the managers as the audit counts them, most rows first.
    managers: dict[str, list[str]] = field(default_factory=dict)

    def filled(self, column: str) -> int:
        return self.rows - self.nulls[column]

    def is_date(self, column: str) -> bool:
        return self.types[column].startswith(("datetime", "date"))

    def is_number(self, column: str) -> bool:
        return self.types[column] in ("integer", "number", "amount as text") or \
            self.types[column].startswith(("int", "uint", "float", "decimal"))

    def is_text(self, column: str) -> bool:
        return self.types[column] in ("text", "string")

    def stage_like(self, column: str) -> bool:
        low, high = STAGE_LIKE
        return (self.is_text(column) and low <= self.distinct[column] <= high
                and self.filled(column) >= 2 * self.distinct[column])


def profile(raw: RawSource, result: InspectResult) -> Profile:
    schema = raw.frame.collect_schema()
    types = {c.name: c.type for c in result.columns}
    markers = null_markers(None)
    # Only these: parsing every column of a large export as a duration cost more than
    # the rest of the profile.
    timed = [c for c in raw.columns
             if any(w in presets.normalise(c) for w in SYNONYMS["duration"])]
    clocks = {c: _as_integer(c, schema[c]) for c in raw.columns
              if (schema[c].is_integer() or types[c] == "integer")
              and any(w in presets.normalise(c) for w in SYNONYMS["ts"])}
    named = [c for c in raw.columns
             if any(w in presets.normalise(c) for w in SYNONYMS["manager"])]
    texts = [c for c in raw.columns if schema[c] == pl.String]
    counts = raw.frame.select(
        *(pl.col(c).drop_nulls().n_unique().alias(c) for c in raw.columns),
        *(pl.col(c).unique().head(CATEGORIES + 1).implode().alias(f"\3{c}") for c in texts),
        *(pl.col(c).cast(pl.String).alias("value").value_counts(name="rows")
          .head(CATEGORIES + 1).implode().alias(f"\4{c}") for c in named),
        *(duration_seconds(c, schema[c], markers).is_not_null().sum().alias(f"\0{c}")
          for c in timed),
        *(number.min().alias(f"\1{c}") for c, number in clocks.items()),
        *(number.max().alias(f"\2{c}") for c, number in clocks.items())).collect() \
        .row(0, named=True)
    distinct = {c: counts[c] for c in raw.columns}
    distinct |= {c: len(_as_read(counts[f"\3{c}"], [1] * len(counts[f"\3{c}"]), markers))
                 for c in texts if distinct[c] <= CATEGORIES}
    managers = {c: audit_managers(_as_read([v["value"] for v in counts[f"\4{c}"]],
                                           [v["rows"] for v in counts[f"\4{c}"]], markers))
                for c in named if len(counts[f"\4{c}"]) <= CATEGORIES}
    return Profile(result.rows, types, distinct, {c.name: c.nulls for c in result.columns},
                   {c: counts[f"\0{c}"] for c in timed},
                   _epochs({c: (counts[f"\1{c}"], counts[f"\2{c}"]) for c in clocks}),
                   managers)


def _as_read(values: list[str | None], rows: list[int], markers: list[str]
             ) -> dict[str, int]:
    """A column's distinct values with their rows, as the readers see them: trimmed of
    EDGES, null markers left out. " Google" and "Google" are one source in the audit, so
    here too. On the distinct values: trimming every row of every column doubled the
    profile's time."""
    table = pl.DataFrame({"value": values, "rows": rows},
                         schema={"value": pl.String, "rows": pl.Int64})
    cleaned = (table.select(clean_text("value", markers).alias("value"), "rows").drop_nulls()
               .group_by("value").agg(pl.col("rows").sum()))
    return dict(cleaned.iter_rows())


def audit_managers(rows: dict[str, int]) -> list[str]:
    """The managers that names (each as written, trimmed, with its rows) count as in the
    audit, most rows first: its own matching (manager_fold: case, spaces, word order, an
    e-mail after a name), so init's "N managers" and roster are the report's."""
    fold = manager_fold(rows)
    totals: dict[str, int] = {}
    for name, n in rows.items():
        shown = fold.counts_as.get(name, name)
        totals[shown] = totals.get(shown, 0) + n
    return sorted(totals, key=lambda m: (-totals[m], m))


def _as_integer(column: str, dtype: pl.DataType) -> pl.Expr:
    """The column's integers: a CSV holds them as text (inspect's 'integer': digits only)."""
    if dtype.is_integer():
        return pl.col(column)
    return pl.col(column).cast(pl.String).str.strip_chars(EDGES).cast(pl.Int64, strict=False)


def _epochs(ranges: dict[str, tuple[int | None, int | None]]) -> dict[str, str]:
    """The columns whose least and greatest values are both Unix epochs of 1990-2100, in
    the unit the readers give them (epoch_unit: by the size of the greatest)."""
    out = {}
    for column, (low, high) in ranges.items():
        if low is None or high is None:
            continue
        unit = epoch_unit(pl.Series([high]))
        scale = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
        if EPOCH_RANGE[0] * scale <= low and high < EPOCH_RANGE[1] * scale:
            out[column] = unit
    return out


def guess_columns(result: InspectResult, prof: Profile) -> Guesses:
    """The mapping of a deals export or of an event log, whichever the columns look like."""
    columns = [c.name for c in result.columns]
    deals = guess_by_headers(DEAL_COLUMNS, columns, prof, result)
    _shape_fallbacks(deals, columns, prof)
    events = guess_by_headers(EVENT_COLUMNS, columns, prof, None)
    is_log = (all(k in events for k in EVENT_COLUMNS)
              and ("stage" not in deals or _named(events["event"])))
    mapping = events if is_log else deals
    used = {g.column for g in mapping.values()}
    unmapped = [(c, why_unmapped(c, prof)) for c in columns if c not in used]
    return Guesses("events" if is_log else "deals", mapping, unmapped)


def _named(guess: Guess) -> bool:
    return guess.evidence.startswith("header")


def guess_by_headers(canonicals: tuple[str, ...], columns: list[str], prof: Profile,
           result: InspectResult | None) -> dict[str, Guess]:
    found: dict[str, Guess] = {}
    taken: set[str] = set()
    preset_map = result.mapping if result is not None and result.preset else {}
    for canonical in canonicals:
        header = preset_map.get(canonical)
        # a header the preset itself gives two roles keeps both (HubSpot's Close Date:
        # closed_at and expected_close; Bitrix24's "Дата изменения": stage_changed_at and
        # modified_at), as inspect names them
        if header and _fits(canonical, header, prof):
            found[canonical] = Guess(header, f"header known to the {result.preset} preset"
                                             f"{detail(canonical, header, prof)}")
            taken.add(header)
    for exact in (True, False):
        for canonical in canonicals:
            if canonical in found:
                continue
            barred = _barred(canonical, columns, taken, found)
            for word in SYNONYMS[canonical]:
                header = _by_word(word, columns, barred, exact)
                if header and _fits(canonical, header, prof):
                    how = "header" if exact else f"header contains '{word}'"
                    found[canonical] = Guess(header, how + detail(canonical, header, prof))
                    taken.add(header)
                    break
    return found


def _barred(canonical: str, columns: list[str], taken: set[str],
            found: dict[str, Guess]) -> set[str]:
    """The headers a canonical column may not take by its header words."""
    if canonical == "closed_at":
        return taken | _planned(columns)
    if canonical == "modified_at" and "stage_changed_at" in found:
        # The stage change bounds the last edit, and the reader takes it as modified_at
        # where there is no other: init reads modified_at only to order the stages.
        return taken - {found["stage_changed_at"].column}
    return taken


def _planned(columns: list[str]) -> set[str]:
    return {c for c in columns if any(w in presets.normalise(c) for w in PLANNED)}


def _by_word(word: str, columns: list[str], taken: set[str], exact: bool) -> str | None:
    for column in columns:
        norm = presets.normalise(column)
        loose = len(word) > 3 and word not in EXACT_ONLY and word in norm
        if column not in taken and (norm == word if exact else loose):
            return column
    return None


def _fits(canonical: str, column: str, prof: Profile) -> bool:
    """The values agree with what the header says (a 'Дата' column of text is no date)."""
    if prof.filled(column) == 0:
        return False
    if canonical == "ts" and column in prof.epochs:
        return True
    if canonical in DATES:
        return prof.is_date(column)
    if canonical in NUMBERS:
        return prof.is_number(column)
    if canonical == "duration":  # nearly every row has one: else short calls are unknown
        return (prof.durations.get(column, 0) >= DURATION_SHARE * prof.rows
                and not prof.is_date(column))
    if canonical == "currency":  # codes or names, a few of them: not an amount or a date
        return prof.is_text(column) and prof.distinct[column] <= CURRENCIES
    if canonical in ("stage", "status", "pipeline", "event", "type"):
        return prof.distinct[column] <= STAGE_LIKE[1] and not prof.is_date(column)
    if canonical in ("deal_id", "entity_id"):
        return not prof.is_date(column) and prof.distinct[column] > 1
    return True


def detail(canonical: str, column: str, prof: Profile) -> str:
    if canonical == "manager" and column in prof.managers:
        managers, spellings = len(prof.managers[column]), prof.distinct[column]
        return f", {managers} manager{'s' * (managers != 1)}" + (
            f" ({spellings} spellings, matched as the audit does)" if spellings != managers
            else "")
    if canonical in ("stage", "status", "pipeline", "event", "manager", "source", "type",
                     "currency"):
        return f", {prof.distinct[column]} distinct values"
    if canonical in ("deal_id", "entity_id"):
        return f", {prof.distinct[column]:,} distinct of {prof.filled(column):,} filled"
    if canonical == "ts" and column in prof.epochs:
        return f", Unix epoch ({prof.epochs[column]})"
    return f", {prof.types[column]}"


def _shape_fallbacks(found: dict[str, Guess], columns: list[str], prof: Profile) -> None:
    """Required deal columns the headers did not name, found by their values alone."""
    taken = {g.column for g in found.values()}
    free = [c for c in columns if c not in taken]
    if "deal_id" not in found:
        ids = [c for c in free if not prof.is_date(c) and not prof.is_text(c)
               and prof.filled(c) and prof.distinct[c] >= 0.9 * prof.filled(c)]
        if ids:
            found["deal_id"] = Guess(ids[0], "values: unique per row"
                                     + detail("deal_id", ids[0], prof))
    if "created_at" not in found:
        dates = [c for c in free if prof.is_date(c)]
        if dates:
            found["created_at"] = Guess(dates[0], "values: the first date column"
                                        + detail("created_at", dates[0], prof))
    if "stage" not in found:
        stages = sorted((c for c in free if prof.stage_like(c)),
                        key=lambda c: (prof.nulls[c], -prof.distinct[c]))
        if stages:
            found["stage"] = Guess(stages[0], "values: a few text values repeated over "
                                   "many rows" + detail("stage", stages[0], prof))
    if "amount" not in found:
        money = [c for c in free if prof.types[c] in ("number", "amount as text")]
        if money:
            found["amount"] = Guess(money[0], "values: numbers" + detail("amount", money[0],
                                                                           prof))


def why_unmapped(column: str, prof: Profile) -> str:
    if prof.filled(column) == 0:
        return "empty"
    return f"{prof.types[column]}, {prof.distinct[column]:,} distinct values"
