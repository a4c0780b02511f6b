"""Zero-width characters at a value's ends (a CRM's rich-text field, a copy from a web
page) are trimmed like spaces: "Переговоры\u200b" is the stage "Переговоры", not a second
stage that looks exactly like it. Counts below are worked out by hand from the rows."""

from __future__ import annotations

import pytest
import yaml

ZWSP, WJ, ZWJ, BOM = "\u200b", "\u2060", "\u200d", "\ufeff"
# id, stage as exported, manager
DEALS = [("1", "Новая", "Анна"), ("2", f"Новая{ZWSP}", "Анна"),
         ("3", "Переговоры", "Пётр"), ("4", f"{BOM}Переговоры{ZWSP}", "Пётр"),
         ("5", f"Переговоры{WJ}", "Анна"), ("6", f"Успешно реализовано{ZWSP}", "Пётр"),
         ("7", f"Закрыто и не реализовано{ZWJ}", "Анна")]


def deals_config(tmp_path, engine: dict) -> str:
    export = tmp_path / "deals.csv"
    export.write_text("ID,Этап сделки,Дата создания сделки,Ответственный\n" + "".join(
        f"{i},{stage},2026-11-0{i},{who}\n" for i, stage, who in DEALS), encoding="utf-8")
    config = {"version": 1, "timezone": "UTC",
              "sources": {"deals": {"path": "deals.csv", "kind": "deals", "preset": "amocrm",
                                    **engine}},
              "funnels": [{"name": "F", "source": "deals",
                           "stages": [{"name": "Новая"}, {"name": "Переговоры"}]}]}
    path = tmp_path / "f.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("engine", [{}, {"engine": "clickhouse", "url": "chdb:"}],
                         ids=["polars", "clickhouse"])
def test_deal_stages_with_zero_width_ends_are_the_funnels_stages(tmp_path, audit_json,
                                                                  engine):
    if engine:
        pytest.importorskip("chdb")
    report = audit_json(deals_config(tmp_path, engine), "--as-of", "2026-12-01")
    quality = report["data_quality"]["sources"][0]
    assert quality["rows_rejected"] == 0 and quality["unmatched_stages"] == {}
    funnel = report["funnels"][0]
    # 7 deals; won: 6; lost: 7 (its loss stage unknown, so out of the stage counts).
    # Новая: deals 1, 2 there, 3, 4, 5 past it, 6 won = 6; Переговоры: 3, 4, 5, 6 = 4.
    assert (funnel["entities"], funnel["won"], funnel["lost"]) == (7, 1, 1)
    assert [(s["name"], s["entered"]) for s in funnel["stages"]] == [
        ("Новая", 6), ("Переговоры", 4)]


def test_inspect_and_init_see_one_value_per_stage(tmp_path, run):
    deals_config(tmp_path, {})
    shown = run("inspect", tmp_path / "deals.csv").stdout
    assert "3  Переговоры\n" in shown and "2  Новая\n" in shown
    assert ZWSP not in shown and WJ not in shown
    out = tmp_path / "init.yaml"
    assert run("init", "--from-export", tmp_path / "deals.csv", "--output", out).exit_code == 0
    funnel = yaml.safe_load(out.read_text(encoding="utf-8"))["funnels"][0]
    assert sorted(s["name"] for s in funnel["stages"]) == ["Новая", "Переговоры"]  # order: a guess


def test_history_stages_with_zero_width_ends_are_the_funnels_stages(tmp_path, audit_json):
    (tmp_path / "history.csv").write_text(
        "deal_id,stage,entered_at\n"
        f"1,Новая{ZWSP},2026-11-01\n1,Переговоры,2026-11-02\n"
        f"2,Новая,2026-11-01\n2,{WJ}Переговоры{ZWSP},2026-11-03\n"
        f"2,Успешно реализовано{ZWSP},2026-11-04\n", encoding="utf-8")
    config = {"version": 1, "timezone": "UTC",
              "sources": {"history": {"path": "history.csv", "kind": "stage_history"}},
              "funnels": [{"name": "F", "source": "history", "won": ["Успешно реализовано"],
                           "stages": [{"name": "Новая"}, {"name": "Переговоры"}]}]}
    path = tmp_path / "f.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    report = audit_json(path, "--as-of", "2026-12-01")
    assert report["data_quality"]["sources"][0]["unmatched_stages"] == {}
    funnel = report["funnels"][0]
    # both deals entered both stages; deal 2 was won
    assert (funnel["entities"], funnel["won"]) == (2, 1)
    assert [(s["name"], s["entered"]) for s in funnel["stages"]] == [
        ("Новая", 2), ("Переговоры", 2)]


def _norms_day(tmp_path, audit_json, engine: dict) -> tuple[dict, dict]:
    """The norms report of act.csv's 2026-11-02 (Анна Смирнова on the roster) on
    `engine`, and the activity source's data quality."""
    config = {"version": 1, "timezone": "UTC",
              "sources": {"act": {"path": "act.csv", "kind": "activities", **engine}},
              "norms": {"source": "act", "roster": ["Анна Смирнова"]}}
    path = tmp_path / "f.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    report = audit_json(path, "--period", "2026-11-02..2026-11-02", "--as-of", "2026-12-01")
    return report, next(s for s in report["data_quality"]["sources"] if s["name"] == "act")


@pytest.mark.parametrize("engine", [{}, {"engine": "clickhouse", "url": "chdb:"}],
                         ids=["polars", "clickhouse"])
def test_activity_managers_and_types_with_zero_width_ends_are_one_value(tmp_path,
                                                                         audit_json, engine):
    if engine:
        pytest.importorskip("chdb")
    (tmp_path / "act.csv").write_text(
        "manager,ts,type\n"
        "Анна Смирнова,2026-11-02 10:00,Звонок\n"
        f"Анна Смирнова{ZWSP},2026-11-02 11:00,Звонок\n"
        f"{BOM}Анна Смирнова,2026-11-02 12:00,Встреча{ZWSP}\n"
        f"Анна Смирнова,2026-11-02 13:00,{WJ}Исходящий звонок\n", encoding="utf-8")
    report, quality = _norms_day(tmp_path, audit_json, engine)
    assert quality["rows_rejected"] == 0 and quality.get("other_types", {}) == {}
    # one name, not a merge of two that print alike; 3 calls and 1 meeting on the day
    assert report["norms"]["names"]["merged"] == {}
    anna = report["norms"]["managers"][0]
    assert (anna["manager"], anna["calls"], anna["meetings"]) == ("Анна Смирнова", 3, 1)


@pytest.mark.parametrize("engine", [{}, {"engine": "clickhouse", "url": "chdb:"}],
                         ids=["polars", "clickhouse"])
def test_activity_times_with_zero_width_ends(tmp_path, audit_json, engine):
    if engine:
        pytest.importorskip("chdb")
    (tmp_path / "act.csv").write_text(
        "manager,ts,type\n"
        "Анна Смирнова,2026-11-02 10:00,Звонок\n"
        f"Анна Смирнова,2026-11-02 11:00{ZWSP},Звонок\n"  # read as 11:00
        f"Анна Смирнова,{WJ},Звонок\n", encoding="utf-8")  # no time: missing
    report, quality = _norms_day(tmp_path, audit_json, engine)
    assert quality["reasons"] == {"missing ts": 1}
    assert report["norms"]["managers"][0]["calls"] == 2
