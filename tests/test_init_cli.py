"""`funnelctl templates` and `funnelctl init`: listing, writing, and refusing bad requests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from funnelctl.commands.init import template_names, template_text

ROOT = Path(__file__).resolve().parent.parent


def test_templates_lists_every_template(run):
    result = run("templates")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert listed == template_names()
    assert "Qualification -> Presentation -> Commercial offer -> Contracting" in result.stdout


def test_init_to_stdout(run):
    result = run("init", "--template", "spin", "--output", "-")
    assert result.exit_code == 0
    assert result.stdout == template_text("spin")


def test_init_with_data_points_the_source_at_it(run, audit_json, tmp_path):
    out = tmp_path / "audits" / "b2b.yaml"
    data = ROOT / "sample_data" / "templates" / "b2b_history.csv"
    result = run("init", "--template", "b2b", "--output", out, "--data", data)
    assert result.exit_code == 0, result.output
    source = yaml.safe_load(out.read_text(encoding="utf-8"))["sources"]["history"]
    assert (out.parent / source["path"]).resolve() == data.resolve()
    assert "# your export" in out.read_text(encoding="utf-8")  # the comment survives
    report = audit_json(out, "--as-of", "2026-11-20")
    assert report["funnels"][0]["entities"] == 250


def test_init_refuses_to_overwrite(run, write):
    existing = write("funnelctl.yaml", "keep me\n")
    result = run("init", "--template", "aida", "--output", existing)
    assert result.exit_code == 2
    assert "already exists (use --force to overwrite)" in result.stderr
    assert existing.read_text() == "keep me\n"
    assert run("init", "--template", "aida", "--output", existing, "--force").exit_code == 0
    assert existing.read_text(encoding="utf-8") == template_text("aida")


def test_unknown_template_suggests_the_closest(run):
    result = run("init", "--template", "b2c", "--output", "-")
    assert result.exit_code == 2
    assert "no template 'b2c'; did you mean 'b2b'?" in result.stderr


@pytest.mark.parametrize("args", [[], ["--template", "aida", "--from-export", "x.csv"]])
def test_init_needs_exactly_one_of_template_or_export(run, args):
    result = run("init", *args)
    assert result.exit_code == 2
    assert "give one of --template NAME" in result.stderr


def test_from_export_with_unknown_columns_lists_them(run, write):
    export = write("export.csv", "a,b\n1,2\n")
    result = run("init", "--from-export", export)
    assert result.exit_code == 2
    assert "cannot tell which column is stage, created_at" in result.stderr
    assert "columns found: 'a' (integer), 'b' (integer)" in result.stderr
