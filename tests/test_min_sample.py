"""A stage verdict needs a minimum sample: below it the verdict is "insufficient", no
finding comes from it, and it is never the bottleneck."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.conftest import write_csv

HEADER = ["Id", "Stage", "Created", "Manager"]
# 100 deals: 40 still at A, 50 at B, 8 at C, 2 at D. Entered (a deal at stage k passed
# 1..k): A 100, B 60, C 10, D 2. Conversions: B 60/100 = 60%, C 10/60 = 16.7%, D 2/10 = 20%.
ROWS = ([["A"]] * 40 + [["B"]] * 50 + [["C"]] * 8 + [["D"]] * 2)


def config(tmp_path, d_stage="{name: D, conversion: {good: 0.5, acceptable: 0.3}}",
           extra=""):
    rows = [[str(i), stage[0], "2024-01-10", "M1" if i % 2 else "M2"]
            for i, stage in enumerate(ROWS, 1)]
    write_csv(tmp_path / "deals.csv", HEADER, rows)
    path = tmp_path / "audit.yaml"
    path.write_text(f"""
version: 1
sources:
  deals: {{path: deals.csv, kind: deals,
          columns: {{deal_id: Id, stage: Stage, created_at: Created, manager: Manager}}}}
funnels:
  - name: F
    source: deals
{extra}
    stages:
      - {{name: A}}
      - {{name: B, conversion: {{good: 0.5, acceptable: 0.3}}}}
      - {{name: C}}
      - {d_stage}
    breakdown: [manager]
""", encoding="utf-8")
    return path


def by_name(stages):
    return {s["name"]: s for s in stages}


def test_a_stage_behind_too_few_deals_is_insufficient(tmp_path, cli):
    report = cli.json("audit", config(tmp_path))
    funnel = report["funnels"][0]
    stages = by_name(funnel["stages"])
    assert stages["B"]["verdict"] == "ok"  # 60% >= 50%, 100 entered A
    # D: 20% is below acceptable 30%, but only 10 entered C: fewer than 30.
    assert stages["D"]["conversion_from_previous"] == pytest.approx(0.2)
    assert stages["D"]["verdict"] == "insufficient" and stages["D"]["min_sample"] == 30
    assert stages["C"]["verdict"] is None  # no threshold
    assert funnel["insufficient_stages"] == 1
    assert not [f for f in report["findings"] if f["code"] == "stage_conversion"]
    assert report["verdict"] == "ok"
    # Not the bottleneck, though its 20% would be (0.3 under good): the lowest well-sampled
    # conversion is C's 16.7% (10/60).
    assert funnel["bottleneck"]["stage"] == "C"
    assert funnel["bottleneck"]["conversion"] == pytest.approx(10 / 60)


def test_a_stage_min_sample_overrides_the_funnel(tmp_path, cli):
    d = "{name: D, conversion: {good: 0.5, acceptable: 0.3}, min_sample: 10}"
    report = cli.json("audit", config(tmp_path, d))
    funnel = report["funnels"][0]
    assert by_name(funnel["stages"])["D"]["verdict"] == "fail"
    assert funnel["insufficient_stages"] == 0
    assert funnel["bottleneck"]["stage"] == "D"  # 0.5 - 0.2 = 30 pp under good
    assert funnel["bottleneck"]["reason"] == "furthest below its threshold: 30.0 pp under good"
    (finding,) = [f for f in report["findings"] if f["code"] == "stage_conversion"]
    assert finding["subject"] == "F / D" and finding["severity"] == "fail"


def test_a_funnel_min_sample_raises_the_bar(tmp_path, cli):
    # min_sample 101: even B (100 entered A) is insufficient; nothing is the bottleneck.
    funnel = cli.json("audit", config(tmp_path, extra="    min_sample: 101"))["funnels"][0]
    stages = by_name(funnel["stages"])
    assert stages["B"]["verdict"] == stages["D"]["verdict"] == "insufficient"
    assert funnel["insufficient_stages"] == 2
    assert funnel["bottleneck"] is None


def test_segment_stages_and_win_rate_follow_the_same_rule(tmp_path, cli):
    # M1 and M2 have 50 deals each: B is graded (50 >= 30), D is not (5 entered C each).
    report = cli.json("audit", config(tmp_path))
    for seg in report["funnels"][0]["breakdowns"]["manager"]:
        stages = by_name(seg["stages"])
        assert stages["B"]["verdict"] == "ok"
        assert stages["D"]["verdict"] == "insufficient"
    # Win rate: 10 won and 10 lost is 20 closed deals, below 30: insufficient, no finding.
    rows = [[str(i), "W" if i <= 10 else "L", "2024-01-10", "M"] for i in range(1, 21)]
    write_csv(tmp_path / "deals.csv", HEADER, rows)
    path = tmp_path / "wr.yaml"
    path.write_text("""
version: 1
sources:
  deals: {path: deals.csv, kind: deals,
          columns: {deal_id: Id, stage: Stage, created_at: Created, manager: Manager}}
funnels:
  - {name: F, source: deals, stages: [{name: A}], won: [W], lost: [L],
     win_rate: {good: 0.6, acceptable: 0.55}}
""", encoding="utf-8")
    report = cli.json("audit", path)
    assert report["funnels"][0]["win_rate"] == pytest.approx(0.5)
    assert report["funnels"][0]["win_rate_verdict"] == "insufficient"
    assert not [f for f in report["findings"] if f["code"] == "win_rate"]


@pytest.mark.parametrize(("lang", "word", "note"), [
    ("en", "TOO FEW", "fewer than 30 entered the stage before"),
    ("ru", "МАЛО ДАННЫХ", "на предыдущий этап вошло меньше 30"),
])
def test_insufficient_is_shown_in_every_renderer(tmp_path, cli, lang, word, note):
    path = config(tmp_path)
    args = ("audit", path, "--lang", lang, "--fail-on", "never", "--format")
    table = cli(*args, "table").stdout
    d_row = next(line for line in table.splitlines() if line.lstrip("│ ").startswith("D "))
    assert word in d_row and note in table
    markdown = cli(*args, "markdown").stdout
    d_row = next(line for line in markdown.splitlines() if line.startswith("| D |"))
    assert d_row.rstrip(" |").endswith(f"❔ {word}") and note in markdown
    soup = BeautifulSoup(cli(*args, "html").stdout, "html.parser")
    section = soup.find("section", attrs={"data-funnel": "F"})
    row = section.find("tr", attrs={"data-stage": "D"})
    badge = row.find("span", class_="v-insufficient")
    assert badge is not None and badge.get_text(strip=True) == f"? {word}"
    assert note in section.get_text()
