"""What the norms section shows of teams, roster dates, system users, short calls and
names, in every renderer and both languages; names from the data stay inert."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

from tests.test_norms_team import telephony_config

HOSTILE = "<script>x</script>[bold]\x1b[31m=HYPERLINK("


def team_config(tmp_path, hostile: str = "Смирнова Алла"):
    config = telephony_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "roster: [Анна Смирнова, Борис Петров]",
        "roster: [{name: Анна Смирнова, from: 2024-02-06}, Борис Петров]\n"
        "  calendar: {country: RU}\n"
        "  teams: [{name: Phone sales, members: [Борис Петров],\n"
        "           daily: {good: [{calls: 1}], acceptable: [{meetings: 1}]}}]")
    config.write_text(text, encoding="utf-8")
    if hostile != "Смирнова Алла":
        phone = tmp_path / "phone.csv"
        phone.write_text(phone.read_text(encoding="utf-8").replace("Смирнова Алла", hostile),
                         encoding="utf-8")
    return config


def run(cli, config, *options):
    result = cli("audit", config, "--fail-on", "never", *options)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_json_has_the_team_the_own_days_and_the_dates(cli, tmp_path):
    report = json.loads(run(cli, team_config(tmp_path), "--format", "json"))
    managers = {m["manager"]: m for m in report["norms"]["managers"]}
    # Anna from Tuesday 6 Feb: Tue..Fri = 4 working days; Boris all 5
    assert managers["Анна Смирнова"]["working_days"] == 4
    assert managers["Анна Смирнова"]["active_from"] == "2024-02-06"
    assert managers["Борис Петров"]["working_days"] == 5
    assert managers["Борис Петров"]["team"] == "Phone sales"
    # Boris, team rule good = 1 call: Tuesday (1 call + 1 meeting) is good
    assert managers["Борис Петров"]["good_days"] == 1
    assert report["norms"]["outside_dates"] == {"Анна Смирнова": 12}  # 10 calls + 2 meetings
    assert report["norms"]["teams"][0]["daily_good"] == [{"calls": 1, "meetings": 0}]
    assert report["norms"]["calendar"]["country"] == "RU"
    # Anna's activity is all on Monday, before her dates: her 4 days are below
    assert managers["Анна Смирнова"]["below_days"] == 4
    finding = next(f for f in report["findings"] if f["subject"] == "norms / Анна Смирнова")
    assert "4 of 4 working days" in finding["message"]


def test_terminal_markdown_and_html_show_the_new_parts_in_english(cli, tmp_path):
    config = team_config(tmp_path)
    table = run(cli, config)
    markdown = run(cli, config, "--format", "markdown")
    out = tmp_path / "r.html"
    run(cli, config, "--format", "html", "--output", str(out))
    html = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    for text in (table, markdown, html.get_text()):
        assert "Norms of team Phone sales" in text
        assert "System users, not graded (rows)" in text
        assert "Calls under 30 s in phone, not counted" in text
        assert "Working days of their own (roster dates)" in text
        assert "Names matched to no known manager" in text
    assert "| Manager | Team | Days |" in markdown
    assert "| Анна Смирнова | – | 4 |" in markdown
    row = html.select_one("table.norms tr[data-manager='Борис Петров']")
    assert row.select_one("td[data-team]").get_text() == "Phone sales"
    assert html.select_one("table.norms tr[data-manager='Анна Смирнова'] td[data-days]"
                           ).get_text() == "4"
    notes = {li["data-note"]: li.get_text() for li in html.select("li[data-note]")}
    assert notes["short_calls"].endswith(": 2")
    assert notes["ignored"] == "System users, not graded (rows): 0 (1); Система (2)"
    assert "17 → Борис Петров" in notes["merged"]


def test_a_name_typed_with_latin_look_alikes_is_matched_and_said_so(cli, tmp_path):
    config = team_config(tmp_path)
    crm = tmp_path / "crm.csv"
    crm.write_text(crm.read_text(encoding="utf-8").replace("Анна Смирнова", "Aнна Смирнова")
                   .replace("Борис Петров", "Борис\u00a0Петров"),  # a non-breaking space
                   encoding="utf-8")  # a Latin A: the same person, a spelling no eye sees
    report = json.loads(run(cli, config, "--format", "json"))
    assert report["norms"]["names"]["merged"]["Aнна Смирнова"] == "Анна Смирнова"
    assert "Aнна Смирнова" not in report["norms"]["names"]["unmatched"]
    assert "Aнна Смирнова → Анна Смирнова (Latin and Cyrillic look-alike letters mixed)" \
        in run(cli, config, "--format", "markdown")
    assert "Борис\u00a0Петров → Борис Петров (other spaces)" in run(
        cli, config, "--format", "markdown")
    assert "(смешаны похожие латинские и кириллические буквы)" in run(
        cli, config, "--format", "markdown", "--lang", "ru")


def test_russian_labels(cli, tmp_path):
    config = team_config(tmp_path)
    for fmt in ("table", "markdown"):
        text = run(cli, config, "--format", fmt, "--lang", "ru")
        assert "Нормы команды Phone sales" in text
        assert "Системные пользователи, без оценки (строк)" in text
        assert "Звонков короче 30 с в phone, не учтено" in text
        assert "Свои рабочие дни (даты в списке)" in text
        assert "звонки короче 30 с не учтены: 2" in text  # the data-quality note


def test_names_from_the_data_stay_inert(cli, tmp_path):
    config = team_config(tmp_path, hostile=HOSTILE)
    table = run(cli, config)
    assert "\x1b[31m" not in table and "[bold]" in table  # shown, not interpreted
    markdown = run(cli, config, "--format", "markdown")
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    out = tmp_path / "r.html"
    run(cli, config, "--format", "html", "--output", str(out))
    page = out.read_text(encoding="utf-8")
    assert "<script>x" not in page and "&lt;script&gt;x" in page
