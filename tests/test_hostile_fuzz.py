"""Property: random byte mutations of the bundled sample exports never crash `audit`.

Whatever the bytes, the exit code is 0, 1 or 2, there is no traceback and no
"unexpected error", and when a report is written its row accounting holds, checked
against numbers the report does not derive from each other: a deals source's rows read
are its rejected rows plus the deals in its funnel; an activity log's are its rejected
rows plus its calls, meetings, other types and the rows of managers not on the roster;
and the --rejects file lists, per source and reason, exactly the rejected rows and the
value problems (a row kept without one value) the report counts.
FUNNELCTL_FUZZ_EXAMPLES raises the number of examples (random, not derandomized).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import Counter
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from funnelctl.cli import app
from tests.conftest import ROOT

# (config, source to mutate, lines of its sample kept: small files keep each run quick)
CASES = [("demo.yaml", "deals", 120), ("demo.yaml", "activities", 300),
         ("store.yaml", "events", 200), ("bitrix24.yaml", "deals", 80),
         ("amocrm.yaml", "deals", 80), ("salesforce.yaml", "deals", 80)]
# Bytes that break parsers: quotes, line ends, separators, NUL, BOM, UTF-8 lead bytes,
# cp1251 letters, controls, and number spellings that overflow.
NASTY = [b'"', b"\r", b"\n", b"\r\n", b",", b";", b"\t", b"\x00", b"\xef\xbb\xbf", b"\xd0",
         b"\xcf\xf0\xe8", b"\xff\xfe", b"\x1b[2J", b"[red]", b"=1+1", b"-", b"inf", b"1e308",
         b"9223372036854775808", b"0001-01-01", b"99.99.9999", b"\xe2\x80\xae"]
FUZZ_EXAMPLES = int(os.environ.get("FUNNELCTL_FUZZ_EXAMPLES", "0"))

mutation = st.tuples(
    st.sampled_from(["insert", "insert", "replace", "replace", "delete", "truncate"]),
    st.floats(0, 1, allow_nan=False),
    st.one_of(st.sampled_from(NASTY), st.binary(min_size=1, max_size=6)),
    st.integers(1, 40))


def mutate(data: bytes, changes: list) -> bytes:
    for kind, where, chunk, size in changes:
        at = int(where * len(data))
        if kind == "insert":
            data = data[:at] + chunk + data[at:]
        elif kind == "replace":
            data = data[:at] + chunk + data[at + len(chunk):]
        elif kind == "delete":
            data = data[:at] + data[at + size:]
        else:
            data = data[:at]
    return data


def setup(folder: Path, config_name: str, target: str, keep: int, changes: list) -> Path:
    config_path = ROOT / "configs" / config_name
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for name, source in config["sources"].items():
        original = (config_path.parent / source["path"]).resolve()
        lines = original.read_bytes().splitlines(keepends=True)[:keep]
        data = b"".join(lines)
        copy = folder / f"{name}{original.suffix}"
        copy.write_bytes(mutate(data, changes) if name == target else data)
        source["path"] = copy.name
    if config.get("norms") and target in config["sources"]:
        # The row accounting below is per source: grade the mutated log alone.
        if config["sources"][target]["kind"] == "activities":
            config["norms"]["source"] = target
    path = folder / "audit.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def check_accounting(report: dict, ledger: Counter) -> None:
    funnels = {f["source"]: f for f in report["funnels"]}
    norms = report["norms"]
    for source in report["data_quality"]["sources"]:
        name, read, rejected = source["name"], source["rows_read"], source["rows_rejected"]
        assert 0 <= rejected <= read and sum(source["reasons"].values()) == rejected, source
        listed = {reason: n for (src, reason), n in ledger.items() if src == name}
        kept = {reason: p["rows"] for reason, p in source.get("value_problems", {}).items()}
        assert listed == source["reasons"] | kept, (listed, source)
        if name in funnels and funnels[name]["kind"] == "deals":
            assert read == rejected + funnels[name]["entities"], (source, funnels[name])
        if norms is not None and norms["sources"] == [name]:
            accepted = (norms["totals"]["calls"] + norms["totals"]["meetings"]
                        + sum(source["other_types"].values())
                        + sum(norms["unlisted_managers"].values()))
            assert read == rejected + accepted, (source, norms["totals"])


@settings(max_examples=FUZZ_EXAMPLES or 30, deadline=None, derandomize=not FUZZ_EXAMPLES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
          database=None)
@given(case=st.sampled_from(CASES), changes=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_samples_never_crash_the_audit(case, changes):
    config_name, target, keep = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = setup(folder, config_name, target, keep, changes)
        out, rejects = folder / "report.json", folder / "rejects.csv"
        result = CliRunner().invoke(app, ["audit", str(config), "--format", "json",
                                          "--output", str(out), "--rejects", str(rejects),
                                          "--fail-on", "never", "--quiet"])
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
        event(f"exit {result.exit_code}")
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
        assert "Traceback" not in result.output and "unexpected error" not in result.stderr, \
            result.stderr
        if result.exit_code == 2:
            assert result.stderr.startswith("funnelctl: error: "), result.stderr
            return
        with rejects.open(encoding="utf-8", newline="") as fh:
            ledger = Counter((row["source"], row["reason"]) for row in csv.DictReader(fh))
        check_accounting(json.loads(out.read_text(encoding="utf-8")), ledger)
