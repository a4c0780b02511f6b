"""The funnels of a deals export: one per pipeline (Bitrix24 category, amoCRM pipeline),
won / lost values set apart as outcomes, and the stages in the CRM's own order where the
export says it (stage probabilities, Bitrix24 stage codes, a preset's default pipeline);
only where nothing says, by how far the deals got, and the plan says so."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from funnelctl.io import presets
from funnelctl.io.values import EDGES

WON_WORDS = {"won", "closedwon", "dealwon", "success", "успешнореализовано", "сделкауспешна",
             "успешнаясделка", "успех", "выиграна", "победа", "142"}
LOST_WORDS = {"lost", "closedlost", "deallost", "failure", "lose", "apology",
              "закрытоинереализовано", "сделкапровалена", "анализпричиныпровала", "провал",
              "отказ", "проиграна", "нереализовано", "143"}
# Bitrix24's system stage codes in its default order; C<n>: prefixes the other categories.
BITRIX_ORDER = ["NEW", "PREPARATION", "PREPAYMENT_INVOICE", "PREPAYMENT_INVOIC", "EXECUTING",
                "FINAL_INVOICE"]
BITRIX_CODE = re.compile(r"^(?:C(?P<category>\d+):)?(?P<code>[A-Z][A-Z0-9_]*)$")
BITRIX_WON, BITRIX_LOST = {"WON"}, {"LOSE", "APOLOGY"}


@dataclass
class FunnelPlan:
    name: str
    pipeline: str | None  # the pipeline column's value this funnel keeps, if it needs one
    stages: list[tuple[str, int]]  # (value, deals), in funnel order
    won: list[str]
    lost: list[str]
    order_note: str  # why the stages are in this order
    notes: list[str] = field(default_factory=list)


def outcome_of(value: str) -> str | None:
    """won / lost for a value that names an outcome, whatever the CRM; else None."""
    match = BITRIX_CODE.match(value.strip())
    if match and match["code"] in BITRIX_WON:
        return "won"
    if match and match["code"] in BITRIX_LOST:
        return "lost"
    key = presets.normalise(value)
    return "won" if key in WON_WORDS else "lost" if key in LOST_WORDS else None


def bitrix_coded(values: list[str]) -> bool:
    """Stage values that are Bitrix24 codes (NEW, C6:WON, C6:UC_ABC1), not names."""
    coded = [v for v in values if BITRIX_CODE.match(v) and ":" in v or v in BITRIX_ORDER
             or v in BITRIX_WON | BITRIX_LOST]
    return bool(values) and len(coded) >= 0.8 * len(values)


def plan_funnels(deals: pl.DataFrame, preset: str | None, probability_header: str | None,
                 age_header: str | None) -> list[FunnelPlan]:
    """deals: one row per deal with stage, pipeline (may be null), probability, age_days."""
    values = deals["stage"].drop_nulls().unique().to_list()
    coded = bitrix_coded(values)
    pipelines = deals["pipeline"].drop_nulls().unique().sort().to_list()
    if pipelines:  # one funnel per pipeline, each keeping its own deals
        deals = deals.with_columns(pl.col("pipeline").alias("group"))
        groups = [(p, p) for p in pipelines]
    elif coded:  # Bitrix24 codes without a category column: the C<n>: prefix says it
        category = pl.col("stage").str.extract(r"^C(\d+):", 1).fill_null("0")
        deals = deals.with_columns(category.alias("group"))
        groups = [(c, f"Category {c}" if c != "0" else "General")
                  for c in deals["group"].unique().sort()]
    else:
        deals = deals.with_columns(pl.lit("").alias("group"))
        groups = [("", "Main pipeline")]
    plans = []
    for value, name in groups:
        plan = _plan(deals.filter(pl.col("group") == value), name, preset, coded,
                     probability_header, age_header)
        if plan is not None:
            # A filter only where stage values alone cannot tell the pipelines apart.
            plan.pipeline = value if pipelines and len(pipelines) > 1 else None
            plans.append(plan)
    return plans


def _plan(deals: pl.DataFrame, name: str, preset: str | None, coded: bool,
          probability_header: str | None, age_header: str | None) -> FunnelPlan | None:
    # The audit matches stage values ignoring case and outer spaces, so 'Переговоры' and
    # 'переговоры ' are one stage here too (two would be refused as ambiguous); the
    # spelling most deals use is the one written.
    key = pl.col("stage").str.strip_chars(EDGES).str.to_lowercase()
    per_stage = (deals.filter(key.is_not_null() & (key != ""))
        .with_columns(key.alias("key"), pl.len().over("stage").alias("spelled"))
        .sort(["spelled", "stage"], descending=[True, False])
        .group_by("key").agg(
            pl.col("stage").first(), pl.len().alias("deals"),
            pl.col("probability").median().alias("probability"),
            pl.col("age_days").median().alias("age"))
        .drop("key")
        .sort(["deals", "stage"], descending=[True, False]))
    rows = per_stage.rows(named=True)
    preset_won = {presets.normalise(v) for v in _preset(preset, "won_stages")}
    preset_lost = {presets.normalise(v) for v in _preset(preset, "lost_stages")}

    def outcome(value: str) -> str | None:
        key = presets.normalise(value)
        return "won" if key in preset_won else "lost" if key in preset_lost \
            else outcome_of(value)

    won = [r["stage"] for r in rows if outcome(r["stage"]) == "won"]
    lost = [r["stage"] for r in rows if outcome(r["stage"]) == "lost"]
    open_rows = [r for r in rows if outcome(r["stage"]) is None]
    if not open_rows:
        return None
    ordered, note = _order(open_rows, preset, coded, probability_header, age_header)
    return FunnelPlan(name, None, [(r["stage"], r["deals"]) for r in ordered], won, lost, note)


def _preset(preset: str | None, key: str) -> list[str]:
    return list(presets.PRESETS[preset].get(key, [])) if preset else []


def _order(rows: list[dict], preset: str | None, coded: bool, probability_header: str | None,
           age_header: str | None) -> tuple[list[dict], str]:
    probs = [r["probability"] for r in rows]
    if probability_header and None not in probs and len(set(probs)) == len(probs):
        ordered = sorted(rows, key=lambda r: r["probability"])
        shown = ", ".join(f"{r['stage']} {r['probability']:g}" for r in ordered)
        return ordered, f"by the export's '{probability_header}' (median per stage: {shown})"
    if coded:
        codes = [BITRIX_CODE.match(r["stage"]) for r in rows]
        known = [c["code"] if c else None for c in codes]
        if all(k in BITRIX_ORDER for k in known):
            ordered = sorted(rows, key=lambda r: BITRIX_ORDER.index(
                BITRIX_CODE.match(r["stage"])["code"]))
            return ordered, "Bitrix24 stage codes in the CRM's order (NEW, PREPARATION, " \
                            "PREPAYMENT_INVOICE, EXECUTING, FINAL_INVOICE)"
    known_order = [presets.normalise(v) for v in _preset(preset, "stage_order")]
    if known_order and all(presets.normalise(r["stage"]) in known_order for r in rows):
        ordered = sorted(rows, key=lambda r: known_order.index(presets.normalise(r["stage"])))
        return ordered, f"the {presets.PRESETS[preset]['label']} default pipeline order"
    ages = [r["age"] for r in rows]
    if age_header and None not in ages:
        ordered = sorted(rows, key=lambda r: (r["age"], r["stage"]))
        shown = ", ".join(f"{r['stage']} {r['age']:.1f}" for r in ordered)
        return ordered, ("nothing in the export says the order: by how far the deals got, "
                         f"measured as the median days from creation to '{age_header}' of "
                         f"each stage's deals ({shown}); CHECK IT")
    return rows, ("nothing in the export says the order, and it has no dates to tell how far "
                  "deals got: by deal count, most first; CHECK IT")
