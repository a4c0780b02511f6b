"""One manager written several ways in a deals export is one manager in every deal view
(audit/manager_fold.py), with what was folded said in the data-quality notes; expected
numbers worked out by hand in the comments."""

from __future__ import annotations

import html

import pytest

from funnelctl.audit.manager_fold import manager_fold

LATIN_A = "A"  # U+0041, typed for the Cyrillic А (U+0410) of "Анна"
# A small amoCRM-like export (saved in cp1251 by the test). Stages: Заявка (1), Встреча (2),
# Договор (3); a won deal reached all three, a lost or open one the stage it is in.
#   Анна Смирнова, five spellings: deals 1 (won, 100, 10 days), 2 (lost at Встреча, 40),
#     3 (open, Заявка, 10), 4 (won, 300, 4 days), 5 (open, Встреча, 20)
#   Петр Иванов, three spellings (ё/е, initials): 6 (won, 200, 18 days), 7 (lost at
#     Заявка, 30), 8 (open, Встреча, 60), 9 (open, Заявка, 70), 12 (won, 50, 2 days)
#   Алла Смирнова: 10 (open, Встреча, 80); "Смирнова А." fits her and Анна: 11 (open, 90)
DEALS = f"""deal_id,stage,status,manager,created_at,closed_at,amount
1,Договор,won,Анна Смирнова,2026-11-02 10:00,2026-11-12 10:00,100
2,Встреча,lost,Анна Смирнова,2026-11-03 10:00,2026-11-06 10:00,40
3,Заявка,open, анна смирнова ,2026-11-04 10:00,,10
4,Договор,won,Смирнова Анна,2026-11-05 10:00,2026-11-09 10:00,300
5,Встреча,open,{LATIN_A}нна Смирнова,2026-11-06 10:00,,20
6,Договор,won,Пётр Иванов,2026-11-02 11:00,2026-11-20 11:00,200
7,Заявка,lost,Петр Иванов,2026-11-03 11:00,2026-11-04 11:00,30
8,Встреча,open,Петр Иванов,2026-11-04 11:00,,60
9,Заявка,open,Иванов П.,2026-11-05 11:00,,70
10,Встреча,open,Алла Смирнова,2026-11-06 11:00,,80
11,Заявка,open,Смирнова А.,2026-11-07 11:00,,90
12,Договор,won,Петр Иванов,2026-11-08 11:00,2026-11-10 11:00,50
"""
STAGES = ["Заявка", "Встреча", "Договор"]
# The spelling most deals use: "Анна Смирнова" (2 deals; the other three 1 each), "Петр
# Иванов" (3: deals 7, 8, 12; "Пётр Иванов" and "Иванов П." 1 each).
NOTES = [
    f"manager names: '{LATIN_A}нна Смирнова' counted as 'Анна Смирнова' (1 deal; Latin and "
    "Cyrillic look-alike letters mixed)",
    "manager names: 'Смирнова Анна' counted as 'Анна Смирнова' (1 deal)",
    "manager names: 'анна смирнова' counted as 'Анна Смирнова' (1 deal)",
    "manager names: 'Иванов П.' counted as 'Петр Иванов' (1 deal)",
    "manager names: 'Пётр Иванов' counted as 'Петр Иванов' (1 deal)",
    "manager names: 'Смирнова А.' fits more than one manager ('Алла Смирнова', "
    "'Анна Смирнова'): kept as written (1 deal; add an alias)",
]


def config(path, breakdown: bool = True, language: str = "en") -> dict:
    funnel = {"name": "Сделки", "source": "deals", "stages": [{"name": s} for s in STAGES]}
    if breakdown:
        funnel["breakdown"] = ["manager"]
    return {"version": 1, "timezone": "Europe/Moscow", "language": language,
            "sources": {"deals": {"path": str(path), "kind": "deals"}}, "funnels": [funnel]}


def write_config(tmp_path, data: dict):
    import yaml

    path = tmp_path / "funnelctl.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes(DEALS.encode("cp1251"))
    return path


def test_the_deal_breakdown_counts_each_manager_once(tmp_path, export, cli):
    report = cli.json("audit", write_config(tmp_path, config(export)), "--as-of", "2026-12-01")
    rows = {r["value"]: r for r in report["funnels"][0]["breakdowns"]["manager"]}
    assert list(rows) == ["Анна Смирнова", "Петр Иванов", "Алла Смирнова", "Смирнова А."]
    anna, petr = rows["Анна Смирнова"], rows["Петр Иванов"]
    # Анна: entered Заявка 5, Встреча 4 (1, 2, 4, 5), Договор 2 (1, 4); 2 won, 1 lost
    assert [s["entered"] for s in anna["stages"]] == [5, 4, 2]
    assert (anna["entities"], anna["won"], anna["lost"]) == (5, 2, 1)
    # Петр: Заявка 5, Встреча 3 (6, 8, 12), Договор 2 (6, 12); 2 won, 1 lost
    assert [s["entered"] for s in petr["stages"]] == [5, 3, 2]
    assert (petr["entities"], petr["won"], petr["lost"]) == (5, 2, 1)
    # Встреча -> Договор: Анна 2 of 4, Петр 2 of 3
    assert anna["stages"][2]["conversion_from_previous"] == pytest.approx(2 / 4)
    assert petr["stages"][2]["conversion_from_previous"] == pytest.approx(2 / 3)
    assert [rows[n]["entities"] for n in ("Алла Смирнова", "Смирнова А.")] == [1, 1]
    notes = report["data_quality"]["sources"][0]["notes"]
    assert [n for n in notes if n.startswith("manager names")] == NOTES


def test_money_and_velocity_per_manager_fold_before_the_medians(tmp_path, export, cli):
    report = cli.json("audit", write_config(tmp_path, config(export, breakdown=False)),
                      "--as-of", "2026-12-01")
    managers = {m["value"]: m for m in report["funnels"][0]["money"]["managers"]}
    anna, petr = managers["Анна Смирнова"], managers["Петр Иванов"]
    # Анна: won 100 + 300, open 10 + 20, lost 40; cycles 10 and 4 days: median 7
    assert (anna["won_revenue"], anna["open_value"], anna["lost_value"]) == (400, 30, 40)
    assert anna["velocity"]["cycle_days"] == pytest.approx(7)
    # velocity: 2 open x 2/3 win rate x 200 average won / 7 days
    assert anna["velocity"]["per_day"] == pytest.approx(2 * 2 / 3 * 200 / 7)
    # Петр: won 200 + 50, open 60 + 70, lost 30; cycles 18 and 2 days: median 10 (the
    # medians of his spellings' deals apart, 18 and 2, could not give it)
    assert (petr["won_revenue"], petr["open_value"], petr["lost_value"]) == (250, 130, 30)
    assert petr["velocity"]["cycle_days"] == pytest.approx(10)
    assert sorted(managers) == ["Алла Смирнова", "Анна Смирнова", "Петр Иванов", "Смирнова А."]


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_every_renderer_says_what_was_folded_in_russian(tmp_path, export, cli, fmt):
    path = write_config(tmp_path, config(export, language="ru"))
    result = cli("audit", path, "--as-of", "2026-12-01", "--format", fmt, "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    # the terminal table wraps long notes inside its cell borders
    # (and HTML escapes the quotes: the names are data)
    text = " ".join(html.unescape(result.stdout).replace("│", " ").split())
    assert "имя менеджера 'Смирнова Анна' учтено как 'Анна Смирнова' (1 сделка)" in text
    assert ("имя менеджера 'Смирнова А.' подходит нескольким менеджерам ('Алла Смирнова', "
            "'Анна Смирнова'): оставлено как есть (1 сделка; добавьте alias)") in text
    assert "смешаны похожие латинские и кириллические буквы" in text


def test_the_russian_note_counts_in_russian_forms():
    from funnelctl.render.labels_ru import note_text

    note = "manager names: 'анна смирнова' counted as 'Анна Смирнова' (1,022 deals)"
    assert note_text(note, "ru") == ("имя менеджера 'анна смирнова' учтено как "
                                     "'Анна Смирнова' (1,022 сделки)")


def test_a_tie_is_broken_by_the_sorted_spelling_and_aliases_apply():
    # 2 deals each: the first in sorted order ("Ivan Petrov" < "ivan petrov") is shown
    fold = manager_fold({"ivan petrov": 2, "Ivan Petrov": 2, "17": 4},
                        aliases={"17": "Ivan Petrov"})
    assert fold.counts_as == {"ivan petrov": "Ivan Petrov", "17": "Ivan Petrov"}
    # a system user is kept as it is, in the deal views as elsewhere
    assert manager_fold({"Робот": 3, "робот": 1}, ignore=["Робот"]).counts_as == {}


def test_with_a_roster_its_spelling_is_shown_and_others_still_fold():
    fold = manager_fold({"смирнова анна": 5, "Борис Петров": 1, "борис петров": 3},
                        roster=["Анна Смирнова"])
    # Анна: the roster's spelling; Борис is on no roster, still one person (3 > 1 deals)
    assert fold.counts_as == {"смирнова анна": "Анна Смирнова",
                              "Борис Петров": "борис петров"}


def test_the_waterfall_folds_the_older_export_as_the_newer(tmp_path, export, cli):
    # The older export: deal 3 open (written as the newer's display name), 7 open as
    # "Пётр Иванов" (a spelling the newer export folds), 13 open as "смирнова анна", a
    # spelling only the older export has (the deal is gone from the newer one).
    older = tmp_path / "older.csv"
    older.write_bytes("""deal_id,stage,status,manager,created_at,closed_at,amount
3,Заявка,open,Анна Смирнова,2026-11-04 10:00,,10
7,Заявка,open,Пётр Иванов,2026-11-03 11:00,,30
13,Встреча,open,смирнова анна,2026-10-20 10:00,,5
""".encode("cp1251"))
    report = cli.json("audit", write_config(tmp_path, config(export, breakdown=False)),
                      "--as-of", "2026-12-01", "--since-snapshot", older)
    buckets = {b["name"]: b for b in report["funnels"][0]["waterfall"]["buckets"]}
    # Open at the start: 3 deals; Анна 2 (3 and 13), Петр 1 (7)
    assert [(m["manager"], m["deals"]) for m in buckets["open_start"]["per_manager"]] == [
        ("Анна Смирнова", 2), ("Петр Иванов", 1)]
    notes = report["data_quality"]["sources"][0]["notes"]
    assert "manager names in the older export: 'смирнова анна' counted as 'Анна Смирнова' " \
        "(1 deal)" in notes
