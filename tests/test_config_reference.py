"""docs/config-reference.md is what scripts/config_reference.py writes from the schema:
a config key added, renamed or given a new default without regenerating it fails here."""

from __future__ import annotations

import importlib.util

from funnelctl.config import json_schema
from tests.conftest import ROOT


def load_script():
    spec = importlib.util.spec_from_file_location("config_reference",
                                                  ROOT / "scripts" / "config_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_is_up_to_date():
    written = (ROOT / "docs" / "config-reference.md").read_text(encoding="utf-8")
    assert written == load_script().render(), (
        "docs/config-reference.md is stale: run `python scripts/config_reference.py`")


def test_every_key_of_every_section_is_in_the_reference():
    written = (ROOT / "docs" / "config-reference.md").read_text(encoding="utf-8")
    schema = json_schema()
    sections = {"Top level": schema, **schema["$defs"]}
    for title, spec in sections.items():
        part = written.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
        for key in spec["properties"]:
            assert f"| `{key}` |" in part, f"{title}.{key} missing from the reference"
