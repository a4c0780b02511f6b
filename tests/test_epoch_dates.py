"""Unix epochs in deals, stage history and activities are instants, read in the config's zone.

Hand-worked instants (2024-01-01T00:00Z is 1704067200; Moscow is UTC+3, no DST):
  1706740200    = 2024-01-31 22:30 UTC = 2024-02-01 01:30 Moscow  (+30 d + 22.5 h)
  1706731200    = 2024-01-31 20:00 UTC = 2024-01-31 23:00 Moscow  (2.5 h earlier)
  1707175800    = 2024-02-05 23:30 UTC = 2024-02-06 02:30 Moscow  (+35 d + 23.5 h)
Milliseconds are the same numbers times 1000.
"""

from __future__ import annotations

import polars as pl
import pytest

from tests.norms_support import norms_of, write_norms_config

FEB_1 = ("--period", "2024-02-01..2024-02-01")
DEALS_CONFIG = """
version: 1
timezone: Europe/Moscow
sources: {{d: {{path: {path}, kind: deals}}}}
funnels: [{{name: F, source: d, stages: [{{name: new}}]}}]
"""


def test_text_epochs_in_deals_are_the_same_instant_as_utc_iso(cli, write, tmp_path):
    write("deals.csv", """
        deal_id,stage,created_at
        1,new,1706740200
        2,new,2024-01-31T22:30:00Z
        3,new,1706740200000
        4,new,1706731200
        5,new,2024-01-31 23:00
    """)
    config = write("c.yaml", DEALS_CONFIG.format(path="deals.csv"))
    # Deals 1-3: Feb 1 01:30 in Moscow. Deal 4: Jan 31 23:00; deal 5 is naive local Jan 31.
    assert cli.json("audit", config, *FEB_1)["funnels"][0]["entities"] == 3
    assert cli.json("audit", config)["funnels"][0]["entities"] == 5


@pytest.mark.parametrize("scale", [1, 1000], ids=["seconds", "milliseconds"])
def test_integer_epochs_in_parquet_deals_pick_their_unit(cli, write, tmp_path, scale):
    pl.DataFrame({
        "deal_id": [1, 2],
        "stage": ["new", "new"],
        "created_at": [1706740200 * scale, 1706731200 * scale],  # Feb 1 01:30, Jan 31 23:00
    }).write_parquet(tmp_path / "deals.parquet")
    config = write("c.yaml", DEALS_CONFIG.format(path="deals.parquet"))
    assert cli.json("audit", config, *FEB_1)["funnels"][0]["entities"] == 1
    january = cli.json("audit", config, "--period", "2024-01-31..2024-01-31")
    assert january["funnels"][0]["entities"] == 1


def test_epochs_in_stage_history_are_read_in_the_config_zone(cli, write):
    # d1 enters A on Feb 1 (Moscow) and B 3 days later; d2 is created on Jan 31.
    write("history.csv", f"""
        deal_id,stage,entered_at
        d1,A,1706740200
        d1,B,{1706740200 + 3 * 86400}
        d2,A,1706731200000
    """)
    config = write("c.yaml", """
        version: 1
        timezone: Europe/Moscow
        sources: {h: {path: history.csv, kind: stage_history}}
        funnels: [{name: F, source: h, stages: [{name: A}, {name: B}]}]
    """)
    funnel = cli.json("audit", config, *FEB_1)["funnels"][0]
    assert funnel["entities"] == 1
    assert funnel["stages"][0]["time_in_stage"]["median_days"] == pytest.approx(3.0)
    january = cli.json("audit", config, "--period", "2024-01-31..2024-01-31")["funnels"][0]
    assert january["entities"] == 1


@pytest.mark.parametrize("scale", [1, 1000], ids=["seconds", "milliseconds"])
def test_epoch_activities_land_on_the_local_day(cli, tmp_path, scale):
    pl.DataFrame({"manager": ["A", "A"], "ts": [1707175800 * scale, 1706731200 * scale],
                  "type": ["call", "meeting"]}).write_parquet(tmp_path / "act.parquet")
    config = write_norms_config(tmp_path, timezone="Europe/Moscow", path="act.parquet")
    report = cli.json("audit", config, "--period", "2024-01-31..2024-02-06")
    days = {d["date"]: (d["calls"], d["meetings"]) for d in norms_of(report)["A"]["days"]}
    # The call is 02:30 on Feb 6 in Moscow; the meeting 23:00 on Jan 31.
    assert days["2024-02-06"] == (1, 0) and days["2024-02-05"] == (0, 0)
    assert days["2024-01-31"] == (0, 1)
