"""data_quality: {warn, fail}: a source with many unreadable rows makes rows_rejected warn
or fail, and marks the findings computed from it as low-confidence in every renderer."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.conftest import write_csv

HEADER = ["Id", "Stage", "Created"]


def config(tmp_path, bad: int, levels: str = "") -> object:
    # 100 readable deals: 50 at A, 50 at B (B: 50/100 = 50%, below acceptable 80%: fail),
    # then `bad` rows whose creation date does not parse.
    rows = [[str(i), "A" if i <= 50 else "B", "2024-01-10"] for i in range(1, 101)]
    rows += [[str(100 + i), "B", "not a date"] for i in range(1, bad + 1)]
    write_csv(tmp_path / "deals.csv", HEADER, rows)
    path = tmp_path / "audit.yaml"
    path.write_text(f"""
version: 1
{levels}
sources:
  deals: {{path: deals.csv, kind: deals,
          columns: {{deal_id: Id, stage: Stage, created_at: Created}}}}
funnels:
  - name: F
    source: deals
    stages: [{{name: A}}, {{name: B, conversion: {{good: 0.9, acceptable: 0.8}}}}]
""", encoding="utf-8")
    return path


def finding(report, code):
    return next((f for f in report["findings"] if f["code"] == code), None)


def test_below_the_warn_level_nothing_is_qualified(tmp_path, cli):
    report = cli.json("audit", config(tmp_path, bad=1))  # 1 of 101 = 0.99% <= 1%
    assert finding(report, "rows_rejected") is None
    assert finding(report, "stage_conversion")["low_confidence"] is False
    assert report["funnels"][0]["low_confidence"] is False
    assert report["data_quality"]["sources"][0]["rejected_share"] == pytest.approx(1 / 101)


def test_above_warn_findings_are_low_confidence(tmp_path, cli):
    report = cli.json("audit", config(tmp_path, bad=10))  # 10 of 110 = 9.1%
    rejected = finding(report, "rows_rejected")
    assert rejected["severity"] == "warn" and rejected["value"] == pytest.approx(10 / 110)
    assert rejected["low_confidence"] is False  # it is the data-quality finding itself
    stage = finding(report, "stage_conversion")
    assert stage["severity"] == "fail" and stage["low_confidence"] is True
    assert stage["source"] == "deals"
    assert report["funnels"][0]["low_confidence"] is True


def test_at_the_fail_level_rows_rejected_fails(tmp_path, cli):
    report = cli.json("audit", config(tmp_path, bad=25))  # 25 of 125 = 20% exactly
    rejected = finding(report, "rows_rejected")
    assert rejected["severity"] == "fail" and rejected["threshold"] == 0.2
    assert rejected["value"] == pytest.approx(0.2)


def test_levels_come_from_the_config(tmp_path, cli):
    path = config(tmp_path, bad=10, levels="data_quality: {warn: 0.1, fail: 0.5}")
    report = cli.json("audit", path)  # 9.1% is under the configured 10%
    assert finding(report, "rows_rejected") is None
    assert finding(report, "stage_conversion")["low_confidence"] is False
    path = config(tmp_path, bad=10, levels="data_quality: {warn: 0.01, fail: 0.05}")
    assert finding(cli.json("audit", path), "rows_rejected")["severity"] == "fail"


def test_bad_levels_are_a_config_error(tmp_path, cli):
    result = cli("audit", config(tmp_path, bad=1, levels="data_quality: {warn: 0.5, fail: 0.1}"))
    assert result.exit_code == 2 and "data_quality" in result.stderr
    assert "must not be above fail" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("lang", "mark"), [
    ("en", "low confidence: 9.1% of the rows of 'deals' are unreadable"),
    ("ru", "низкая достоверность: 9,1% строк источника «deals» не прочитаны"),
])
def test_the_mark_is_visible_in_every_renderer(tmp_path, cli, lang, mark):
    path = config(tmp_path, bad=10)
    args = ("audit", path, "--lang", lang, "--fail-on", "never", "--format")
    table = cli(*args, "table").stdout
    findings = table[table.index("Findings" if lang == "en" else "Замечания"):]
    assert mark in " ".join(findings.split())
    markdown = cli(*args, "markdown").stdout
    stage_line = next(line for line in markdown.splitlines() if "**F / B**" in line)
    assert mark in stage_line
    rejected_line = next(line for line in markdown.splitlines() if "**deals**" in line)
    assert mark not in rejected_line
    soup = BeautifulSoup(cli(*args, "html").stdout, "html.parser")
    item = soup.find("li", attrs={"data-code": "stage_conversion"})
    assert item.find(class_="low-confidence").get_text(strip=True) == f"⚠ {mark}"
    assert soup.find("li", attrs={"data-code": "rows_rejected"}).find(
        class_="low-confidence") is None
    section = soup.find("section", attrs={"data-funnel": "F"})
    assert section.find(class_="low-confidence") is not None
