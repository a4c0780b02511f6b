"""A deals export -> the canonical deals frame, and a ledger of rows that cannot be used."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from funnelctl.config import Source
from funnelctl.errors import DataError, excerpt_list
from funnelctl.io import presets
from funnelctl.io.currency import amount_currency, currency_expr
from funnelctl.io.readers import (
    LINE,
    RawSource,
    collect_in_slices,
    read_error,
    require_columns,
)
from funnelctl.io.rejects import REJECTS_SCHEMA, no_usable_rows
from funnelctl.io.stage_dates import entered_columns
from funnelctl.io.values import (
    EDGES,
    as_enum,
    clean_text,
    date_readings,
    map_on_distinct,
    null_markers,
    on_distinct,
    out_of_range,
    parse_amount,
    plausible,
    strip_on_distinct,
    to_local_datetime,
    trimmed,
)
from funnelctl.plural import plural

DUPLICATE = "duplicate deal id"
CLOSED_BEFORE_CREATED = "closed before created"
UNPARSEABLE_AMOUNT = "unparseable amount"
CURRENCY_CONFLICT = "amount currency differs from currency column"
RULE = "_rule"  # the position of the first reject rule a row breaks (null: usable)
KEPT = "_kept"  # with NEWEST_BY's column: the copy of a repeated deal id that is the deal
PRODUCT_ROW = -1  # RULE of a deal's later product row: folded into the deal, not rejected
REQUIRED = {"deal_id", "stage", "created_at"}
# The optional date columns -> the key of their "given" and raw-text helper columns:
# closed_at; stage_changed_at for max_days (how long a deal sits in its stage);
# expected_close for the forecast (when an open deal should close); modified_at (the
# record's last change, of any field) only to choose the newest copy of a repeated id.
OPTIONAL_DATES = {"closed_at": "closed", "stage_changed_at": "changed",
                  "expected_close": "expected", "modified_at": "modified"}
OPTIONAL = ("status", "closed_at", "amount", "currency", "manager", "pipeline", "loss_reason",
            "lost_stage", "stage_changed_at", "expected_close", "modified_at")
# The date that says which copy of a repeated deal id is newest, best first: any edit
# changes modified_at; two copies of one stage share their stage_changed_at (an amount or
# owner edited since ties them, and the stale copy would win by file order).
NEWEST_BY = ("modified_at", "stage_changed_at")

# The canonical status: a byte a row, not a 16-byte string (~45 MiB less at 3M deals);
# compared with text as usual (== "won"), and sorted as text: the words are in that order.
STATUSES = pl.Enum(["lost", "open", "won"])
# Status words CRMs use; `status_values:` in the source replaces them.
DEFAULT_STATUS = {
    "open": ["open", "in progress", "в работе", "открыта", "p", "нет", "n", "false", "0"],
    "won": ["won", "success", "closed won", "успешно", "успешно реализовано", "выиграна",
            "s", "142"],
    "lost": ["lost", "failure", "closed lost", "проиграна", "закрыто и не реализовано",
             "f", "143"],
}



@dataclass
class Deals:
    frame: pl.DataFrame  # canonical columns + LINE
    rejects: pl.DataFrame  # line, reason, value
    has_status: bool
    has_lost_stage: bool
    preset: str | None = None
    # Usable rows with a value that does not parse (line, reason, value): kept, flagged.
    problems: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECTS_SCHEMA))
    product_rows: int = 0  # later rows of a deal, one per product, folded into its first
    notes: list[str] = field(default_factory=list)  # for the source's data-quality notes

    @property
    def rows_read(self) -> int:
        return self.frame.height + self.rejects.height + self.product_rows


def resolve_preset(raw: RawSource, source: Source) -> str | None:
    """The configured preset; for `auto`, the best match (recorded in raw.detected)."""
    if source.preset != presets.AUTO:
        return source.preset
    name = presets.pick(raw.columns)
    if name is None:
        raise DataError(
            f"{raw.path}: the columns match no preset (preset: auto); "
            f"{presets.describe_closest(raw.columns)}\n"
            f"  columns found: {excerpt_list(raw.columns)}\n"
            f"  map them under sources.{raw.name}.columns (deal_id, stage, created_at)")
    return name


def column_mapping(raw: RawSource, source: Source, extra: list[str]) -> dict[str, str]:
    """canonical name -> header in the file, for every column the deals funnel can use.

    Explicit `columns:` win over the preset, which wins over headers already named
    canonically.
    """
    preset = resolve_preset(raw, source)
    mapping = presets.match_columns(preset, raw.columns) if preset else {}
    if preset:
        raw.detected["preset"] = preset if source.preset != presets.AUTO else f"{preset} (auto)"
    for name in (*REQUIRED, *OPTIONAL, *extra):
        if name not in mapping and name in raw.columns:
            mapping[name] = name
    mapping.update(source.columns)
    missing = sorted(REQUIRED - mapping.keys())
    if missing:
        tried = ""
        if preset:
            aliases = presets.PRESETS[preset]["columns"]
            tried = "\n  preset '" + preset + "' looked for: " + "; ".join(
                f"{m}: {', '.join(aliases[m])}" for m in missing)
        else:
            tried = f"\n  {presets.describe_closest(raw.columns)} (set preset: auto or a name)"
        raise DataError(
            f"{raw.path}: no column for {', '.join(missing)}: map it under "
            f"sources.{raw.name}.columns\n  columns found: {excerpt_list(raw.columns)}{tried}"
        )
    for name in extra:
        mapping.setdefault(name, name)
    require_columns(raw, mapping, REQUIRED | set(extra))
    return mapping


def read_deals(raw: RawSource, source: Source, timezone: str, breakdown: list[str],
               as_of: dt.date | None = None) -> Deals:
    """Dates outside 1990-01-01 .. as_of + 1 year (default: today) are rejected."""
    mapping = column_mapping(raw, source, breakdown)
    dates = plausible(as_of, timezone)
    preset = resolve_preset(raw, source)
    schema = raw.frame.collect_schema()
    markers = null_markers(source.null_values)
    orders = date_readings(raw, source.date_format,
                           [mapping[c] for c in ("created_at", *OPTIONAL_DATES) if c in mapping])
    created, created_given = to_local_datetime(
        mapping["created_at"], schema[mapping["created_at"]], timezone, source.date_format, markers,
        orders.get(mapping["created_at"]))
    typed_id = schema[mapping["deal_id"]] != pl.String
    columns = {
        LINE: pl.col(LINE),  # as the file was numbered (the ledger casts it)
        # A typed id (Parquet, Excel) stays typed: text of 3M ids cost ~0.1 s and 48 MiB,
        # and most audits only count deals. Where ids are matched, sorted or shown they
        # are read as text (deal_id_text).
        "deal_id": pl.col(mapping["deal_id"]) if typed_id
        else pl.col(mapping["deal_id"]).cast(pl.String).str.strip_chars(EDGES),
        "stage": pl.col(mapping["stage"]).cast(pl.String),
        "created_at": created,
        "_created_given": created_given,
        "_created_raw": _text(mapping["created_at"], schema),
    }
    # modified_at from stage_changed_at's own column (Bitrix24's usual export has only
    # Дата изменения): parsed once and named twice, as a second parse costs memory
    shared = "modified_at" in mapping and mapping["modified_at"] == mapping.get(
        "stage_changed_at")
    for column, key in OPTIONAL_DATES.items():
        if column in mapping and not (shared and column == "modified_at"):
            name = mapping[column]
            parsed, given = to_local_datetime(
                name, schema[name], timezone, source.date_format, markers, orders.get(name))
            columns |= {column: parsed, f"_{key}_given": given, f"_{key}_raw": _text(name, schema)}
    if "amount" in mapping:
        columns |= _amount_columns(mapping, schema, markers)
    stage_dates, kept = entered_columns(raw, source, timezone, markers)
    columns |= stage_dates
    has_status = "status" in mapping
    if has_status:  # read as it is; its words are looked up after the collect
        columns["status"] = pl.lit(None, pl.String)  # (keeps the column's place)
        columns["_status_raw"] = pl.col(mapping["status"]).cast(pl.String)
    texts = []  # trimmed after the collect, on their distinct values (the stage too)
    for name in ("manager", "pipeline", "loss_reason", "lost_stage", *breakdown):
        if name in mapping and name not in columns:
            columns[name] = pl.col(mapping[name]).cast(pl.String)
            if name != "loss_reason" or name in breakdown:
                texts.append(name)
            else:  # trimmed where they are counted (metrics/value.reasons_from), and coded
                columns[name] = columns[name].cast(_loss_codes())
    columns["_blank"] = pl.all_horizontal(pl.col(c).is_null() for c in set(mapping.values()))
    # The range is checked on the parsed columns: inside the select it would parse twice.
    odd = {f"_{c.split('_')[0]}_odd": dates.outside(pl.col(c))
           for c in ("created_at", "closed_at") if c in columns}
    rules = _reject_rules(has_status, mapping, typed_id)
    # The status rule is the last: it is judged after the collect, with the status words.
    frame = (raw.frame.select(**columns).with_columns(**odd)
             .with_columns(_first_broken(rules[:-1] if has_status else rules).alias(RULE)))
    if shared:
        frame = frame.with_columns(modified_at=pl.col("stage_changed_at"))
    products = presets.product_columns(preset, raw.columns)
    try:
        # Slice by slice, each slice's text columns settled (trimmed, looked up, coded)
        # before the next is read: the file's text arrives as 16-byte string views a row,
        # and only one slice's of them is held at a time.
        frame = collect_in_slices(raw, frame, lambda part: _settled(
            part, rules, texts, source, preset, has_status, bool(products)))
    except pl.exceptions.PolarsError as exc:
        raise read_error(raw, exc) from None
    newest = next((c for c in NEWEST_BY if c in frame.columns), None)
    repeats, undated = 0, 0
    if not _increasing(frame["deal_id"]):  # ids in strictly rising order repeat none
        fields = _deal_fields(frame) if products else None
        if newest:
            newest_copy, undated = _newest_copies(frame, newest)
            frame = frame.with_columns(newest_copy)
        frame = frame.with_columns(_with_duplicates(len(rules), fields, bool(newest))
                                   .alias(RULE))
        repeats = int(frame.select((pl.col(RULE) == len(rules)).sum()).item())
    frame, folded, notes = _fold_products(frame) if products else (frame, 0, [])
    if repeats:
        notes.append(duplicate_note(repeats, newest, undated))
    if frame.height == 0:
        raise DataError(f"{raw.path}: has a header but no data rows")
    # The reason and the offending value are picked on the (few) rejected rows only.
    rejected = frame.filter(pl.col(RULE) >= 0)  # not the product rows (PRODUCT_ROW)
    rejects = rejected.select(
        line=pl.col(LINE), reason=_reason_text(rules), value=_offending_value(rules)
    ).cast(REJECTS_SCHEMA)
    # Most exports reject nothing: then the frame is kept as it is, not copied by a filter.
    good = frame.filter(pl.col(RULE).is_null()) if rejected.height or folded else frame
    if good.height == 0:
        raise no_usable_rows(raw.path, rejects, source.date_format)
    problems = value_problems(good, [*KEPT_VALUES, *kept])
    if folded:  # a product row's amount left out (unreadable, conflicting) is out of its deal's
        problems = pl.concat([problems, value_problems(
            frame.filter(pl.col(RULE) == PRODUCT_ROW), list(KEPT_VALUES[:2]))]).sort("line")
    good = good.drop([c for c in good.columns if c.startswith("_") and c != LINE],
                     *(["modified_at"] if "modified_at" in good.columns else []))
    if "currency" in good.columns and good["currency"].null_count() == good.height:
        good = good.drop("currency")  # no deal names a currency: the amounts are plain
    return Deals(good, rejects, has_status, "lost_stage" in mapping, preset, problems,
                 folded, notes)


def _settled(part: pl.DataFrame, rules: list[tuple[pl.Expr, str, pl.Expr]],
             texts: list[str], source: Source, preset: str | None,
             has_status: bool, products: bool) -> pl.DataFrame:
    """One slice of the read rows with its text settled, row by row (nothing here looks at
    other rows): the status words looked up and their reject rule applied, the text
    columns trimmed, and the stage (trimmed) kept as an Enum of its values."""
    if has_status:
        # (cast by an expression, which keeps the frame's chunks: see io.values.as_enum)
        part = part.with_columns(_statuses(part["_status_raw"], source, preset)) \
            .with_columns(pl.col("status").cast(STATUSES),
                          pl.coalesce(RULE, _first_broken(rules[-1:], len(rules) - 1)))
        # The status as written is compared between a deal's product rows, and shown for
        # a status the words do not know; other rows do not need it (nor its 16 bytes).
        if not products:
            part = part.with_columns(pl.when(pl.col("status").is_null()).then("_status_raw")
                                     if part["status"].null_count()
                                     else pl.lit(None, pl.String).alias("_status_raw"))
    part = strip_on_distinct(part, texts)
    return part.with_columns(as_enum(part["stage"], trimmed))


def _loss_codes() -> pl.Categorical:
    """The loss reasons' type when no breakdown reads them as text: codes (4 bytes a row,
    not a 16-byte string view) of categories of their own, one set per read, cast as
    the rows stream in (the text of a slice is never held whole). An Enum would need the
    distinct values first: a second pass."""
    return pl.Categorical(pl.Categories.random())


def _amount_columns(mapping: dict[str, str], schema: pl.Schema, markers: list[str]
                    ) -> dict[str, pl.Expr]:
    """The amount, its currency (the currency column's, else the amount text's: Salesforce
    "USD 485,000.00") and the flags of a value left out: an amount that does not parse,
    or one whose text names another currency than its currency cell."""
    name = mapping["amount"]
    amount = parse_amount(name, schema[name], markers)
    cell = currency_expr(mapping["currency"], markers) if "currency" in mapping else None
    if schema[name] != pl.String:
        typed = {"amount": amount, "_amount_given": pl.lit(False),
                 "_amount_raw": _text(name, schema)}
        return typed | ({"currency": cell} if cell is not None else {})
    text = clean_text(name, markers)
    currency, conflict = amount_currency(cell, text, amount)
    columns = {"amount": pl.when(~conflict).then(amount),
               "_amount_given": text.is_not_null() & ~conflict, "_amount_raw": pl.col(name),
               "currency": currency}
    if cell is not None:
        columns |= {"_currency_conflict": conflict, "_conflict_raw": pl.concat_str(
            clean_text(mapping["currency"], markers), text, separator=" / ")}
    return columns


# Values a deal can do without: (column, its "given" flag, raw text, reason).
KEPT_VALUES = (("amount", "_amount_given", "_amount_raw", UNPARSEABLE_AMOUNT),
               ("amount", "_currency_conflict", "_conflict_raw", CURRENCY_CONFLICT),
               ("stage_changed_at", "_changed_given", "_changed_raw",
                "unparseable stage_changed_at"),
               ("expected_close", "_expected_given", "_expected_raw",
                "unparseable expected_close"),
               ("modified_at", "_modified_given", "_modified_raw", "unparseable modified_at"))


def value_problems(good: pl.DataFrame, kept: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    """(line, reason, value) of usable rows with a value that does not parse: the deal
    counts, the value is left out, and the data-quality section says so."""
    frames = [good.filter(pl.col(given) & pl.col(column).is_null()).select(
                  line=pl.col(LINE), reason=pl.lit(reason), value=pl.col(raw))
              for column, given, raw, reason in kept if given in good.columns]
    return pl.concat([f.cast(REJECTS_SCHEMA) for f in frames]) if frames \
        else pl.DataFrame(schema=REJECTS_SCHEMA)


def deal_id_text() -> pl.Expr:
    """The deal id as text, for matching, sorting and showing ids: the canonical frame
    keeps a typed id (Parquet, Excel) as the file types it."""
    return pl.col("deal_id").cast(pl.String)


def _text(column: str, schema: pl.Schema) -> pl.Expr:
    """The raw text of a date column, for the rejects ledger. Typed (Parquet) dates never
    fail to parse, and formatting a million of them costs more than the whole audit."""
    if schema[column] == pl.String:
        return pl.col(column)
    return pl.lit(None, pl.String)


def _shown(parsed: str, raw: str) -> pl.Expr:
    """A date as the file has it, or as read when the file stores it typed (Parquet)."""
    return pl.coalesce(pl.col(raw), pl.col(parsed).cast(pl.String))


def _status_words(source: Source, preset: str | None) -> Callable:
    """The status word (trimmed, lower-cased) -> open, won or lost, as a function of text
    (an expression or a series): null for a word that is none of them."""
    words = {k: list(v) for k, v in DEFAULT_STATUS.items()}
    preset_words = presets.PRESETS[preset].get("status_values", {}) if preset else {}
    for key, extra in preset_words.items():
        words[key] += extra
    if source.status_values is not None:
        words = {k: v or DEFAULT_STATUS[k] for k, v in source.status_values.model_dump().items()}
    lookup = {w.strip().lower(): status for status, ws in words.items() for w in ws}
    return lambda text: text.str.strip_chars(EDGES).str.to_lowercase().replace_strict(
        lookup, default=None, return_dtype=pl.String)


def _status_expr(column: str, source: Source, preset: str | None) -> pl.Expr:
    """The status column in canonical words, lazily (commands/funnel_shape)."""
    return on_distinct(pl.col(column).cast(pl.String), _status_words(source, preset))


def _statuses(raw: pl.Series, source: Source, preset: str | None) -> pl.Series:
    """The same on the collected column, once per distinct value (the reader)."""
    return map_on_distinct(raw, _status_words(source, preset)).alias("status")


def _reject_rules(has_status: bool, mapping: dict[str, str], typed_id: bool = False
                  ) -> list[tuple[pl.Expr, str, pl.Expr]]:
    """(condition, reason, offending value) per way a row can be unusable, first wins."""
    none = pl.lit(None, pl.String)
    no_id = pl.col("deal_id").is_null()
    rules = [
        (pl.col("_blank"), "blank line", none),
        (no_id if typed_id else no_id | (pl.col("deal_id") == ""), "missing deal id", none),
        (~pl.col("_created_given"), "missing created_at", none),
        (pl.col("created_at").is_null(), "unparseable created_at", pl.col("_created_raw")),
        (pl.col("_created_odd"), out_of_range("created_at"), _shown("created_at", "_created_raw")),
    ]
    if "closed_at" in mapping:
        rules.append((pl.col("_closed_given") & pl.col("closed_at").is_null(),
                      "unparseable closed_at", pl.col("_closed_raw")))
        rules.append((pl.col("_closed_odd").fill_null(False), out_of_range("closed_at"),
                      _shown("closed_at", "_closed_raw")))
        # By day: a date-only close date on the creation day is no contradiction.
        rules.append((pl.col("closed_at").dt.date() < pl.col("created_at").dt.date(),
                      CLOSED_BEFORE_CREATED, pl.concat_str(
                          pl.col("closed_at").dt.date().cast(pl.String), pl.lit(" < "),
                          pl.col("created_at").dt.date().cast(pl.String))))
    if has_status:
        rules.append((pl.col("status").is_null(), "unknown status value", pl.col("_status_raw")))
    return rules


def _first_broken(rules: list[tuple[pl.Expr, str, pl.Expr]], first: int = 0) -> pl.Expr:
    """The position of the first rule a row breaks (`rules` start at position `first`),
    or null for a usable row: a small integer per row, the reason's text is looked up on
    the rejected rows only."""
    return pl.coalesce([pl.when(cond).then(pl.lit(k, pl.Int8))
                        for k, (cond, _, _) in enumerate(rules, first)]).alias(RULE)


def _increasing(ids: pl.Series) -> bool:
    """Whether every id is greater than the one before (exports are often sorted by id):
    then no deal id is repeated, which one comparison of neighbours tells, much faster
    than looking each id up among those seen."""
    if ids.len() < 2 or ids.null_count():
        return ids.len() < 2 and not ids.null_count()
    return bool((ids.slice(1) > ids.slice(0, ids.len() - 1)).all())


def _with_duplicates(duplicate: int, deal_fields: list[str] | None = None,
                     newest: bool = False) -> pl.Expr:
    """RULE, or `duplicate` for a row of a deal id other than the one kept; only rows that
    are otherwise usable take part, so a broken row does not hide a good one. The row kept
    is the first, or with `newest` the one marked by _newest_copies (its KEPT column).

    With `deal_fields` (an export with product columns, which writes a deal once per
    product, every deal field repeated), a row whose deal fields all equal the kept row's
    is a product row (PRODUCT_ROW), folded into the deal; one that differs in any
    (another stage, manager, date) is a duplicate still.
    """
    usable = pl.col(RULE).is_null()
    key = pl.when(usable).then(pl.col("deal_id"))  # null for unusable rows: kept apart
    kept = pl.col(KEPT) if newest else key.is_first_distinct()
    marked = pl.when(usable & ~kept)
    if deal_fields:
        def kept_value(c: str) -> pl.Expr:
            return (pl.col(c).filter(kept) if newest else pl.col(c)).first().over(key)
        same = pl.all_horizontal(pl.col(c).eq_missing(kept_value(c)) for c in deal_fields)
        marked = marked.then(pl.when(same).then(pl.lit(PRODUCT_ROW, pl.Int8))
                             .otherwise(pl.lit(duplicate, pl.Int8)))
    else:
        marked = marked.then(pl.lit(duplicate, pl.Int8))
    return marked.otherwise(pl.col(RULE))


def _newest_copies(frame: pl.DataFrame, by: str) -> tuple[pl.Series, int]:
    """(KEPT: whether a usable row is the copy of its deal id that is the deal: the first
    of those with the id's latest date `by` (NEWEST_BY; a stale copy is often written
    before the current one); the repeated ids kept by file order). When a copy of the id has no
    readable date, which is newest is unknown: the first is kept, as without the column,
    and the note says so. Worked out on the repeated ids' rows only (a group per id over
    every row cost ~40 s CPU at 1M deals)."""
    usable = pl.col(RULE).is_null()
    repeated = frame.select(usable & pl.when(usable).then(pl.col("deal_id")).is_duplicated()
                            ).to_series()
    copies = frame.select("deal_id", by).with_row_index("_i").filter(repeated)
    changed = pl.col(by)
    undated = changed.null_count() > 0
    picks = copies.group_by("deal_id").agg(
        pl.when(undated).then(pl.col("_i").first())
        .otherwise(pl.col("_i").get(changed.arg_max())),  # arg_max: the first latest
        undated.alias("_undated"))
    kept = pl.zeros(frame.height, pl.Boolean, eager=True).scatter(picks["_i"], True)
    return ((frame[RULE].is_null() & (~repeated | kept)).alias(KEPT),
            int(picks["_undated"].sum()))


# Which copy of a repeated id is the deal without a date to choose the newest: the file's
# first (a ClickHouse table has no row order: its earliest created, docs/engines.md).
FIRST_COPY = "the first copy in file order"
EARLIEST_COPY = "the earliest created copy (a table has no row order)"


def duplicate_note(rows: int, newest: str | None, undated: int = 0, first: str = FIRST_COPY
                   ) -> str:
    """The data-quality note saying which copy of a repeated deal id is the deal, and why:
    the newest by `newest` (a NEWEST_BY column), or `first` where no date can say which is
    newest (no such column is mapped, or `undated` ids have a copy without one). Both
    engines'."""
    repeat = plural(rows, ("{rows:,} row repeats a deal id", "{rows:,} rows repeat a deal id")
                    ).format(rows=rows)
    if not newest:
        return (f"{repeat}: of each repeated id {first} is kept: no modified_at or "
                "stage_changed_at to choose the newest")
    note = f"{repeat}: of each repeated id the newest by {newest} is kept"
    if undated:
        ids = plural(undated, ("{n:,} id with a copy", "{n:,} ids with a copy")
                     ).format(n=undated)
        note += f"; of {ids} without a {newest}, {first}: no date to choose the newest"
    return note


def _deal_fields(frame: pl.DataFrame) -> list[str]:
    """The columns read that describe the deal, not one product row of it: every
    canonical column but the line and the amount (which Bitrix24 writes per product), and
    the status as written (its words are looked up per distinct value)."""
    return [c for c in frame.columns
            if (not c.startswith("_") and c not in (LINE, "amount", "status"))
            or c == "_status_raw"]


def _fold_products(frame: pl.DataFrame) -> tuple[pl.DataFrame, int, list[str]]:
    """(the frame with each deal's amount the sum of its product rows' amounts, null
    only when none has one; the number of later product rows; the note saying so).

    Bitrix24 replaces the deal's amount on each product row by price x quantity of that
    product, so the deal's value is their sum."""
    product = pl.col(RULE) == PRODUCT_ROW
    later = int(frame.select(product.sum()).item())
    if not later:
        return frame, 0, []
    # The deal (its first usable row) and its product rows share a key; other rows: null.
    key = pl.when(pl.col(RULE).is_null() | product).then(pl.col("deal_id"))
    deals = int(frame.filter(product).select(pl.col("deal_id").n_unique()).item())
    if "amount" in frame.columns:
        amount = pl.col("amount")
        total = pl.when(amount.is_not_null().any().over(key)).then(amount.sum().over(key))
        frame = frame.with_columns(
            amount=pl.when(pl.col(RULE).is_null()).then(total).otherwise(amount))
    return frame, later, [product_note(later + deals, deals)]


def product_note(rows: int, deals: int) -> str:
    return plural(deals, ("{rows:,} product rows of {deals:,} deal read as one deal",
                          "{rows:,} product rows of {deals:,} deals read as one deal each")
                  ).format(rows=rows, deals=deals)


def _reason_text(rules: list[tuple[pl.Expr, str, pl.Expr]]) -> pl.Expr:
    texts = [text for _, text, _ in rules] + [DUPLICATE]
    return pl.col(RULE).replace_strict(list(range(len(texts))), texts,
                                       return_dtype=pl.String)


def _offending_value(rules: list[tuple[pl.Expr, str, pl.Expr]]) -> pl.Expr:
    """The value that broke the row's rule (on rejected rows, whose RULE is set)."""
    offending = [value for _, _, value in rules] + [deal_id_text()]
    return pl.coalesce([pl.when(pl.col(RULE) == k).then(value.cast(pl.String))
                        for k, value in enumerate(offending)])
