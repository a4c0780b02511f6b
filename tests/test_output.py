"""Nightly use: --output placeholders and folders, atomic writes, --quiet, --format choices."""

from __future__ import annotations

import os
import re
import stat

import pytest

from funnelctl.cli import Format
from funnelctl.errors import UsageError
from funnelctl.io import output
from funnelctl.render import RENDERERS, RenderOptions, renderer
from tests.conftest import ROOT

DEMO = ROOT / "configs" / "demo.yaml"


def test_output_date_placeholder_creates_the_folder(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("audit", DEMO, "--format", "html", "--as-of", "2026-11-02",
                 "--output", "reports/{date}.html", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    written = tmp_path / "reports" / "2026-11-02.html"
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "wrote reports/2026-11-02.html" in result.stderr
    assert result.stdout == ""
    assert [p.name for p in written.parent.iterdir()] == ["2026-11-02.html"]  # no temp left


def test_output_period_placeholder(cli, tmp_path):
    result = cli("audit", DEMO, "--format", "json", "--period", "last-month",
                 "--as-of", "2026-11-02", "--output", tmp_path / "{period}/r.json",
                 "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "2026-10-01--2026-10-31" / "r.json").exists()


def test_output_unknown_placeholder_is_a_usage_error(cli, tmp_path):
    result = cli("audit", DEMO, "--output", tmp_path / "{day}.html")
    assert result.exit_code == 2
    assert "unknown placeholder '{day}'" in result.stderr
    assert "{date} or {period}" in result.stderr


def test_output_path_without_period():
    import datetime as dt

    path = output.output_path("r/{period}-{date}.md", dt.date(2026, 1, 2), None, None)
    assert str(path) == "r/all-data-2026-01-02.md"
    one_day = output.output_path("{period}", dt.date(2026, 1, 2), dt.date(2026, 1, 1),
                                 dt.date(2026, 1, 1))
    assert str(one_day) == "2026-01-01"


def test_quiet_prints_nothing(cli, tmp_path):
    result = cli("audit", DEMO, "--quiet", "--output", tmp_path / "r.md", "-f", "markdown")
    assert result.exit_code == 1  # the demo data has a FAIL: the exit code still tells
    assert result.stdout == "" and result.stderr == ""
    assert (tmp_path / "r.md").exists()
    assert cli("audit", DEMO, "-q").stdout == ""


def test_quiet_still_reports_errors(cli, tmp_path):
    result = cli("audit", tmp_path / "missing.yaml", "--quiet")
    assert result.exit_code == 2 and "config file not found" in result.stderr


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("error", [Interrupted, KeyboardInterrupt])
def test_interrupted_write_leaves_the_old_report_and_no_partial_file(tmp_path, monkeypatch,
                                                                    error):
    target = tmp_path / "report.html"
    target.write_text("yesterday's report", encoding="utf-8")

    def fail_mid_write(fd):
        # By now half the new report is in the temporary file: interrupt here.
        raise error()

    monkeypatch.setattr(output.os, "fsync", fail_mid_write)
    with pytest.raises(error):
        output.write_atomically(target, "<html>" + "x" * 100_000)
    assert target.read_text(encoding="utf-8") == "yesterday's report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_failed_write_is_a_clean_error_and_leaves_nothing(tmp_path, monkeypatch):
    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", disk_full)
    with pytest.raises(UsageError, match="No space left on device"):
        output.write_atomically(tmp_path / "new" / "report.html", "text")
    assert list((tmp_path / "new").iterdir()) == []


def test_cli_write_failure_is_exit_2(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(output.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "EIO")))
    result = cli("audit", DEMO, "--output", tmp_path / "r.html", "-f", "html")
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_file_gets_the_usual_mode_not_a_private_one(tmp_path):
    old = os.umask(0o022)
    try:
        output.write_atomically(tmp_path / "r.html", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.html").stat().st_mode) == 0o644


def test_every_format_choice_maps_to_a_renderer(cli):
    from funnelctl.audit.pipeline import audit

    assert {f.value for f in Format} == set(RENDERERS) == {"table", "json", "markdown", "html"}
    report = audit(DEMO)
    for name in RENDERERS:
        text = renderer(name)(report, RenderOptions())
        # The title is non-ASCII: every format shows it as is (JSON does not escape it).
        assert report.title in text, name
        assert "\\u" not in text, name


@pytest.mark.parametrize("error", [Interrupted, KeyboardInterrupt])
def test_interrupted_write_of_bytes_leaves_the_old_report(tmp_path, monkeypatch, error):
    # The JSON report is written as orjson's bytes: the same atomic path as text.
    target = tmp_path / "report.json"
    target.write_bytes(b'{"old": true}\n')
    monkeypatch.setattr(output.os, "fsync", lambda fd: (_ for _ in ()).throw(error()))
    with pytest.raises(error):
        output.write_atomically(target, b'{"new": true}\n' * 10_000)
    assert target.read_bytes() == b'{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_json_bytes_are_written_as_they_are(tmp_path):
    # "Воронка" is 7 Cyrillic letters, 2 bytes each in UTF-8: 14 bytes, no \u escapes.
    output.write_atomically(tmp_path / "r.json", '{"t":"Воронка"}\n'.encode())
    data = (tmp_path / "r.json").read_bytes()
    assert data == b'{"t":"' + "Воронка".encode() + b'"}\n' and len(data) == 6 + 14 + 3


def test_the_json_report_in_a_file_and_on_stdout_are_the_same_bytes(cli, tmp_path):
    # One writer for both: the file is the piped text, title as is, one final newline.
    args = ("audit", DEMO, "--format", "json", "--as-of", "2026-11-02", "--fail-on", "never")
    piped = cli(*args)
    assert cli(*args, "--output", tmp_path / "r.json").exit_code == 0
    written = (tmp_path / "r.json").read_bytes()
    strip = re.compile(rb'"generated_at":"[^"]*"')  # the one field that is the run's clock
    assert strip.sub(b"", written) == strip.sub(b"", piped.stdout_bytes)
    assert written.endswith(b"}\n") and not written.endswith(b"\n\n")
    assert "Демо: основная воронка (amoCRM)".encode() in written
