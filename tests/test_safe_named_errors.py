"""Every error is a named error: strict numbers in the config, stdout on a full disk or a
closed pipe, an unreadable file, a too-long path, and `init --data` with an odd name."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from funnelctl.config import load_config
from tests.conftest import assert_error
from tests.safe_support import command, environment, process, small_audit

NORMS_CONFIG = """version: 1
sources:
  act: {{path: act.csv, kind: activities}}
norms:
  source: act
  daily:
    good: [{{calls: {calls}}}]
    acceptable: [{{calls: 5}}]
"""


@pytest.mark.parametrize("value, expected", [
    ("true", "expected a number, got true (YAML reads true, false, yes, no, on and off"),
    ("yes", "expected a number, got true"),
    ('"0.6"', "Input should be a valid number"),
])
def test_a_threshold_must_be_a_number_not_a_boolean_or_text(cli, tmp_path, value, expected):
    config, _ = small_audit(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "{name: B}", f"{{name: B, conversion: {{good: {value}, acceptable: 0.4}}}}")
    config.write_text(text, encoding="utf-8")
    assert_error(cli("audit", config), "audit.yaml:10", "funnels.0.stages.1.conversion.good",
                 expected)


@pytest.mark.parametrize("value, expected", [
    ("true", "expected a number, got true"),
    ('"10"', "Input should be a valid integer"),
    ("10.5", "Input should be a valid integer"),
])
def test_a_norms_minimum_must_be_a_whole_number(cli, tmp_path, value, expected):
    config = tmp_path / "n.yaml"
    config.write_text(NORMS_CONFIG.format(calls=value), encoding="utf-8")
    assert_error(cli("audit", config), "n.yaml:7", "norms.daily.good.0.calls", expected)


@pytest.mark.parametrize("args", [("audit", "{config}"), ("schema",)], ids=["audit", "schema"])
def test_stdout_on_a_full_disk_is_a_named_error(tmp_path, args):
    config, _ = small_audit(tmp_path)
    with open("/dev/full", "w") as full:
        child = process(*(a.format(config=config) for a in args), stdout=full,
                        stderr=subprocess.PIPE)
    assert child.returncode == 2, child.stderr
    assert child.stderr == ("funnelctl: error: cannot write to standard output: "
                            "No space left on device\n")


@pytest.mark.parametrize("args", [("audit", "{config}", "-f", "html"), ("schema",),
                                  ("templates",)], ids=["audit", "schema", "templates"])
def test_a_closed_pipe_ends_quietly_like_other_unix_tools(tmp_path, args):
    config, _ = small_audit(tmp_path)
    child = subprocess.Popen(command(*(a.format(config=config) for a in args)),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment())
    child.stdout.close()  # the reader is gone before the first byte (`| head -0`)
    _, err = child.communicate(timeout=300)
    assert child.returncode == 141, err  # what a shell reports for a tool ended by SIGPIPE
    assert err == b""


# Root reads any file: without the capabilities that let it (setpriv), it is refused.
AS_PLAIN_USER = ["setpriv", "--inh-caps=-all",
                 "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []


@pytest.mark.skipif(AS_PLAIN_USER and not shutil.which("setpriv"), reason="needs setpriv")
@pytest.mark.parametrize("locked", ["audit.yaml", "deals.csv"])
def test_an_unreadable_file_is_named(tmp_path, locked):
    config, _ = small_audit(tmp_path)
    (tmp_path / locked).chmod(0o000)
    child = subprocess.run([*AS_PLAIN_USER, *command("audit", config)], capture_output=True,
                           text=True, timeout=300, env=environment())
    assert child.returncode == 2, child.stderr
    what = "config file" if locked == "audit.yaml" else "data file (source 'deals')"
    assert child.stderr == (f"funnelctl: error: {tmp_path / locked}: cannot read the {what}: "
                            "permission denied (the file is not readable by this user)\n")


def test_a_too_long_path_is_named(cli, tmp_path):
    long_name = "x" * 300 + ".yaml"
    assert_error(cli("audit", tmp_path / long_name), long_name[:50],
                 "cannot read the config file: the path is too long")
    config, _ = small_audit(tmp_path, data_path="d" * 300 + ".csv")
    assert_error(cli("audit", config),
                 "cannot read the data file (source 'deals'): the path is too long")


@pytest.mark.parametrize("name", ['deals "q".csv', "it's\nsplit.csv", "a # b: c\t\\.csv",
                                  "- [x] {y} &z *w.csv"])
def test_init_data_with_quotes_or_a_newline_writes_valid_yaml(cli, tmp_path, name):
    _, data = small_audit(tmp_path)
    odd = data.rename(tmp_path / name)
    out = tmp_path / "conf" / "funnelctl.yaml"
    result = cli("init", "--template", "aida", "--data", odd, "--output", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.count("\n") == (cli("init", "--template", "aida", "--output", "-")
                                .stdout.count("\n"))  # the path took one line
    source = next(iter(yaml.safe_load(text)["sources"].values()))
    assert source["path"] == f"../{name}"
    assert os.path.samefile(next(iter(load_config(out).sources.values())).path, odd)
