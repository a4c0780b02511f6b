"""The money view of a deals funnel on both engines: the Polars engine and engine:
clickhouse (chdb in process) must give equal JSON reports, money blocks included (value
per stage, won revenue, deal size, the value bottleneck, loss reasons, currencies,
velocity per funnel, manager and segment, the cycle target), and each case also checks
numbers worked out apart from both engines (by hand in the comments, or DuckDB over the
same Parquet).

ClickHouse reads amounts stored as numbers; the bundled CSV samples are copied to Parquet
with the amount as a number (and the Salesforce amount text's currency in a column of its
own), dates typed, and the stage-date columns left out (the forecast:
test_engine_equal_forecast.py).
Every sample's amounts are whole or .50, so the sums are exact in any order."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests.engine_support import report_json
from tests.test_engine_equal_deals import AS_OF, DATE_HEADERS, ROOT, on_clickhouse

pytest.importorskip("chdb")
duckdb = pytest.importorskip("duckdb")

# sample: (CSV, config, separator, date format, amount header)
SAMPLES = {
    "pipedrive": ("pipedrive_deals.csv", "pipedrive.yaml", ",", "%Y-%m-%d %H:%M:%S",
                  "Deal - Value"),
    "hubspot": ("hubspot_deals.csv", "hubspot.yaml", ",", "%Y-%m-%d %H:%M", "Amount"),
    "bitrix24": ("bitrix24_deals.csv", "bitrix24.yaml", ";", "%d.%m.%Y %H:%M:%S", "Сумма"),
    "amocrm": ("amocrm_deals.csv", "amocrm.yaml", ",", "%d.%m.%Y %H:%M:%S", "Бюджет "),
    "salesforce": ("salesforce_opportunities.csv", "salesforce.yaml", ",", "%d/%m/%Y",
                   "Amount"),
}
# Columns of the forecast, stuck deals and stage dates (not read on ClickHouse yet).
LEFT_OUT = re.compile(r"stage change|изменения|редактирования|date entered|expected|"
                      r"предполагаемая|планируемая|ожидаемая|"
                      # Bitrix24's product rows: folded on Polars only (yet)
                      r"^(товар|цена|количество)$", re.IGNORECASE)


def sample_parquet(sample: str, folder: Path) -> tuple[dict, Path]:
    """(the sample's config over a Parquet copy with number amounts, the copy)."""
    from funnelctl.io.currency import currency_in_amount
    from funnelctl.io.values import amount_from_text

    csv, config_name, separator, date_format, amount = SAMPLES[sample]
    frame = pl.read_csv(ROOT / "sample_data" / csv, separator=separator, infer_schema=False,
                        encoding="utf8-lossy", truncate_ragged_lines=True)
    frame = frame.select([c for c in frame.columns if c and not LEFT_OUT.search(c)
                          and not c.startswith("_duplicated")])
    text = pl.col(amount).str.strip_chars()
    if sample == "salesforce":  # "USD 144,000.00": the code goes to the preset's column
        frame = frame.with_columns(currency_in_amount(text).alias("Opportunity Currency"))
    frame = frame.with_columns(amount_from_text(text).alias(amount))
    frame = frame.with_columns(pl.col(c).str.strip_chars().str.to_datetime(date_format,
                                                                           strict=False)
                               for c in frame.columns if DATE_HEADERS.search(c))
    path = folder / f"{sample}.parquet"
    frame.write_parquet(path)
    config = yaml.safe_load((ROOT / "configs" / config_name).read_text(encoding="utf-8"))
    source = config["sources"]["deals"]
    source["path"] = str(path)
    source.pop("date_format", None)
    if "columns" in source:
        source["columns"] = {k: v for k, v in source["columns"].items() if v in frame.columns}
    return config, path


def both(config: dict, tmp_path: Path, **kwargs) -> tuple[dict, dict]:
    polars = report_json(config, tmp_path / "polars.yaml", as_of=AS_OF, **kwargs)
    clickhouse = report_json(on_clickhouse(config), tmp_path / "clickhouse.yaml",
                             as_of=AS_OF, **kwargs)
    return polars, clickhouse


def duck(sql: str, path: Path) -> list[tuple]:
    return duckdb.sql(sql.replace("FILE", f"read_parquet('{path}')")).fetchall()


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_bundled_samples_with_money(tmp_path, sample):
    config, path = sample_parquet(sample, tmp_path)
    config["funnels"][0]["cycle_days"] = {"good": 20, "acceptable": 40}
    polars, clickhouse = both(config, tmp_path)
    funnel = clickhouse["funnels"][0]
    blocks = funnel["money_by_currency"] or [funnel["money"]]
    assert blocks[0]["won_revenue"] > 0  # the biggest currency first
    # HubSpot's and Salesforce's Close Date is also an open deal's expected close: their
    # forecast runs on both engines (tests/test_engine_equal_forecast.py).
    assert clickhouse == polars
    # Apart from both engines: every amount of the file is at most once in the won, lost
    # and open value (a rejected row or a repeated id adds none).
    _, _, _, _, amount = SAMPLES[sample]
    total, = duck(f'SELECT sum("{amount}") FROM FILE', path)[0]
    assert sum(b["won_revenue"] + b["lost_value"] + b["open_value"] for b in blocks) <= total
    if funnel["loss_reasons"]:
        assert sum(r["deals"] for r in funnel["loss_reasons"]) == funnel["lost"]


def test_pipedrive_money_against_duckdb(tmp_path):
    config, path = sample_parquet("pipedrive", tmp_path)
    _, clickhouse = both(config, tmp_path)
    funnel = clickhouse["funnels"][0]
    # Pipedrive: a won deal has status Won; ids are unique in the sample.
    won, revenue, median, lost_value = duck("""SELECT count(*) FILTER (WHERE "Deal - Status"
        = 'Won'), sum("Deal - Value") FILTER (WHERE "Deal - Status" = 'Won'),
        median("Deal - Value") FILTER (WHERE "Deal - Status" = 'Won'),
        sum("Deal - Value") FILTER (WHERE "Deal - Status" = 'Lost') FROM FILE""", path)[0]
    money = funnel["money"]
    assert money["currency"] == "GBP"
    assert (money["won_deals"], money["won_revenue"]) == (won, revenue)
    assert money["deal_median"] == pytest.approx(median, rel=1e-12)
    assert money["lost_value"] == lost_value
    by_reason = dict(duck("""SELECT "Deal - Lost reason", sum("Deal - Value") FROM FILE
        WHERE "Deal - Status" = 'Lost' GROUP BY 1""", path))
    assert {r["reason"]: r["value"] for r in funnel["loss_reasons"]} == by_reason
    managers = dict(duck("""SELECT "Deal - Owner", sum("Deal - Value") FROM FILE
        WHERE "Deal - Status" = 'Won' GROUP BY 1""", path))
    segs = {s["value"]: s["money"]["won_revenue"] for s in funnel["breakdowns"]["manager"]}
    assert segs == managers


def test_a_period_with_folded_segments(tmp_path):
    config, path = sample_parquet("amocrm", tmp_path)
    config["funnels"][0]["segments"] = {"top": 2, "min_size": 1}
    polars, clickhouse = both(config, tmp_path, period="2026-09-01..2026-09-30",
                              compare="previous")
    assert clickhouse == polars
    other = clickhouse["funnels"][0]["breakdowns"]["manager"][-1]
    assert other["value"] == "(other)" and other["money"]["won_deals"] > 0
    kept = [s["value"] for s in clickhouse["funnels"][0]["breakdowns"]["manager"][:-1]]
    # The "(other)" row's median won deal is its own deals' median, not a median of medians.
    median, = duck(f"""SELECT median("Бюджет ") FROM FILE WHERE "Дата создания сделки"::DATE
        BETWEEN DATE '2026-09-01' AND DATE '2026-09-30' AND "Этап сделки" =
        'Успешно реализовано' AND "Ответственный" NOT IN ({", ".join(f"'{k}'" for k in kept)})
        """, path)[0]
    assert other["money"]["deal_median"] == pytest.approx(median, rel=1e-12)


def hand_config(path: Path, **money) -> dict:
    config = {"version": 1, "timezone": "UTC",
              "sources": {"deals": {"path": str(path), "kind": "deals"}},
              "funnels": [{"name": "F", "source": "deals", "min_sample": 1,
                           "stages": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}]}
    if money:
        config["money"] = money
    return config


def hand_export(path: Path, currency: list | None = None, loss: list | None = None,
                amount_type: pl.DataType = pl.Float64) -> None:
    """Eight deals, created 2026-03-01 .. 08, closed 10 days later:
    id stage status amount currency loss
    1  A     lost    100   USD      Price
    2  B     lost    200   USD      Price
    3  B     open    300   EUR      -
    4  C     won     400   USD      -
    5  C     won     500   EUR      -
    6  C     won     (none) USD     -
    7  A     open    700   USD      -
    8  C     lost    800   EUR      Timing
    """
    frame = pl.DataFrame({
        "deal_id": [str(i) for i in range(1, 9)],
        "stage": ["A", "B", "B", "C", "C", "C", "A", "C"],
        "status": ["lost", "lost", "open", "won", "won", "won", "open", "lost"],
        "amount": pl.Series([100, 200, 300, 400, 500, None, 700, 800]).cast(amount_type),
        "currency": currency or ["USD", "USD", "EUR", "USD", "EUR", "USD", "USD", "EUR"],
        "loss_reason": loss or ["Price", "Price", None, None, None, None, None, "Timing"],
        "manager": ["Ann", "Bob", "Ann", "Ann", "Bob", "Bob", "Ann", "Bob"],
        "created_at": [dt.datetime(2026, 3, d) for d in range(1, 9)],
        "closed_at": [dt.datetime(2026, 3, d + 10) for d in range(1, 9)],
    })
    frame.write_parquet(path)


def test_one_currency_worked_by_hand(tmp_path):
    path = tmp_path / "d.parquet"
    hand_export(path, currency=["USD"] * 8)
    polars, clickhouse = both(hand_config(path), tmp_path)
    assert clickhouse == polars
    money = clickhouse["funnels"][0]["money"]
    # Won: 4 (400), 5 (500), 6 (no amount): revenue 900 over 2 priced deals, mean 450,
    # median 450. Lost: 100 at A, 200 at B, 800 at C = 1100; open: 300 + 700 = 1000.
    assert (money["won_revenue"], money["won_deals"], money["deal_mean"],
            money["deal_median"]) == (900.0, 2, 450.0, 450.0)
    assert (money["lost_value"], money["open_value"], money["deals_without_amount"]) == \
        (1100.0, 1000.0, 1)
    # Entered A: every amount, 3000; B: all but deals 1 and 7, 2200; C: 1700.
    assert [s["entered"] for s in money["stages"]] == [3000.0, 2200.0, 1700.0]
    assert [s["lost"] for s in money["stages"]] == [100.0, 200.0, 800.0]
    assert money["bottleneck"]["stage"] == "C"
    assert money["bottleneck"]["share"] == 800 / 1100
    # Velocity: 2 open x win rate 3/6 x mean 450 / median cycle 10 days = 45 a day.
    assert money["velocity"]["per_day"] == 45.0
    reasons = {r["reason"]: (r["deals"], r["value"]) for r in
               clickhouse["funnels"][0]["loss_reasons"]}
    assert reasons == {"Price": (2, 300.0), "Timing": (1, 800.0)}
    managers = {m["value"]: m["won_revenue"] for m in money["managers"]}
    assert managers == {"Ann": 400.0, "Bob": 500.0}


def test_currencies_apart_and_converted(tmp_path):
    path = tmp_path / "d.parquet"
    hand_export(path)
    polars, clickhouse = both(hand_config(path), tmp_path)
    assert clickhouse == polars
    blocks = {b["currency"]: b for b in clickhouse["funnels"][0]["money_by_currency"]}
    # USD: won 400 (and deal 6 without an amount), EUR: won 500.
    assert (blocks["USD"]["won_revenue"], blocks["EUR"]["won_revenue"]) == (400.0, 500.0)
    reasons = {r["reason"]: r["value_by_currency"] for r in
               clickhouse["funnels"][0]["loss_reasons"]}
    assert reasons == {"Price": {"USD": 300.0}, "Timing": {"EUR": 800.0}}
    config = hand_config(path, currency="USD", rates={"EUR": 1.5})
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    money = clickhouse["funnels"][0]["money"]
    # EUR x 1.5: won 400 + 750; lost 100 + 200 + 1200.
    assert (money["won_revenue"], money["lost_value"]) == (1150.0, 1500.0)
    assert money["converted"] == {"EUR": 3}


def test_a_reason_whose_deals_have_no_amount_has_an_unknown_value(tmp_path):
    # Deal 8 (EUR, Timing) without its amount: Timing's EUR value is unknown (null), not 0.
    path = tmp_path / "d.parquet"
    hand_export(path)
    pl.read_parquet(path).with_columns(amount=pl.when(pl.col("deal_id") == "8")
                                       .then(None).otherwise(pl.col("amount"))
                                       ).write_parquet(path)
    polars, clickhouse = both(hand_config(path), tmp_path)
    assert clickhouse == polars
    reasons = {r["reason"]: r["value_by_currency"] for r in
               clickhouse["funnels"][0]["loss_reasons"]}
    assert reasons == {"Price": {"USD": 300.0}, "Timing": {"EUR": None}}


def test_sums_are_in_cents_on_both_engines(tmp_path):
    # 0.1 + 0.2 is 0.30000000000000004 in floats, and a group-by adds its rows in no fixed
    # order, so the last digits of a bigger sum vary from run to run: every sum of amounts
    # is in cents. Won: deals 4 (0.1) and 5 (0.2) = 0.3; lost at B: deal 2 (0.1) and at C
    # deal 8 (0.2), Price 0.1 + 0.1 (deal 1) = 0.2.
    path = tmp_path / "d.parquet"
    hand_export(path, currency=["USD"] * 8)
    cents = {"1": 0.1, "2": 0.1, "3": 0.7, "4": 0.1, "5": 0.2, "7": 0.7, "8": 0.2}
    pl.read_parquet(path).with_columns(amount=pl.col("deal_id").replace_strict(
        cents, default=None, return_dtype=pl.Float64)).write_parquet(path)
    polars, clickhouse = both(hand_config(path), tmp_path)
    assert clickhouse == polars
    money = clickhouse["funnels"][0]["money"]
    assert (money["won_revenue"], money["lost_value"], money["open_value"]) == (0.3, 0.4, 1.4)
    reasons = {r["reason"]: r["value"] for r in clickhouse["funnels"][0]["loss_reasons"]}
    assert reasons == {"Price": 0.2, "Timing": 0.2}


def test_loss_reasons_with_zero_width_ends_are_one_reason_on_both_engines(tmp_path):
    # Deal 2's "Price" + U+FEFF is deal 1's "Price"; deal 8's U+200B + "Timing" is "Timing".
    path = tmp_path / "d.parquet"
    loss = ["Price", "Price\ufeff", None, None, None, None, None, "\u200bTiming"]
    hand_export(path, currency=["USD"] * 8, loss=loss)
    polars, clickhouse = both(hand_config(path), tmp_path)
    assert clickhouse == polars
    reasons = {r["reason"]: (r["deals"], r["value"], r["stages"]) for r in
               clickhouse["funnels"][0]["loss_reasons"]}
    assert reasons == {"Price": (2, 300.0, {"A": 1, "B": 1}), "Timing": (1, 800.0, {"C": 1})}


def test_a_currency_without_a_rate_is_the_same_config_error(tmp_path):
    from funnelctl.errors import ConfigError

    path = tmp_path / "d.parquet"
    hand_export(path)
    config = hand_config(path, currency="RUB", rates={"USD": 90})
    with pytest.raises(ConfigError, match=r"clickhouse.yaml:\d+: money.rates: no rate for EUR"):
        report_json(on_clickhouse(config), tmp_path / "clickhouse.yaml", as_of=AS_OF)


def test_decimal_and_integer_amounts(tmp_path):
    for kind in (pl.Decimal(12, 2), pl.Int64):
        path = tmp_path / "d.parquet"
        hand_export(path, currency=["USD"] * 8, amount_type=kind)
        polars, clickhouse = both(hand_config(path), tmp_path)
        assert clickhouse == polars
        assert clickhouse["funnels"][0]["money"]["won_revenue"] == 900.0


HOSTILE = ["'); DROP TABLE x; --", "{p0:String}", "<b>x</b>", "a\\'b", "=1+1"]


def test_hostile_currency_and_loss_reason_are_data(tmp_path):
    path = tmp_path / "d.parquet"
    hand_export(path, currency=[HOSTILE[i % 2] for i in range(8)],
                loss=[HOSTILE[i % 5] if i in (0, 1, 7) else None for i in range(8)])
    polars, clickhouse = both(hand_config(path), tmp_path)
    assert clickhouse == polars
    funnel = clickhouse["funnels"][0]
    # Currency codes are upper-cased as the reader does; deals 1, 3, 5, 7 carry the first.
    codes = {b["currency"] for b in funnel["money_by_currency"]}
    assert codes == {HOSTILE[0].upper(), HOSTILE[1].upper()}
    assert {r["reason"] for r in funnel["loss_reasons"]} == {HOSTILE[0], HOSTILE[1], HOSTILE[2]}


def test_a_text_amount_is_a_config_error_naming_the_column(tmp_path, cli):
    pl.DataFrame({"deal_id": ["1"], "stage": ["A"], "amount": ["USD 1,250.50"],
                  "created_at": [dt.datetime(2026, 3, 1)]}).write_parquet(tmp_path / "d.parquet")
    config = hand_config(tmp_path / "d.parquet")
    config["sources"]["deals"]["columns"] = {"amount": "amount"}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(on_clickhouse(config), sort_keys=False))
    result = cli("audit", tmp_path / "c.yaml")
    assert result.exit_code == 2
    line = next(i for i, text in enumerate((tmp_path / "c.yaml").read_text().splitlines(), 1)
                if text.strip().startswith("amount:"))
    assert f"c.yaml:{line}: sources.deals.columns.amount: column 'amount' (amount) is " \
        "Nullable(String)" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "html"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_clickhouse_funnel_left_out_of_the_scorecard_is_noted(tmp_path, cli, fmt, lang):
    config, _ = sample_parquet("amocrm", tmp_path)
    config["sources"]["activities"] = {
        "path": str(ROOT / "sample_data/activities.csv"), "kind": "activities",
        "date_format": "%d.%m.%Y %H:%M:%S",
        "columns": {"manager": "Ответственный", "ts": "Дата и время", "type": "Тип"}}
    config["norms"] = {"source": "activities"}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(on_clickhouse(config), allow_unicode=True), encoding="utf-8")
    result = cli("audit", path, "--format", fmt, "--lang", lang, "--as-of", "2026-12-01")
    assert result.exit_code in (0, 1), result.output
    name = config["funnels"][0]["name"]
    note = {"en": f"{name}: left out of the manager scorecard (engine: clickhouse sends no "
                  "deal rows; run the source on engine: polars to include it)",
            "ru": f"{name}: не входит в карточки менеджеров (engine: clickhouse не передаёт "
                  "строки сделок; чтобы включить, запустите источник на engine: polars)"}
    def bare(text: str) -> str:  # the terminal wraps a long note inside its table cell
        return re.sub(r"[\s│]", "", text)

    # JSON holds the note as data (English); the other formats show it in the language.
    assert bare(note["en" if fmt == "json" else lang]) in bare(result.stdout)
