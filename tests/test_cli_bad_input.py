"""Files that are not usable exports: one clear line on stderr, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

from funnelctl.cli import app


def audit(runner, tmp_path: Path, name: str, content: bytes, source_extra: str = ""):
    (tmp_path / name).write_bytes(content)
    config = tmp_path / "c.yaml"
    config.write_text(f"version: 1\nsources:\n  deals:\n    path: {name}\n    kind: deals\n"
                      f"    preset: auto\n{source_extra}funnels:\n"
                      "  - {name: F, source: deals, stages: [{name: A}]}\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(config)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr


def test_binary_file(runner, tmp_path) -> None:
    err = audit(runner, tmp_path, "d.csv", bytes(range(256)) * 64)
    assert "d.csv" in err and "binary file, not a CSV export" in err


def test_html_page_without_a_table(runner, tmp_path) -> None:
    page = b"<!DOCTYPE html><html><head><title>Login</title></head><body>Sign in</body></html>"
    err = audit(runner, tmp_path, "export.csv", page)
    assert "export.csv" in err and "HTML page with no table rows" in err


def test_columns_matching_no_preset_list_columns_and_closest_preset(runner, tmp_path) -> None:
    text = "Opportunity Name,Phase,Amount,Close Date\nA1,Intro,100,2024-01-02\n"
    err = audit(runner, tmp_path, "d.csv", text.encode())
    assert "match no preset" in err
    assert "columns found: Opportunity Name, Phase, Amount, Close Date" in err
    assert "closest preset: salesforce" in err


def test_encoding_that_cannot_be_decoded(runner, tmp_path) -> None:
    text = "ID,Этап сделки,Дата создания сделки\n1,Переговоры,14.03.2024\n".encode("cp1251")
    err = audit(runner, tmp_path, "d.csv", text, "    csv: {encoding: utf-8}\n")
    assert "d.csv: cannot decode as utf-8 at byte 3" in err


def test_unknown_encoding_name(runner, tmp_path) -> None:
    err = audit(runner, tmp_path, "d.csv", b"ID\n1\n", "    csv: {encoding: cp9999}\n")
    assert "unknown encoding 'cp9999'" in err


def test_inspect_of_a_missing_file(runner, tmp_path) -> None:
    result = runner.invoke(app, ["inspect", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "data file not found" in result.stderr
