"""Semantics that must not mislead (issue 11): one small file per rule, made here, with the
expected numbers worked out by hand in the comments."""

from __future__ import annotations

import csv
import json
import re

import pytest

from tests.conftest import assert_error, write_csv

DEALS_CONFIG = """
version: 1
sources:
  d:
    path: d.csv
    kind: deals
    columns: {{deal_id: id, stage: stage, created_at: created, closed_at: closed{extra}}}
funnels:
  - name: F
    source: d
    stages: [{{name: A}}, {{name: B}}, {{name: C}}]
    won: [W]
    lost: [L]
"""


def deals_config(tmp_path, rows, header=("id", "stage", "created", "closed"), extra=""):
    write_csv(tmp_path / "d.csv", list(header), [list(r) for r in rows])
    path = tmp_path / "audit.yaml"
    path.write_text(DEALS_CONFIG.format(extra=extra), encoding="utf-8")
    return path


def ledger_rows(path) -> set[tuple[str, ...]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {tuple(row) for row in csv.reader(fh)}


def rendered(cli, config, fmt, lang="en"):
    """The report as text on one line; the terminal one wide, so no sentence wraps."""
    if fmt == "table":
        from funnelctl import audit
        from funnelctl.render import RenderOptions
        from funnelctl.render.terminal import render

        text = render(audit(config), RenderOptions(width=400, lang=lang))
        return " ".join(text.split())
    result = cli("audit", config, "--format", fmt, "--lang", lang, "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    return " ".join(result.stdout.split())


def test_a_deal_closed_before_it_was_created_is_rejected(cli, tmp_path):
    config = deals_config(tmp_path, [
        ("1", "W", "2024-03-10 09:00", "2024-03-15 09:00"),   # won in 5 days
        ("2", "W", "2024-03-10 09:00", "2024-03-01 00:00"),   # closed 9 days before: rejected
        ("3", "W", "2024-03-10 15:00", "2024-03-10 00:00"),   # date-only close, same day: 0 d
        ("4", "A", "2024-03-11 09:00", ""),
    ])
    report = cli.json("audit", config, "--rejects", tmp_path / "rejects.csv")
    quality = report["data_quality"]["sources"][0]
    assert quality["reasons"] == {"closed before created": 1}
    assert quality["rows_rejected"] == 1
    funnel = report["funnels"][0]
    # Deals 1, 3 won, 4 open at A: A 3, B 2, C 2; cycles 5 and 0 days: median 2.5.
    assert [s["entered"] for s in funnel["stages"]] == [3, 2, 2]
    assert funnel["cycle_days"]["median"] == pytest.approx(2.5)
    assert funnel["cycle_days"]["p90"] == pytest.approx(4.5)   # 0 + 0.9 * 5
    assert ("d", "3", "closed before created", "2024-03-01 < 2024-03-10") in ledger_rows(
        tmp_path / "rejects.csv")


def test_no_negative_cycle_is_printed(cli, tmp_path):
    config = deals_config(tmp_path, [
        ("1", "W", "2024-03-10 15:00", "2024-03-10 00:00"),
        ("2", "W", "2024-03-10 09:00", "2024-03-01 00:00"),
    ])
    for fmt in ("table", "markdown", "html"):
        assert not re.search(r"-\d+(\.\d+)? ?d\b", rendered(cli, config, fmt))
    assert cli.json("audit", config)["funnels"][0]["cycle_days"]["median"] == 0


def test_an_out_of_order_history_entry_is_an_inconsistency_not_a_negative_time(cli, write,
                                                                              tmp_path):
    # Deal 1's file order is A (Jan 1), C (Jan 10), B (Jan 5): by time it is A, B, C, so
    # nothing is negative: A 4 days, B 5 days. Deal 2: A (Jan 1), C (Jan 3), then back to
    # B on Jan 2 in file order -> by time A, B (Jan 2), C (Jan 3): A 1 d, B 1 d.
    # Deal 3: B (Jan 5) written before A (Jan 7): by time B then A, a move backwards.
    write_csv(tmp_path / "h.csv", ["deal_id", "stage", "entered_at"], [
        ["1", "A", "2024-01-01"], ["1", "C", "2024-01-10"], ["1", "B", "2024-01-05"],
        ["2", "A", "2024-01-01"], ["2", "C", "2024-01-03"], ["2", "B", "2024-01-02"],
        ["3", "B", "2024-01-05"], ["3", "A", "2024-01-07"],
    ])
    config = write("audit.yaml", """
        version: 1
        sources:
          h: {path: h.csv, kind: stage_history}
        funnels:
          - {name: F, source: h, stages: [{name: A}, {name: B}, {name: C}]}
        """)
    funnel = cli.json("audit", config, "--as-of", "2024-02-01")["funnels"][0]
    times = {s["name"]: s["time_in_stage"] for s in funnel["stages"]}
    # A: deal 1 4 d, deal 2 1 d, deal 3 (A is its last entry) no exit -> median 2.5.
    assert times["A"]["median_days"] == pytest.approx(2.5)
    # B: deal 1 5 d, deal 2 1 d, deal 3 2 d (Jan 5 -> Jan 7) -> median 2.
    assert times["B"]["median_days"] == pytest.approx(2.0)
    assert all(t is None or t["median_days"] >= 0 for t in times.values())
    assert funnel["consistency"]["moved_backwards"] == 1
    # Deal 3 skipped A (first entry at B) too: 1 inconsistent deal of 3.
    assert funnel["consistency"]["inconsistent"] == 1


@pytest.mark.parametrize(("text", "value"), [
    ("1 234,56 ₽", 1234.56), ("1,234.56", 1234.56), ("$1,234", 1234.0)])
def test_amount_forms_that_parse(tmp_path, text, value):
    from funnelctl.config import load_config
    from funnelctl.io.deals import read_deals
    from funnelctl.io.readers import open_source

    config = load_config(deals_config(
        tmp_path, [("1", "A", "2024-03-10", "", text)],
        header=("id", "stage", "created", "closed", "sum"), extra=", amount: sum"))
    deals = read_deals(open_source("d", config.sources["d"]), config.sources["d"], "UTC", [])
    assert deals.frame["amount"].to_list() == [pytest.approx(value)]
    assert deals.problems.height == 0


def test_an_amount_that_does_not_parse_is_counted_with_its_line(cli, tmp_path):
    config = deals_config(tmp_path, [
        ("1", "A", "2024-03-10", "", "1 234,56 ₽"),
        ("2", "B", "2024-03-10", "", "abc"),
        ("3", "B", "2024-03-10", "", ""),            # empty: no amount, not a problem
        ("4", "C", "2024-03-10", "", "n/a?"),
    ], header=("id", "stage", "created", "closed", "sum"), extra=", amount: sum")
    report = cli.json("audit", config, "--rejects", tmp_path / "rejects.csv")
    quality = report["data_quality"]["sources"][0]
    # Lines 3 ('abc') and 5 ('n/a?'); the deals still count: 4 at A, 3 at B, 1 at C.
    assert quality["value_problems"] == {
        "unparseable amount": {"rows": 2, "line": 3, "value": "abc"}}
    assert quality["rows_rejected"] == 0
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [4, 3, 1]
    assert {("d", "3", "unparseable amount", "abc"),
            ("d", "5", "unparseable amount", "n/a?")} <= ledger_rows(tmp_path / "rejects.csv")
    assert "amount does not parse: 2 rows (deals kept, the value left out); e.g. line 3: " \
        "'abc'" in rendered(cli, config, "table")
    assert "amount does not parse: 2 rows (deals kept, the value left out); e.g. line 3: " \
        "`abc`" in rendered(cli, config, "markdown")
    assert "amount does not parse: 2 rows (deals kept, the value left out); e.g. line 3: " \
        "<code>abc</code>" in rendered(cli, config, "html")
    assert "сумма не читается: строк 2" in rendered(cli, config, "table", "ru")


@pytest.mark.parametrize("text", [
    "1,5 млн",                      # 1.5 million in words: not 1.5
    "about 5000", "5000 (approx)",  # a note around the number
    '=HYPERLINK("http://x","1")',   # a formula: not 1
    "Q3 2024", "1e6", "1500 - 2000", "+7 (495) 123-45-67"])
def test_text_that_is_not_one_amount_is_not_its_first_number(cli, tmp_path, text):
    config = deals_config(tmp_path, [("1", "A", "2024-03-10", "", "2 500"),
                                     ("2", "A", "2024-03-10", "", text)],
                          header=("id", "stage", "created", "closed", "sum"),
                          extra=", amount: sum")
    report = cli.json("audit", config, "--as-of", "2024-03-20")
    # Deal 2 counts, its amount is left out and named: the open value is deal 1's 2,500.
    assert report["data_quality"]["sources"][0]["value_problems"] == {
        "unparseable amount": {"rows": 1, "line": 3, "value": text}}
    money = report["funnels"][0]["money"]
    assert (money["deals"], money["deals_without_amount"]) == (2, 1)
    assert money["open_value"] == 2500


@pytest.mark.parametrize(("text", "value"), [
    ("USD 485,000.00", 485000.0), ("-1 250,50 ₽", -1250.5), ("(1,250.00)", -1250.0),
    ("1500 руб.", 1500.0), ("1500 р.", 1500.0), ("EUR 1.250,50", 1250.5),
    ("-$500", -500.0), ("US$ 20", 20.0), ("1 234 567,89 руб", 1234567.89)])
def test_amounts_with_a_currency_sign_or_parentheses(text, value):
    import polars as pl

    from funnelctl.io.values import amount_from_text

    assert pl.select(amount_from_text(pl.lit(text))).item() == pytest.approx(value)


def test_an_amount_with_markup_stays_text(cli, tmp_path):
    config = deals_config(tmp_path, [("1", "A", "2024-03-10", "", "[bold]<b>x</b>")],
                          header=("id", "stage", "created", "closed", "sum"),
                          extra=", amount: sum")
    assert "[bold]<b>x</b>" in rendered(cli, config, "table")
    assert "&lt;b&gt;x&lt;/b&gt;" in rendered(cli, config, "html")


LOST_ROWS = [
    ("1", "A", "2024-03-01", ""), ("2", "B", "2024-03-01", ""), ("3", "C", "2024-03-01", ""),
    ("4", "W", "2024-03-01", "2024-03-11"),
    ("5", "L", "2024-03-01", "2024-03-05"), ("6", "L", "2024-03-01", "2024-03-05"),
]


def test_lost_deals_of_unknown_stage_leave_the_stage_conversions(cli, tmp_path):
    report = cli.json("audit", deals_config(tmp_path, LOST_ROWS))
    funnel = report["funnels"][0]
    # Deals 5 and 6 are lost and nothing says where: A 4 (1-4), B 3 (2-4), C 2 (3, 4).
    # Counted at A (the old rule) they would give 6, 3, 2 and a first conversion of 50%.
    assert [s["entered"] for s in funnel["stages"]] == [4, 3, 2]
    assert funnel["stages"][1]["conversion_from_previous"] == pytest.approx(0.75)
    assert (funnel["entities"], funnel["won"], funnel["lost"]) == (6, 1, 2)
    assert funnel["win_rate"] == pytest.approx(1 / 3)
    assert funnel["lost_stage_unknown"] == 2
    sentence = ("2 lost deals have no known loss stage: they are left out of the stage "
                "counts and conversions (still in the deals, lost and win rate)")
    for fmt in ("table", "markdown", "html"):
        assert sentence in rendered(cli, tmp_path / "audit.yaml", fmt), fmt
    assert "У 2 проигранных сделок этап проигрыша неизвестен" in rendered(
        cli, tmp_path / "audit.yaml", "html", "ru")


def test_a_known_loss_stage_places_the_lost_deal(cli, tmp_path):
    rows = [(*r, "B" if r[0] == "5" else "") for r in LOST_ROWS]
    config = deals_config(tmp_path, rows, header=("id", "stage", "created", "closed", "at"),
                          extra=", lost_stage: at")
    funnel = cli.json("audit", config)["funnels"][0]
    # Deal 5 was lost at B: A 5, B 4, C 2; deal 6 alone is unknown.
    assert [s["entered"] for s in funnel["stages"]] == [5, 4, 2]
    assert funnel["lost_stage_unknown"] == 1


def test_no_lost_deals_shows_the_conversion_into_won(cli, tmp_path):
    rows = [r for r in LOST_ROWS if r[1] != "L"] + [("7", "W", "2024-03-01", "2024-03-09")]
    config = deals_config(tmp_path, rows)
    funnel = cli.json("audit", config)["funnels"][0]
    # Deals 1-3 open at A, B, C; 4 and 7 won: A 5, B 4, C 3; win rate 2/2 = 100%.
    assert funnel["win_rate"] == 1.0
    won = funnel["won_conversion"]
    # Won 2 of the 5 that entered (40%), of the 3 at C (66.7%).
    assert won["entered"] == 2
    assert won["conversion_from_first"] == pytest.approx(0.4)
    assert won["conversion_from_previous"] == pytest.approx(2 / 3)
    sentence = ("No lost deals in the data: the win rate (100.0%) covers closed deals only; "
                "2 of 5 deals that entered reached won (40.0%, last row)")
    table = rendered(cli, config, "table")
    assert sentence in table
    # Where the win rate is shown, it says at once that no deal was lost.
    assert "win rate 100.0% (no lost deals: see the conversion into won)" in table
    assert "100.0% (no lost deals: see the conversion into won)" in rendered(
        cli, config, "markdown")
    assert 'data-key="no_lost">no lost deals' in rendered(cli, config, "html")
    assert re.search(r"│ → won │ 2 │ 66\.7% │ [\d.%–]+ │ 40\.0% │", table)
    markdown = rendered(cli, config, "markdown")
    assert sentence in markdown and "| → won | 2 | 66.7% |" in markdown
    html = rendered(cli, config, "html")
    assert sentence in html and 'data-stage="won"' in html
    assert "В данных нет проигранных сделок" in rendered(cli, config, "markdown", "ru")


def test_with_lost_deals_there_is_no_won_row(cli, tmp_path):
    report = cli.json("audit", deals_config(tmp_path, LOST_ROWS))
    assert report["funnels"][0]["won_conversion"] is None
    assert "→ won" not in rendered(cli, tmp_path / "audit.yaml", "table")


def test_json_keys_are_additions(cli, tmp_path):
    funnel = cli.json("audit", deals_config(tmp_path, LOST_ROWS))["funnels"][0]
    assert {"name", "stages", "won", "lost", "win_rate", "lost_stage_unknown",
            "won_conversion"} <= set(funnel)
    json.dumps(funnel)


STUCK_CONFIG = """
version: 1
sources:
  d:
    path: d.csv
    kind: deals
    {columns}
funnels:
  - name: F
    source: d
    stages:
      - {{name: A}}
      - name: B
        max_days: 10
    won: [W]
    lost: [L]
"""


def test_max_days_on_a_snapshot_counts_stuck_deals_from_the_stage_change(cli, tmp_path):
    # As of 2024-03-31 the moment is 2024-04-01 00:00. At B (max_days 10): deal 1 changed
    # 7 days before (not stuck), deal 2 31 days (stuck), deal 3 11.5 days (stuck); deal 4
    # is won, deal 5 sits at A (no max_days), deal 6 has no date, deal 7 a date that does
    # not parse (flagged, not counted). Stuck at B: 2, the oldest 31 days.
    write_csv(tmp_path / "d.csv", ["id", "stage", "created", "moved"], [
        ["1", "B", "2024-01-01", "2024-03-25 00:00"], ["2", "B", "2024-01-01", "2024-03-01"],
        ["3", "B", "2024-01-01", "2024-03-20 12:00"], ["4", "W", "2024-01-01", "2024-01-02"],
        ["5", "A", "2024-01-01", "2024-01-01"], ["6", "B", "2024-01-01", ""],
        ["7", "B", "2024-01-01", "abc"],
    ])
    config = tmp_path / "audit.yaml"
    config.write_text(STUCK_CONFIG.format(columns="columns: {deal_id: id, created_at: created, "
                                                  "stage_changed_at: moved}"), encoding="utf-8")
    report = cli.json("audit", config, "--as-of", "2024-03-31")
    b = report["funnels"][0]["stages"][1]
    assert (b["max_days"], b["stuck"], b["stuck_oldest_days"]) == (10, 2, pytest.approx(31.0))
    stuck = [f for f in report["findings"] if f["code"] == "stuck_deals"]
    assert [(f["subject"], f["value"]) for f in stuck] == [("F / B", 2.0)]
    problems = report["data_quality"]["sources"][0]["value_problems"]
    assert problems == {"unparseable stage_changed_at": {"rows": 1, "line": 8, "value": "abc"}}


def test_max_days_through_the_pipedrive_preset(cli, tmp_path):
    # Pipedrive's "Deal - Last stage change": deal 5012 changed 2026-02-11 09:12:03, as of
    # 2026-03-01 (moment 2026-03-02 00:00) that is 18.62 days > 10: stuck; 5013 is 2 days.
    (tmp_path / "d.csv").write_text(
        "Deal - ID,Deal - Stage,Deal - Status,Deal - Deal created,Deal - Last stage change\n"
        "5012,B,Open,2026-01-30 15:55:37,2026-02-11 09:12:03\n"
        "5013,B,Open,2026-01-30 15:55:37,2026-02-28 00:00:00\n", encoding="utf-8")
    config = tmp_path / "audit.yaml"
    config.write_text(STUCK_CONFIG.format(columns="preset: pipedrive"), encoding="utf-8")
    b = cli.json("audit", config, "--as-of", "2026-03-01")["funnels"][0]["stages"][1]
    assert b["stuck"] == 1
    assert b["stuck_oldest_days"] == pytest.approx(18 + (24 * 60 - 9 * 60 - 12 - 3 / 60)
                                                   / (24 * 60))


def test_max_days_on_a_snapshot_without_a_stage_change_column_is_a_config_error(cli,
                                                                                tmp_path):
    write_csv(tmp_path / "d.csv", ["id", "stage", "created"], [["1", "B", "2024-01-01"]])
    config = tmp_path / "audit.yaml"
    config.write_text(STUCK_CONFIG.format(columns="columns: {deal_id: id, created_at: created}"),
                      encoding="utf-8")
    # Line 14 of the config is "        max_days: 10".
    assert_error(cli("audit", config), "audit.yaml:14: funnels.0.stages.1.max_days",
                 "map stage_changed_at under sources.d.columns")


@pytest.mark.parametrize(("preset", "header"), [
    ("amocrm", "Дата редактирования"), ("bitrix24", "Дата изменения"),
    ("bitrix24", "Modified"), ("hubspot", "Date entered current stage"),
    ("hubspot", "Last Modified Date"), ("pipedrive", "Deal - Last stage change"),
    ("pipedrive", "Deal - Update time")])
def test_presets_map_their_stage_change_columns(preset, header):
    from funnelctl.io.presets import match_columns

    assert match_columns(preset, ["ID", header])["stage_changed_at"] == header


HUBSPOT_CONFIG = """
version: 1
sources:
  d: {path: d.csv, kind: deals, preset: hubspot}
funnels:
  - name: F
    source: d
    stages: [{name: A}, {name: B}, {name: C}]
"""


def hubspot_file(tmp_path, stage_columns: list[str], rows: list[list[str]]):
    header = ["Record ID", "Deal Stage", "Create Date",
              *[f'Date entered "{s} (Sales Pipeline)"' for s in stage_columns]]
    write_csv(tmp_path / "d.csv", header, rows)
    config = tmp_path / "audit.yaml"
    config.write_text(HUBSPOT_CONFIG, encoding="utf-8")
    return config


def test_hubspot_date_entered_columns_give_the_loss_stage(cli, tmp_path):
    # Columns for B and C, so an empty cell means "never entered". Deal 1 lost after B
    # (B dated, C empty): depth 2. Deal 2 lost with neither: at A. Deal 3 lost after C: 3.
    # Deal 4 won: 3. Deal 5 open at A. Deal 6 lost, B "soon" (does not parse; flagged):
    # its loss stage is unknown. A 5, B 3 (1, 3, 4), C 2 (3, 4).
    config = hubspot_file(tmp_path, ["B", "C"], [
        ["1", "Closed Lost", "2024-01-01 10:00", "2024-01-05 10:00", ""],
        ["2", "Closed Lost", "2024-01-01 10:00", "", ""],
        ["3", "Closed Lost", "2024-01-01 10:00", "2024-01-05 10:00", "2024-01-09 10:00"],
        ["4", "Closed Won", "2024-01-01 10:00", "2024-01-05 10:00", "2024-01-09 10:00"],
        ["5", "A", "2024-01-01 10:00", "", ""],
        ["6", "Closed Lost", "2024-01-01 10:00", "soon", ""],
    ])
    report = cli.json("audit", config)
    funnel = report["funnels"][0]
    assert [s["entered"] for s in funnel["stages"]] == [5, 3, 2]
    assert funnel["lost_stage_unknown"] == 1
    problems = report["data_quality"]["sources"][0]["value_problems"]
    assert problems == {"unparseable Date entered 'B'": {"rows": 1, "line": 7, "value": "soon"}}


def test_hubspot_date_entered_columns_that_miss_later_stages_say_nothing_sure(cli, tmp_path):
    # Only B has a column: a lost deal dated at B may have gone on to C, one without a date
    # may have skipped to C: both unknown. Deal 3 (won) 3, deal 4 open at B: A 2, B 2, C 1.
    config = hubspot_file(tmp_path, ["B"], [
        ["1", "Closed Lost", "2024-01-01 10:00", "2024-01-05 10:00"],
        ["2", "Closed Lost", "2024-01-01 10:00", ""],
        ["3", "Closed Won", "2024-01-01 10:00", "2024-01-05 10:00"],
        ["4", "B", "2024-01-01 10:00", "2024-01-05 10:00"],
    ])
    funnel = cli.json("audit", config)["funnels"][0]
    assert [s["entered"] for s in funnel["stages"]] == [2, 2, 1]
    assert funnel["lost_stage_unknown"] == 2


LINKED_CONFIG = """
version: 1
sources:
  d: {path: d.csv, kind: deals, columns: {deal_id: id, created_at: created}}
  h: {path: h.csv, kind: stage_history}
funnels:
  - name: F
    source: d
    stages: [{name: A}, {name: B}, {name: C}]
    won: [W]
    lost: [L]
    stage_history: {link}
"""


def test_a_stage_history_source_places_lost_deals(cli, tmp_path):
    # Deal 1 was lost after entering B, deal 2 after A; deal 5 has no history: unknown.
    # A: 1, 2, 3 (won), 4 (open at A) = 4; B: 1, 3 = 2; C: 3 = 1.
    write_csv(tmp_path / "d.csv", ["id", "stage", "created"], [
        ["1", "L", "2024-01-01"], ["2", "L", "2024-01-01"], ["3", "W", "2024-01-01"],
        ["4", "A", "2024-01-01"], ["5", "L", "2024-01-01"]])
    write_csv(tmp_path / "h.csv", ["deal_id", "stage", "entered_at"], [
        ["1", "A", "2024-01-01"], ["1", "B", "2024-01-03"], ["1", "L", "2024-01-05"],
        ["2", "A", "2024-01-01"], ["2", "L", "2024-01-02"]])
    config = tmp_path / "audit.yaml"
    config.write_text(LINKED_CONFIG.replace("{link}", "h"), encoding="utf-8")
    report = cli.json("audit", config)
    funnel = report["funnels"][0]
    assert [s["entered"] for s in funnel["stages"]] == [4, 2, 1]
    assert (funnel["lost"], funnel["lost_stage_unknown"]) == (3, 1)
    assert [s["name"] for s in report["data_quality"]["sources"]] == ["d", "h"]


def test_stage_history_must_name_a_stage_history_source(cli, tmp_path):
    write_csv(tmp_path / "d.csv", ["id", "stage", "created"], [["1", "A", "2024-01-01"]])
    config = tmp_path / "audit.yaml"
    config.write_text(LINKED_CONFIG.replace("{link}", "d"), encoding="utf-8")
    assert_error(cli("audit", config), "audit.yaml:12: funnels.0.stage_history",
                 "'d' is not a source of kind stage_history")


def test_validate_reports_max_days_without_a_stage_change_column(cli, tmp_path):
    write_csv(tmp_path / "d.csv", ["id", "stage", "created"], [["1", "B", "2024-01-01"]])
    config = tmp_path / "audit.yaml"
    config.write_text(STUCK_CONFIG.format(columns="columns: {deal_id: id, created_at: created}"),
                      encoding="utf-8")
    assert_error(cli("validate", config), "audit.yaml:14: funnels.0.stages.1.max_days")


def test_loss_stage_and_stuck_findings_read_in_russian(cli, tmp_path):
    # LOST_ROWS: 2 of 6 deals (33.3%) lost at an unknown stage, above the 5% warning.
    text = rendered(cli, deals_config(tmp_path, LOST_ROWS), "markdown", "ru")
    assert "у 2 проигранных сделок (33,3%) этап проигрыша неизвестен" in text
    write_csv(tmp_path / "d.csv", ["id", "stage", "created", "moved"],
              [["2", "B", "2024-01-01", "2024-03-01"]])
    config = tmp_path / "audit.yaml"
    config.write_text(STUCK_CONFIG.format(columns="columns: {deal_id: id, created_at: created, "
                                                  "stage_changed_at: moved}"), encoding="utf-8")
    result = cli("audit", config, "--as-of", "2024-03-31", "--lang", "ru", "--format",
                 "markdown", "--fail-on", "never")
    # 2024-03-01 00:00 to 2024-04-01 00:00: 31 days.
    assert "1 открытая сделка находится в «B» дольше 10 дн. (дольше всех 31,0 дн.)" in \
        " ".join(result.stdout.split())


def test_date_entered_columns_keep_the_recorded_date_order_of_the_deal_columns(cli, tmp_path):
    # Create Date is day-first (25/01); the stage-date column month-first (01/25): both
    # orders are recorded, and deal 1 lost after B (the only later stage) is placed at B.
    config = hubspot_file(tmp_path, ["B", "C"], [
        ["1", "Closed Lost", "25/01/2024", "01/26/2024", ""],
        ["2", "A", "20/01/2024", "", ""],
    ])
    report = cli.json("audit", config)
    order = report["data_quality"]["sources"][0]["detected"]["date_order"]
    assert order["Create Date"] == "day-first"
    assert order['Date entered "B (Sales Pipeline)"'] == "month-first"
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [2, 1, 0]


def test_dates_that_do_not_parse_are_value_problems_in_both_languages(cli, tmp_path):
    # Deal 2's expected close ("скоро") and deal 3's last-modified date ("вчера") do not
    # parse: both deals count (3 deals), the values are left out and named per column.
    write_csv(tmp_path / "d.csv", ["id", "stage", "created", "expected", "modified"], [
        ["1", "B", "2024-01-01", "2024-04-10", "2024-03-01"],
        ["2", "B", "2024-01-01", "скоро", "2024-03-02"],
        ["3", "A", "2024-01-01", "2024-05-01", "вчера"],
    ])
    config = tmp_path / "audit.yaml"
    config.write_text(STUCK_CONFIG.replace("        max_days: 10\n", "").format(
        columns="columns: {deal_id: id, created_at: created, expected_close: expected, "
                "modified_at: modified}"), encoding="utf-8")
    report = cli.json("audit", config, "--as-of", "2024-03-31")
    assert report["funnels"][0]["entities"] == 3
    problems = report["data_quality"]["sources"][0]["value_problems"]
    assert problems == {"unparseable expected_close": {"rows": 1, "line": 3, "value": "скоро"},
                        "unparseable modified_at": {"rows": 1, "line": 4, "value": "вчера"}}
    for lang, words in (("en", ["expected close date does not parse",
                                "last-modified date does not parse"]),
                        ("ru", ["ожидаемая дата закрытия не читается",
                                "дата изменения не читается"])):
        text = cli("audit", config, "--as-of", "2024-03-31", "--format", "markdown",
                   "--lang", lang, "--fail-on", "never").stdout
        assert all(w in text for w in words), (lang, text)
