"""The money view in every renderer and both languages; values from the data stay inert;
amounts in several currencies are never added up (grouped, or converted with rates)."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from funnelctl import audit
from funnelctl.render import RenderOptions, renderer
from tests.conftest import write_csv

HEADER = ["Id", "Stage", "Status", "Created", "Closed", "Owner", "Amount", "Currency",
          "Reason"]
HOSTILE = "<script>alert(1)</script>"
# Three RUB deals and two USD deals (one of each won), with hostile names and reasons.
ROWS = [
    ["1", "A", "open", "2026-01-01", "", "[bold]Ann", "1 000", "₽", ""],
    ["2", "B", "won", "2026-01-01", "2026-01-11", "[bold]Ann", "3 000,50", "руб.", ""],
    ["3", "A", "lost", "2026-01-01", "2026-01-03", "\x1b[31mBob", "$200", "USD",
     "=HYPERLINK(\"http://x\")"],
    ["4", "B", "won", "2026-01-01", "2026-01-21", "\x1b[31mBob", "500", "usd", ""],
    ["5", "B", "lost", "2026-01-01", "2026-01-04", "[bold]Ann", "100", "RUB", HOSTILE],
]
CONFIG = """
version: 1
{money}
sources:
  deals:
    path: deals.csv
    kind: deals
    columns: {{deal_id: Id, stage: Stage, status: Status, created_at: Created,
              closed_at: Closed, manager: Owner, amount: Amount, currency: Currency,
              loss_reason: Reason}}
funnels:
  - name: F
    source: deals
    min_sample: 1
    stages: [{{name: A}}, {{name: B}}]
    breakdown: [manager]
"""


def report_for(tmp_path, money: str = ""):
    write_csv(tmp_path / "deals.csv", HEADER, ROWS)
    (tmp_path / "audit.yaml").write_text(CONFIG.format(money=money), encoding="utf-8")
    return audit(tmp_path / "audit.yaml")


def test_several_currencies_are_grouped_never_summed(tmp_path):
    f = report_for(tmp_path).funnels[0]
    assert f.money is None and [s.value for s in f.stages] == [None, None]
    blocks = {m.currency: m for m in f.money_by_currency}
    # RUB (₽, руб., RUB): deals 1, 2, 5 -> entered A 1000 + 3000.5 + 100; won 3000.5; lost
    # at B 100. USD ($, usd): deals 3, 4 -> entered A 700, lost at A 200, won 500.
    assert set(blocks) == {"RUB", "USD"}
    assert (blocks["RUB"].stages[0].entered, blocks["RUB"].won_revenue,
            blocks["RUB"].stages[1].lost) == (4100.5, 3000.5, 100.0)
    assert (blocks["USD"].stages[0].entered, blocks["USD"].stages[0].lost,
            blocks["USD"].won_revenue) == (700.0, 200.0, 500.0)
    reasons = {r.reason: r for r in f.loss_reasons}
    assert reasons['=HYPERLINK("http://x")'].value is None
    assert reasons['=HYPERLINK("http://x")'].value_by_currency == {"USD": 200.0}


def test_rates_convert_every_amount_into_the_currency(tmp_path):
    f = report_for(tmp_path, "money: {currency: RUB, rates: {usd: 90}}").funnels[0]
    # USD at 90: entered A = 1000 + 3000.5 + 100 + (200 + 500) x 90 = 67100.5; won
    # 3000.5 + 45000.
    assert f.money.currency == "RUB" and f.money.converted == {"USD": 2}
    assert f.stages[0].value.entered == 67100.5
    assert f.money.won_revenue == 48000.5
    assert (f.money.deal_mean, f.money.deal_median) == (24000.25, 24000.25)


def test_a_currency_without_a_rate_is_a_config_error(tmp_path, run):
    write_csv(tmp_path / "deals.csv", HEADER, ROWS)
    (tmp_path / "audit.yaml").write_text(
        CONFIG.format(money="money: {currency: RUB, rates: {EUR: 100}}"), encoding="utf-8")
    result = run("audit", tmp_path / "audit.yaml")
    assert result.exit_code == 2
    assert "audit.yaml:3: money.rates: no rate for USD" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_hostile_values_stay_inert_in_the_money_view(tmp_path, fmt, lang):
    report = report_for(tmp_path, "money: {currency: RUB, rates: {USD: 90}}")
    text = renderer(fmt)(report, RenderOptions(lang=lang, color=False, width=200))
    assert "\x1b[31m" not in text  # the escape code is shown, never sent
    if fmt == "html":
        soup = BeautifulSoup(text, "html.parser")
        assert not soup.find_all("script")
        reasons = soup.find("table", attrs={"data-money": "loss_reasons"})
        cells = [td.get_text() for td in reasons.find_all("td")]
        assert HOSTILE in cells and '=HYPERLINK("http://x")' in cells
        stages = soup.find("table", attrs={"data-money": "stages"})
        entered = stages.find("tr", attrs={"data-row": "A"}).find_all("td")[1]
        assert entered["data-value"] == "67100.5"
    elif fmt == "markdown":
        assert HOSTILE not in text and r"\<script\>" in text
        assert r"\[bold\]Ann" in text
    else:
        assert "[bold]Ann" in text and HOSTILE in text  # as written: rich markup is off
    word = {"en": "in money", "ru": "в деньгах"}[lang]
    assert word in text


def test_json_carries_the_money_fields(tmp_path):
    report = report_for(tmp_path, "money: {currency: RUB, rates: {USD: 90}}")
    data = json.loads(renderer("json")(report, RenderOptions()))
    f = data["funnels"][0]
    # A: entered 67100.5; moved on to B: 3000.5 + 100 + 45000; lost 200 x 90; open 1000.
    assert f["stages"][0]["value"] == {"entered": 67100.5, "moved_on": 48100.5,
                                       "lost": 18000.0, "open": 1000.0, "lost_deals": 1}
    assert f["money"]["won_revenue"] == 48000.5 and f["money"]["currency"] == "RUB"
    assert {r["reason"] for r in f["loss_reasons"]} == {HOSTILE, '=HYPERLINK("http://x")'}
    assert f["breakdowns"]["manager"][0]["money"]["velocity"]["open_deals"] in (0, 1)


def test_money_formatting():
    from funnelctl.render.fmt import Fmt
    assert Fmt("en").money(1234567.4, "RUB") == "1,234,567\u00a0RUB"
    assert Fmt("ru").money(1234567.4, "RUB") == "1\u00a0234\u00a0567\u00a0RUB"
    assert Fmt("ru").money(12.5) == "12,50"
    assert Fmt("en").money(None, "USD") == "–"
    assert Fmt("en").money(0.0) == "0" and Fmt("en").money(-2500.4, "EUR") == "-2,500\u00a0EUR"
