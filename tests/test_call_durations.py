"""A PBX's call durations as its export writes them: seconds, "mm:ss" / "hh:mm:ss", and
unit words ("83 сек", "1 мин 23 сек", "1 ч 2 мин", "1m 23s"). Seconds worked out by hand."""

from __future__ import annotations

import json

import polars as pl
import pytest

from funnelctl.io.activities import duration_seconds
from tests.conftest import write_csv

READ = [("83", 83), ("01:23", 83), ("00:01:23", 83), ("83 сек", 83), ("83 с", 83),
        ("83 сек.", 83), ("1 мин 23 сек", 83), ("1 мин. 23 сек.", 83), ("2 мин", 120),
        ("1 ч 2 мин 3 сек", 3723), ("1 час 5 сек", 3605), ("1m 23s", 83), ("83s", 83),
        ("1h 2m 3s", 3723), ("0 сек", 0), ("1 МИН 23 СЕК", 83)]
NOT_READ = ["1 мин 23", "23 сек 1 мин", "сек", "1 мин 75 сек", "1 день", "83 секунды назад",
            "1:75", ""]


@pytest.mark.parametrize(("text", "seconds"), READ)
def test_durations_in_the_ways_pbx_exports_write_them(text, seconds):
    frame = pl.DataFrame({"d": [text]})
    assert frame.select(duration_seconds("d", pl.String, [""])).item() == seconds


@pytest.mark.parametrize("text", NOT_READ)
def test_text_that_is_no_duration_is_not_read_as_one(text):
    frame = pl.DataFrame({"d": [text]})
    assert frame.select(duration_seconds("d", pl.String, [""])).item() is None


def test_a_log_with_unit_word_durations_counts_its_calls(cli, tmp_path):
    rows = [["Анна Смирнова", "2026-11-02 10:00", "83 сек"],       # counted
            ["Анна Смирнова", "2026-11-02 10:05", "1 мин 23 сек"],  # counted
            ["Анна Смирнова", "2026-11-02 10:10", "29 сек"],        # short
            ["Анна Смирнова", "2026-11-02 10:15", "00:00:30"],      # counted (30 s)
            ["Анна Смирнова", "2026-11-02 10:20", "долго"]]         # unparseable
    write_csv(tmp_path / "pbx.csv", ["Сотрудник", "Время", "Длительность"], rows, sep=";")
    config = tmp_path / "audit.yaml"
    config.write_text(
        "version: 1\ntimezone: UTC\nsources:\n  pbx:\n    path: pbx.csv\n"
        "    kind: activities\n    columns: {manager: Сотрудник, ts: Время, "
        "duration: Длительность}\n    type_values: {type: call}\n    min_call_seconds: 30\n"
        "norms:\n  source: pbx\n", encoding="utf-8")
    result = cli("audit", config, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["norms"]["managers"][0]["calls"] == 3
    assert report["norms"]["short_calls"] == 1
    quality = next(s for s in report["data_quality"]["sources"] if s["name"] == "pbx")
    assert quality["reasons"] == {"unparseable duration": 1}


def test_init_takes_a_unit_word_duration_column_for_a_pbx_log(run, tmp_path):
    rows = [["Анна Смирнова", f"2026-11-0{d} 10:00", t] for d in range(2, 7)
            for t in ("83 сек", "1 мин 23 сек", "12 сек", "2 мин 5 сек")]
    write_csv(tmp_path / "pbx.csv", ["Сотрудник", "Время", "Длительность"], rows, sep=";")
    out = tmp_path / "pbx.yaml"
    result = run("init", "--from-export", tmp_path / "pbx.csv", "--output", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'duration: "Длительность"' in text and "type: call" in text
