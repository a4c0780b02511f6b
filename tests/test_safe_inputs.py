"""Nothing hangs or explodes: FIFOs and endless devices refused before they are opened,
folders and globs without symlink loops or double reads, a config bounded in size and
in YAML aliases, an .xlsx zip bomb refused before its cells are read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import polars as pl
import pytest

from funnelctl.config import load_config
from funnelctl.errors import ConfigError, DataError
from funnelctl.io import files
from tests.conftest import assert_error
from tests.safe_support import CONFIG, environment, process, small_audit


# Each of these would block (a FIFO with no writer) or never end (a device): a child
# process with a timeout, so a regression fails the test instead of hanging the suite.
@pytest.mark.parametrize("role", ["config", "data"])
@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/urandom"])
def test_a_fifo_or_an_endless_device_is_refused_before_it_is_opened(tmp_path, role, special):
    kind = "a FIFO (named pipe)" if special == "fifo" else "a character device"
    if special == "fifo":
        special = tmp_path / "pipe"
        os.mkfifo(special)
    if role == "config":
        result = process("audit", special)
        what = "config file"
    else:
        config = tmp_path / "audit.yaml"
        config.write_text(CONFIG.format(path=special), encoding="utf-8")
        result = process("audit", config)
        what = "data file (source 'deals')"
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"funnelctl: error: {special}: is {kind}, not a regular "
                                    f"file: the {what} must be a regular file"), result.stderr
    assert "Traceback" not in result.stderr


def test_a_directory_as_config(cli, tmp_path):
    assert_error(cli("audit", tmp_path), "is a directory, not a regular file",
                 "the config file must be a regular file")


def write_parts(folder, days=((1, ["1", "2"]), (2, ["3"]))):
    """One Parquet file per day: deals created that day, all at stage B."""
    folder.mkdir()
    for day, ids in days:
        pl.DataFrame({"ID": ids, "Stage": ["B"] * len(ids),
                      "Created": [f"2024-01-0{day}"] * len(ids)}).write_parquet(
            folder / f"day{day}.parquet")


@pytest.mark.parametrize("path", ["parts", "parts/*.parquet", "parts/**/*.parquet"])
def test_a_symlink_loop_in_a_folder_source_is_not_followed_and_no_row_counts_twice(
        cli, tmp_path, path):
    write_parts(tmp_path / "parts")
    (tmp_path / "parts" / "again").symlink_to(".")  # the loop: parts/again/again/...
    (tmp_path / "parts" / "same.parquet").symlink_to("day1.parquet")  # a second name
    config, _ = small_audit(tmp_path, data_path=path)
    report = cli.json("audit", config)
    # Three deals in two files, each read once (the loop used to read them 41 times).
    assert report["data_quality"]["sources"][0]["rows_read"] == 3
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [3, 3]


def test_a_folder_reached_twice_through_symlinks_is_read_once(tmp_path):
    write_parts(tmp_path / "real")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a").symlink_to("../real")
    (tmp_path / "data" / "b").symlink_to("../real")
    found = files.parquet_files(tmp_path / "data", "deals")
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "data/a/day1.parquet", "data/a/day2.parquet"]


def test_glob_segments_match_like_the_shell():
    match = files._matches
    assert match(("*.parquet",), ("a.parquet",))
    assert not match(("*.parquet",), ("sub", "a.parquet"))
    assert match(("**", "*.parquet"), ("a.parquet",))
    assert match(("**", "*.parquet"), ("x", "y", "a.parquet"))
    assert match(("2024-*", "*.pq"), ("2024-01", "d.pq"))
    assert not match(("2024-*", "*.pq"), ("2023-01", "d.pq"))


def test_a_fifo_inside_a_folder_source_is_named(tmp_path):
    write_parts(tmp_path / "parts")
    os.mkfifo(tmp_path / "parts" / "late.parquet")
    with pytest.raises(DataError, match=r"late\.parquet: is a FIFO \(named pipe\)"):
        files.parquet_files(tmp_path / "parts", "deals")


def test_a_config_over_one_mib_is_refused(cli, tmp_path):
    config, _ = small_audit(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "#" * (1024 * 1024 - len(text)) + "\n", encoding="utf-8")
    assert config.stat().st_size == 1024 * 1024 + 1
    assert_error(cli("audit", config), "audit.yaml", "1,048,577 bytes",
                 "at most 1,048,576 (1 MiB)")


def alias_bomb(levels: int = 9) -> str:
    """The billion laughs: 10 ** levels copies of one string through 9 * 10 aliases."""
    lines = ['lol0: &lol0 "lol"', *(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10)
                                    + "]" for i in range(1, levels + 1))]
    return "version: 1\n" + "\n".join(lines) + f"\ntitle: *lol{levels}\n"


# The CLI, then its own peak resident memory (VmHWM: this process only, reset at exec,
# unlike ru_maxrss, which a child inherits from the forking test process).
WITH_PEAK_MEMORY = """
import atexit, sys
peak_file = sys.argv[1]
def peak():
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next(l for l in status if l.startswith("VmHWM:")).split()[1])
atexit.register(peak)
from funnelctl.cli import main
sys.argv = ["funnelctl", *sys.argv[2:]]
main()
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc (Linux)")
def test_a_yaml_alias_bomb_is_refused_with_flat_memory(tmp_path):
    config = tmp_path / "bomb.yaml"
    config.write_text(alias_bomb(), encoding="utf-8")
    assert config.stat().st_size < 1000
    peak_file = tmp_path / "peak"
    child = subprocess.run([sys.executable, "-c", WITH_PEAK_MEMORY, str(peak_file), "audit",
                            str(config)], capture_output=True, text=True, timeout=300,
                           env=environment())
    assert child.returncode == 2, child.stderr
    assert "YAML aliases (*name) expand this config to more than 100,000 values" in child.stderr
    # Values once expanded: the mapping, 2 for version, 10 keys lol0..lol9 with values of
    # 1, 11, 111, ... 1111111111 values, and title's key and value (lol9 once more).
    expanded = 1 + 2 + 10 + sum(int("1" * k) for k in range(1, 11)) + 1 + int("1" * 10)
    assert f"({expanded:,};" in child.stderr
    # Peak memory of the whole process (Python, its imports): far from the gigabytes a
    # billion strings would take.
    assert int(peak_file.read_text()) < 400 * 1024  # KiB


def test_a_recursive_alias_is_refused(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("version: 1\nloop: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.yaml:2: a YAML alias refers to the value it is "
                                          "inside of"):
        load_config(config)


def test_a_few_aliases_are_fine(tmp_path):
    config, _ = small_audit(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "stages: [{name: A}, {name: B}]",
        "stages:\n      - {name: A, conversion: &bar {good: 0.9, acceptable: 0.5}}\n"
        "      - {name: B, conversion: *bar}")
    config.write_text(text, encoding="utf-8")
    stages = load_config(config).funnels[0].stages
    assert [(s.conversion.good, s.conversion.acceptable) for s in stages] == [(0.9, 0.5)] * 2


def test_duplicate_keys_name_both_lines(cli, tmp_path):
    config, _ = small_audit(tmp_path)
    lines = config.read_text(encoding="utf-8").splitlines()
    assert lines[4] == "    kind: deals"
    lines.insert(6, "    kind: events")  # line 7 repeats line 5's key
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_error(cli("audit", config), "audit.yaml:7: duplicate key 'kind' (first at line 5)")


def xlsx_bomb(path, inflated: int) -> int:
    """A real workbook with one extra cell of `inflated` bytes of 'A' in its sheet XML
    (it compresses about a thousand times); returns the declared uncompressed total."""
    small = path.with_name("small.xlsx")
    pl.DataFrame({"ID": ["1"], "Stage": ["A"], "Created": ["2024-01-02"]}).write_excel(small)
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if not item.filename.startswith("xl/worksheets/sheet"):
                dst.writestr(item.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with dst.open(item.filename, "w") as out:
                out.write(head + b'<row r="9"><c r="A9" t="inlineStr"><is><t>')
                for _ in range(inflated >> 20):
                    out.write(b"A" * (1 << 20))
                out.write(b"</t></is></c></row></sheetData>" + tail)
    small.unlink()
    with zipfile.ZipFile(path) as archive:
        return sum(item.file_size for item in archive.infolist())


def test_an_xlsx_zip_bomb_is_refused_before_any_cell_is_read(tmp_path, monkeypatch):
    bomb = tmp_path / "deals.xlsx"
    declared = xlsx_bomb(bomb, inflated=20 << 20)
    assert bomb.stat().st_size < 160 * 1024  # 20 MiB of cells in a small file
    read = []
    monkeypatch.setattr(pl, "read_excel", lambda *a, **k: read.append(a) or pl.DataFrame())
    config, _ = small_audit(tmp_path, data_path="deals.xlsx")
    with pytest.raises(DataError) as caught:
        load_and_open(config)
    message = str(caught.value)
    assert f"inflates to {declared / (1 << 20):.1f} MiB" in message
    assert "zip bomb" in message and "16.0 MiB uncompressed" in message
    assert read == []  # refused from the zip's directory alone


def load_and_open(config):
    from funnelctl.io.readers import open_source

    settings = load_config(config)
    return open_source("deals", settings.sources["deals"])


def test_an_ordinary_xlsx_still_reads(cli, tmp_path):
    pl.DataFrame({"ID": ["1", "2"], "Stage": ["A", "B"],
                  "Created": ["2024-01-02", "2024-01-03"]}).write_excel(tmp_path / "d.xlsx")
    config, _ = small_audit(tmp_path, data_path="d.xlsx")
    report = json.loads(cli("audit", config, "-f", "json", "--fail-on", "never").stdout)
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [2, 1]
