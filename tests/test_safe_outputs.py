"""Data loss must never happen: --output / --rejects never over an input or a
non-regular file, `-o -` is stdout, a failed or interrupted write leaves the old file."""

from __future__ import annotations

import csv
import json
import os
import stat
import time

import pytest

from funnelctl.io import output
from tests.conftest import assert_error
from tests.safe_support import environment, process, small_audit, snapshot

INPUT_SPELLINGS = {
    "the config": lambda t: t / "audit.yaml",
    "the data file": lambda t: t / "deals.csv",
    "the data file, another spelling": lambda t: t / "sub" / ".." / "." / "deals.csv",
    "a symlink to the data file": lambda t: t / "link.csv",
    "a hard link to the config": lambda t: t / "hard.yaml",
}


@pytest.fixture
def audit_files(tmp_path):
    config, data = small_audit(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to("deals.csv")
    os.link(config, tmp_path / "hard.yaml")
    return config, data


@pytest.mark.parametrize("option", ["--output", "--rejects"])
@pytest.mark.parametrize("spelling", INPUT_SPELLINGS)
def test_a_target_that_is_an_input_is_refused_before_anything_is_written(
        cli, tmp_path, audit_files, option, spelling):
    config, data = audit_files
    before = snapshot(config, data)
    other = "--rejects" if option == "--output" else "--output"
    other_path = tmp_path / "other.out"
    result = cli("audit", config, option, INPUT_SPELLINGS[spelling](tmp_path),
                 other, other_path)
    what = "the config" if "config" in spelling else "a data file of source 'deals'"
    assert_error(result, option, f"is {what} of this audit", "would destroy it")
    assert snapshot(config, data) == before
    assert not other_path.exists()  # refused before the other file was written either
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "audit.yaml", "deals.csv", "hard.yaml", "link.csv", "sub"]


def test_a_parquet_file_of_a_folder_source_is_an_input_too(cli, tmp_path):
    import polars as pl

    (tmp_path / "parts").mkdir()
    pl.DataFrame({"ID": ["1"], "Stage": ["A"], "Created": ["2024-01-02"]}).write_parquet(
        tmp_path / "parts" / "a.parquet")
    config, _ = small_audit(tmp_path, data_path="parts")
    before = snapshot(tmp_path / "parts" / "a.parquet")
    result = cli("audit", config, "-o", tmp_path / "parts" / "a.parquet")
    assert_error(result, "is a data file of source 'deals'")
    assert snapshot(tmp_path / "parts" / "a.parquet") == before


def test_output_and_rejects_naming_the_same_file(cli, tmp_path):
    config, _ = small_audit(tmp_path)
    result = cli("audit", config, "-o", tmp_path / "x.txt", "--rejects", tmp_path / "x.txt")
    assert_error(result, "name the same file")
    assert not (tmp_path / "x.txt").exists()


def make_device(path):
    """A character device like /dev/null, made here so that no real device is at risk."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return path


NON_REGULAR = {
    "a FIFO (named pipe)": lambda p: (os.mkfifo(p), p)[1],
    "a directory": lambda p: (p.mkdir(), p)[1],
    "a character device": make_device,
}


@pytest.mark.parametrize("option", ["--output", "--rejects"])
@pytest.mark.parametrize("kind", NON_REGULAR)
def test_a_non_regular_target_is_an_error_and_is_never_replaced(cli, tmp_path, option,
                                                                 kind):
    config, _ = small_audit(tmp_path)
    target = NON_REGULAR[kind](tmp_path / "target")
    mode = os.stat(target).st_mode
    if "FIFO" in kind:
        # A child process: were the FIFO opened for writing, it would block with no reader.
        result = process("audit", config, option, target)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        stderr = result.stderr
    else:
        result = cli("audit", config, option, target)
        assert_error(result)
        stderr = result.stderr
    assert f"is {kind}, not a regular file" in stderr
    assert os.stat(target).st_mode == mode  # still the FIFO, folder or device
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.yaml", "deals.csv", "target"]


def test_dash_writes_the_report_to_stdout(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config, _ = small_audit(tmp_path)
    result = cli("audit", config, "-o", "-", "-f", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    stages = json.loads(result.stdout)["funnels"][0]["stages"]
    assert [s["entered"] for s in stages] == [3, 2]
    assert not (tmp_path / "-").exists() and "wrote" not in result.stderr


def test_a_failed_rejects_write_leaves_no_partial_file(cli, tmp_path, monkeypatch):
    import polars as pl

    config, _ = small_audit(tmp_path)
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("yesterday's ledger\n", encoding="utf-8")

    def half_then_disk_full(self, path, *args, **kwargs):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("source,line,reason,value\ndeals,5,missing")  # half a ledger
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_csv", half_then_disk_full)
    result = cli("audit", config, "--rejects", rejects)
    assert_error(result, "rejects.csv", "cannot write the rejects file", "No space left")
    assert rejects.read_text(encoding="utf-8") == "yesterday's ledger\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.yaml", "deals.csv",
                                                         "rejects.csv"]


def test_rejects_are_written_whole(cli, tmp_path):
    config, _ = small_audit(tmp_path)
    result = cli("audit", config, "--rejects", tmp_path / "r.csv", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8")))
    assert [(r["line"], r["reason"]) for r in rows] == [("5", "missing deal id")]


# The child stops in the middle of the write (the new text is in the temporary file,
# fsync not yet done) and says so with a marker file; the test then sends the signal.
SLOW_WRITER = """
import os, sys, time
from pathlib import Path
from funnelctl import cli
marker = Path(sys.argv[1])
def stalled_fsync(fd):
    marker.write_text("in the middle of the write")
    time.sleep(120)
os.fsync = stalled_fsync
sys.argv = ["funnelctl", *sys.argv[2:]]
cli.main()
"""


@pytest.mark.parametrize("signum", [15, 2], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("option", ["--output", "--rejects"])
def test_a_signal_mid_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, signum,
                                                                       option):
    import subprocess
    import sys

    config, _ = small_audit(tmp_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    target = reports / "out.txt"
    target.write_text("yesterday's file", encoding="utf-8")
    marker = tmp_path / "writing"
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(marker), "audit",
                              str(config), option, str(target)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=environment())
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), child.communicate()
        assert len(list(reports.iterdir())) == 2  # the old file and the temporary one
        child.send_signal(signum)
        _, err = child.communicate(timeout=300)
    finally:
        child.kill()
    assert child.returncode == 2, err
    assert "interrupted" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "yesterday's file"
    assert [p.name for p in reports.iterdir()] == ["out.txt"]


def test_signals_raise_restores_the_default_handlers():
    import signal

    with output.signals_raise():
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_line_break_inside_a_value_starts_no_line_of_inspect_or_validate(run, tmp_path):
    # A stage value that, printed raw, would add a line of its own to the stage counts:
    # 'Новая' (1 row) and a forged '999  Переговоры' line; and a header with a break.
    export = tmp_path / "deals.csv"
    export.write_text('ID,Этап сделки,Дата создания сделки,"Примечание\nк сделке"\n'
                      '1,"Новая\n      999  Переговоры",01.11.2026,\n'
                      '2,Новая,02.11.2026,\n', encoding="utf-8")
    shown = run("inspect", export).stdout.splitlines()
    assert "        1  Новая\\n      999  Переговоры" in shown
    assert "        1  Новая" in shown
    assert not any(line.lstrip().startswith("999") for line in shown)
    assert any(line.startswith("Примечание\\nк сделке ") for line in shown)
    config = tmp_path / "c.yaml"
    config.write_text("version: 1\nsources: {d: {path: deals.csv, kind: deals, preset: amocrm}}\n"
                      "funnels: [{name: F, source: d, stages: [{name: Новая}]}]\n",
                      encoding="utf-8")
    said = run("validate", config).stdout
    assert "matching nothing: 'Новая\\n      999  Переговоры'" in said
