"""Forecast and plan fixes of issue 13 (money-fc): expected values worked out by hand on
small exports, in the comments."""

from __future__ import annotations

from tests.conftest import assert_error, write_csv

RATES_CONFIG = """version: 1
money: {currency: RUB, rates: {EUR: 100}}
sources:
  d:
    path: d.csv
    kind: deals
    columns: {deal_id: id, stage: stage, created_at: created, amount: amount,
              currency: cur, expected_close: expected}
funnels:
  - name: F
    source: d
    stages: [{name: A}, {name: B}]
    won: [W]
    lost: [L]
"""


def test_a_rate_missing_only_outside_the_period_names_the_config_line(cli, tmp_path):
    # The period's cohort (November) is all RUB, so the money view needs no rate; the
    # forecast runs over every deal, and deal 2 (September) is in USD, which has no rate.
    write_csv(tmp_path / "d.csv", ["id", "stage", "created", "amount", "cur", "expected"],
              [["1", "A", "2026-11-02", "100", "RUB", "2026-12-01"],
               ["2", "B", "2026-09-01", "50", "USD", "2026-12-01"]])
    (tmp_path / "audit.yaml").write_text(RATES_CONFIG, encoding="utf-8")
    result = cli("audit", tmp_path / "audit.yaml", "--period", "2026-11-01..2026-11-30",
                 "--as-of", "2026-11-30")
    assert_error(result, "audit.yaml:2: money.rates: no rate for USD")
