"""`funnelctl templates` and `funnelctl init`: starter configs from the stage templates.

The templates are YAML files in funnelctl/templates/, one per stage template in
DOMAIN.md; they are the single source of truth (configs/templates/ is generated from
them by sample_data/generate.py, with the source path pointed at the sample data).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import typer

from funnelctl.commands.yaml_text import yaml_quoted
from funnelctl.errors import UsageError
from funnelctl.stdout import write_stdout

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
# The one `path:` line of a template's source (each template has exactly one source).
PATH_LINE = re.compile(r"^(?P<lead>\s+path:\s*)(?P<path>[^#\s]+)(?P<rest>.*)$", re.MULTILINE)


def template_names() -> list[str]:
    return sorted(p.stem for p in TEMPLATES_DIR.glob("*.yaml"))


def template_text(name: str) -> str:
    names = template_names()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise UsageError(f"--template: no template '{name}'{hint} (templates: "
                         f"{', '.join(names)}; see `funnelctl templates`)")
    return (TEMPLATES_DIR / f"{name}.yaml").read_text(encoding="utf-8")


def template_summary(name: str) -> dict:
    """Title, source kind and stage names of a template, for the listing."""
    import yaml  # here, not at the top: `funnelctl --help` stays quick

    data = yaml.safe_load(template_text(name))
    funnel = data["funnels"][0]
    kind = data["sources"][funnel["source"]]["kind"]
    return {"name": name, "title": data["title"], "kind": kind,
            "stages": [s["name"] for s in funnel["stages"]]}


def with_data_path(text: str, data_path: str) -> str:
    """The template with its source's path replaced (quoted for YAML), comment kept."""
    return PATH_LINE.sub(lambda m: f"{m['lead']}{yaml_quoted(data_path)}{m['rest']}", text,
                         count=1)


def starter_config(name: str, data: Path | None, output: Path | None) -> str:
    """The text `init --template` writes; a data path is made relative to the output."""
    text = template_text(name)
    if data is None:
        return text
    base = output.resolve().parent if output else Path.cwd()
    return with_data_path(text, Path(os.path.relpath(data.resolve(), base)).as_posix())


def list_templates() -> None:
    """List the starter configs `funnelctl init --template NAME` can write."""
    lines = []
    for name in template_names():
        info = template_summary(name)
        lines += [f"{name:<16} {info['title']}  [{info['kind']}]\n",
                  f"{'':<16} {' -> '.join(info['stages'])}\n"]
    write_stdout("".join(lines))


def run_init(template: str | None, from_export: Path | None, output: Path, data: Path | None,
             force: bool) -> None:
    """Write a starter config to edit: from a stage template or from a CRM export."""
    if (from_export is None) == (template is None):
        raise UsageError("give one of --template NAME (see `funnelctl templates`) or "
                         "--from-export FILE")
    to_stdout = str(output) == "-"
    if not to_stdout and output.exists() and not force:  # before the work, not after it
        raise UsageError(f"{output}: already exists (use --force to overwrite)")
    if from_export is not None:
        from funnelctl.commands.init_export import config_from_export

        text, to_check = config_from_export(from_export, Path("funnelctl.yaml") if to_stdout
                                            else output)
    else:
        if data is not None and not data.exists():
            raise UsageError(f"--data {data}: file not found (the config would point "
                             "at nothing)")
        text = starter_config(template, data, None if to_stdout else output)
        to_check = "the stage values and their order"
    if to_stdout:
        write_stdout(text)
        return
    from funnelctl.io.output import write_atomically

    write_atomically(output, text)
    what = f"template '{template}'" if template else f"from {from_export.name}"
    typer.echo(f"wrote {output} ({what}): check the source path, {to_check}, then run "
               f"`funnelctl validate {output}`", err=True)
