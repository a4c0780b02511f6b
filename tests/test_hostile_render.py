"""Values from the data are shown as text: rich markup stays literal, control characters
and bidi overrides become visible escapes (terminal, Markdown, HTML), JSON keeps them."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from funnelctl.audit.pipeline import audit
from funnelctl.errors import excerpt, visible
from funnelctl.render import RenderOptions, renderer
from tests.conftest import write_csv

MARKUP = ["[/]", "[red]x[/red]", "[link=https://evil.example]click[/link]", r"\[x]"]
TITLE_SET = "\x1b]0;owned\x07"  # OSC: sets the terminal's title
CLEAR = "\x1b[2J"  # CSI: clears the screen
RLO = "\u202e"  # right-to-left override


@pytest.fixture
def hostile_config(tmp_path):
    managers = [*MARKUP, f"Eve{TITLE_SET}", f"Bob{CLEAR}", f"Ann{RLO}cod.exe", "C1\x9bZ"]
    # One row each: a file whose start is over 3% control characters is taken as binary.
    rows = [[str(i), "Lead" if i % 2 else "Won", "2024-01-02", manager]
            for i, manager in enumerate(managers)]
    rows.append(["99", f"Junk{CLEAR}[bold]", "2024-01-03", "Zed"])  # an unmatched stage value
    write_csv(tmp_path / "d\x1b]0;t\x07.csv", ["id", "stage", "created", "manager"], rows)
    config = tmp_path / "c.yaml"
    config.write_text(
        'version: 1\ntitle: "T [red]x[/red] \\e[2J"\n'
        "sources:\n  deals:\n    path: \"d\\e]0;t\\a.csv\"\n    kind: deals\n"
        "    columns: {deal_id: id, stage: stage, created_at: created, manager: manager}\n"
        "funnels:\n  - name: \"F [/] \\e]0;t\\a\"\n    source: deals\n"
        "    stages: [{name: Lead}]\n    won: [Won]\n    breakdown: [manager]\n",
        encoding="utf-8")
    return config


def rendered(config, fmt: str, color: bool = False) -> str:
    return renderer(fmt)(audit(config), RenderOptions(color=color, width=200))


@pytest.mark.parametrize("color", [False, True])
def test_terminal_shows_markup_literally_and_controls_as_escapes(hostile_config, color):
    text = rendered(hostile_config, "table", color)
    for name in MARKUP:
        assert name in text
    assert "T [red]x[/red] \\x1b[2J" in text  # the title
    assert "F [/] \\x1b]0;t\\x07" in text  # the funnel name
    assert "Eve\\x1b]0;owned\\x07" in text and "Bob\\x1b[2J" in text
    assert "Ann\\u202ecod.exe" in text and "C1\\x9bZ" in text
    assert "Junk\\x1b[2J[bold]" in text  # the unmatched value in the finding message
    assert "\x07" not in text and "\u202e" not in text and "\x9b" not in text
    # With colour on, the only escape sequences are rich's own SGR colours.
    assert "\x1b]" not in text and "\x1b[2J" not in text


def test_markdown_shows_controls_as_escapes(hostile_config):
    text = rendered(hostile_config, "markdown")
    assert not any(ch in text for ch in ("\x1b", "\x07", "\u202e", "\x9b"))
    # `\` and `[` are Markdown-escaped too: the reader sees \x1b[2J.
    assert "Bob\\\\x1b\\[2J" in text
    assert "Ann\\\\u202ecod.exe" in text


def test_html_escapes_markup_and_shows_controls(hostile_config):
    html = rendered(hostile_config, "html")
    assert not any(ch in html for ch in ("\x1b", "\x07", "\u202e", "\x9b"))
    page = BeautifulSoup(html, "html.parser").get_text()
    assert "Bob\\x1b[2J" in page and "Eve\\x1b]0;owned\\x07" in page
    assert "[link=https://evil.example]click[/link]" in page
    assert "d\\x1b]0;t\\x07.csv" in page  # the file path in the data-quality table


def test_json_keeps_values_exactly(hostile_config):
    data = json.loads(rendered(hostile_config, "json"))
    assert data["title"] == "T [red]x[/red] \x1b[2J"
    values = {s["value"] for s in data["funnels"][0]["breakdowns"]["manager"]}
    assert f"Bob{CLEAR}" in values and f"Ann{RLO}cod.exe" in values


def test_visible_and_excerpt():
    assert visible("a\x1b[2Jb\x00\x7f\u202e\u2066") == "a\\x1b[2Jb\\x00\\x7f\\u202e\\u2066"
    assert visible("line\nnext\tx", keep="\n") == "line\nnext\\tx"
    assert visible("Анна Смирнова ★") == "Анна Смирнова ★"
    long = "root:x:0:0:root:/root:/bin/bash" * 5
    assert excerpt(long) == long[:59] + "…" and len(excerpt(long)) == 60
    assert excerpt("\x1b" * 40) == "\\x1b" * 14 + "\\x1…"


def test_error_message_shows_controls_in_a_path_as_escapes(tmp_path, cli):
    config = tmp_path / "c.yaml"
    config.write_text('version: 1\nsources:\n  d: {path: "gone\\e[2J.csv", kind: deals}\n'
                      "funnels: [{name: F, source: d, stages: [{name: A}]}]\n", encoding="utf-8")
    result = cli("audit", config)
    assert result.exit_code == 2
    assert "gone\\x1b[2J.csv" in result.stderr and "\x1b" not in result.stderr


def test_for_display_escapes_every_string_and_keeps_clean_parts():
    """Strings inside dataclasses, lists, tuples and dict keys and values become visible
    escapes; a part with nothing to escape is the very same object (not a copy)."""
    import datetime as dt
    from dataclasses import dataclass, field

    from funnelctl.render.escape import for_display

    @dataclass
    class Day:
        date: dt.date
        calls: int
        grade: str | None

    @dataclass
    class Person:
        name: str
        days: list[Day]
        notes: dict[str, str] = field(default_factory=dict)
        pair: tuple = ()

    clean = Day(dt.date(2024, 2, 5), 3, "good")
    person = Person(f"Eve{CLEAR}", [clean], {f"k{RLO}": "v", "ok": f"x{TITLE_SET}"},
                    ("a", f"b{CLEAR}"))
    shown = for_display(person)
    assert shown.name == "Eve\\x1b[2J"
    assert shown.notes == {"k\\u202e": "v", "ok": "x\\x1b]0;owned\\x07"}
    assert shown.pair == ("a", "b\\x1b[2J")
    assert shown.days[0] is clean and shown.days == [clean]
    assert person.name == f"Eve{CLEAR}"  # the report itself is left as it was
    untouched = Person("Ann", [clean], {"a": "b"}, ("c",))
    assert for_display(untouched) is untouched
