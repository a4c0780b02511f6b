"""The command line: parse options, call the library, render, map errors to exit codes.

Heavy imports (polars, the audit itself) happen inside commands so `--help` is quick.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from funnelctl import __version__
from funnelctl.cli_runtime import (
    freeze_imports,
    handled_errors,
    progress,
    tune_runtime,
    use_color,
)
from funnelctl.errors import ExitCode, visible
from funnelctl.io.output import signals_raise
from funnelctl.render import RENDERERS
from funnelctl.stdout import write_stdout

app = typer.Typer(
    help="Audit sales funnels and manager activity norms from CRM exports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion, --show-completion (shell completion)
    # Plain help text: Rich's help formatting alone (markdown-it, layout) costs ~0.1 s.
    rich_markup_mode=None,
)

Format = Enum("Format", {name: name for name in RENDERERS}, type=str)


class Lang(str, Enum):
    en = "en"
    ru = "ru"


class Compare(str, Enum):
    previous = "previous"
    last_run = "last-run"


class NotifyOn(str, Enum):
    fail = "fail"
    warn = "warn"
    always = "always"
    change = "change"


class FailOn(str, Enum):
    warn = "warn"
    fail = "fail"
    never = "never"


Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]
# readable=False: the config loader checks the file and names the problem in its own words.
ConfigArg = Annotated[Path, typer.Argument(help="The funnelctl YAML config.", show_default=False,
                                           readable=False)]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"funnelctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Audit sales funnels and manager activity norms from CRM exports."""


@app.command()
def audit(
    config: ConfigArg,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = "table",
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Write the report to this file instead of stdout; {date} and "
                               "{period} are filled in, missing folders are created.")] = None,
    period: Annotated[str | None, typer.Option(
        help="START..END (inclusive dates) or yesterday, last-7-days, last-week, "
             "this-month, last-month.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Resolve relative periods against this date (default: today in "
                        "the config's time zone).")] = None,
    compare: Annotated[Compare | None, typer.Option(
        "--compare", help="previous: also audit the period of the same length just before; "
                          "last-run: compare with the last run in the config's history. "
                          "Flags what got significantly worse.")] = None,
    since_snapshot: Annotated[str | None, typer.Option(
        "--since-snapshot", help="An older export of the config's deals source (PATH, or "
                                 "SOURCE=PATH when it has several): adds the pipeline "
                                 "waterfall from that export to the current one.")] = None,
    lang: Annotated[Lang | None, typer.Option(
        "--lang", help="Report language (default: the config's `language:`, else en).")] = None,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help="Exit 1 when the verdict is at or above this level.")] = FailOn.fail,
    rejects: Annotated[Path | None, typer.Option(
        "--rejects", help="Write the rows the audit could not use (source, line, reason, "
                          "value) to this CSV file.")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print nothing but errors (the exit code still tells).")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Print the SQL (engine: clickhouse) or the Polars plan each funnel "
                          "runs, and stop: nothing is audited.")] = False,
    notify: Annotated[list[str] | None, typer.Option(
        "--notify", help="Also send the report to this apprise URL (mailto://, tgram://, "
                         "json://...); ${VAR} is read from the environment. Repeatable.")]
    = None,
    notify_on: Annotated[NotifyOn, typer.Option(
        "--notify-on", help="When the --notify URLs are sent to.")] = NotifyOn.warn,
    debug: Debug = False,
) -> None:
    """Audit the funnels and norms a config describes; exit 0 ok, 1 findings, 2 error,
    3 the report was written but a notification could not be delivered."""
    with handled_errors(debug):
        from funnelctl.audit.pipeline import audit as run_audit
        from funnelctl.checks import exit_code
        from funnelctl.config import load_config
        from funnelctl.metrics.periods import parse_date
        from funnelctl.render import RenderOptions, rendered_output

        freeze_imports()
        output = None if output == "-" else output
        as_of_date = parse_date(as_of, "--as-of") if as_of else None
        with signals_raise():
            settings = load_config(config)
            if explain:
                from funnelctl.audit.explain import explain as explain_audit

                write_stdout(explain_audit(settings, period, as_of_date))
                raise typer.Exit(0)
            inputs = check_targets(config, settings, output, rejects, period, as_of_date,
                                   since_snapshot)
            with progress("Auditing", enabled=not quiet):
                report = run_audit(config, period=period, as_of=as_of_date,
                                   rejects_path=rejects,
                                   compare=Compare(compare).value if compare else None,
                                   config=settings, since_snapshot=since_snapshot)
            fmt = Format(format).value
            color = use_color(output)
            # In a terminal use its width; in files and pipes a fixed, readable one.
            width = None if color else 110
            language = Lang(lang).value if lang else report.language
            text = rendered_output(fmt, report, RenderOptions(color=color, width=width,
                                                              lang=language))
            if output is not None:
                write_report(output, report, text, quiet, inputs)
            elif not quiet:
                write_stdout(text)
            # The report is out first: a delivery that fails cannot lose it.
            undelivered = notify_report(settings, report, notify or [],
                                        NotifyOn(notify_on).value, language, quiet)
    if undelivered:
        raise typer.Exit(ExitCode.DELIVERY)
    raise typer.Exit(exit_code(report.verdict, FailOn(fail_on).value))


def check_targets(config: Path, settings, output: str | None, rejects: Path | None,
                  period: str | None, as_of, since_snapshot: str | None = None) -> list:
    """Refuse --output / --rejects over an input, a device, a FIFO or a folder before
    anything is written; returns the audit's inputs for the check after the audit."""
    if output is None and rejects is None:
        return []
    from funnelctl.audit.pipeline import choose_period
    from funnelctl.io.output import audit_inputs, check_outputs, output_path
    from funnelctl.metrics.periods import today_in

    inputs = audit_inputs(config, settings.sources)
    if since_snapshot:  # the older export is an input too: never written over
        from funnelctl.audit.waterfall import resolve_since

        inputs.append(("the older export (--since-snapshot)",
                       resolve_since(settings, since_snapshot, config).path))
    as_of = as_of or today_in(settings.timezone)
    dates = choose_period(settings, period, as_of)
    check_outputs(output_path(output, as_of, dates.start, dates.end) if output else None,
                  rejects, inputs)
    return inputs


def notify_report(settings, report, urls: list[str], notify_on: str, lang: str,
                  quiet: bool) -> bool:
    """Send the report where the config's notify: and --notify say; True if any failed."""
    if not settings.notify and not urls:
        return False  # nothing to send: the notifier and its labels are not even imported
    from funnelctl.notify import notify_all

    sent, errors = notify_all(report, settings.notify, urls, notify_on, lang)
    for name in sent if not quiet else []:
        typer.echo(f"funnelctl: sent to {name}", err=True)
    for line in errors:
        typer.echo(f"funnelctl: delivery failed: {line}", err=True)
    return bool(errors)


def write_report(template: str, report, text: str | bytes, quiet: bool, inputs: list) -> None:
    from funnelctl.io.output import check_target, output_path, write_atomically

    path = output_path(template, report.period.as_of, report.period.start, report.period.end)
    check_target(path, "--output", inputs)
    write_atomically(path, text)
    if not quiet:
        typer.echo(f"funnelctl: wrote {path} (verdict: {report.verdict})", err=True)


@app.command()
def validate(config: ConfigArg, debug: Debug = False) -> None:
    """Check the config, the data files' headers and the stage names, without metrics.

    Exits 1 when a stage value in the config is in no row but one in the data looks
    like it (a typo that would move deals out of the funnel), 2 on errors (a data file
    the audit could not read, such as a header without rows, included)."""
    with handled_errors(debug):
        from funnelctl.commands.validate import validate as run_validate

        result = run_validate(config)
        write_stdout("".join(visible(line, keep="\n") + "\n" for line in result.lines))
    if result.errors:
        raise typer.Exit(ExitCode.ERROR)
    if result.problems:
        raise typer.Exit(ExitCode.FINDINGS)


class HistoryFormat(str, Enum):
    table = "table"
    json = "json"
    html = "html"


@app.command()
def history(
    config: ConfigArg,
    format: Annotated[HistoryFormat, typer.Option("--format", "-f")] = HistoryFormat.table,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.")] = None,
    last: Annotated[int | None, typer.Option(
        "--last", min=1, help="Only the latest N runs.")] = None,
    lang: Annotated[Lang | None, typer.Option("--lang", help="Labels' language.")] = None,
    debug: Debug = False,
) -> None:
    """The trend of each stage's conversion and each manager's good-day share over the runs
    recorded in the config's history."""
    with handled_errors(debug):
        from funnelctl.commands.history import load_trend
        from funnelctl.io.output import write_atomically
        from funnelctl.render.trend import render_trend

        trend = load_trend(config, last)
        color = use_color(output)
        text = render_trend(trend, HistoryFormat(format).value,
                            Lang(lang).value if lang else trend.language, color)
        if output is None:
            write_stdout(text)  # a full disk is a named error, a closed pipe a quiet exit
        else:
            write_atomically(output, text)


class InspectFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="A CRM export: CSV, XLSX, or Bitrix24 .xls.",
                                         show_default=False)],
    encoding: Annotated[str | None, typer.Option(help="Read with this encoding.")] = None,
    separator: Annotated[str | None, typer.Option(help="Read with this separator.")] = None,
    format: Annotated[InspectFormat, typer.Option("--format", "-f")] = InspectFormat.table,
    debug: Debug = False,
) -> None:
    """Show how funnelctl reads an export: encoding, separator, columns, preset, stages."""
    with handled_errors(debug):
        import json

        from funnelctl.commands.inspect import inspect_file, render_text
        from funnelctl.errors import UsageError

        if separator is not None and len(separator) != 1:
            raise UsageError(f"--separator must be one character, got {separator!r}")
        result = inspect_file(file, encoding, separator)
        if InspectFormat(format) is InspectFormat.json:
            write_stdout(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            write_stdout(visible(render_text(result), keep="\n"))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the config format (for editors and CI)."""
    with handled_errors(debug=False):
        import json

        from funnelctl.config import json_schema

        write_stdout(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")


@app.command()
def templates() -> None:
    """List the starter configs `funnelctl init --template NAME` can write."""
    with handled_errors(debug=False):
        from funnelctl.commands.init import list_templates

        list_templates()


@app.command()
def init(
    template: Annotated[str | None, typer.Option(
        help="Write the starter config of this template (see `funnelctl templates`).")] = None,
    from_export: Annotated[Path | None, typer.Option(
        "--from-export", help="Write a starter config from a CRM export.")] = None,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Where to write the config ('-' for stdout).")] = Path(
        "funnelctl.yaml"),
    data: Annotated[Path | None, typer.Option(
        help="Point the config's source at this data file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")]
    = False,
    debug: Debug = False,
) -> None:
    """Write a starter config to edit: from a stage template or from a CRM export."""
    with handled_errors(debug):
        from funnelctl.commands.init import run_init

        with signals_raise():
            run_init(template, from_export, output, data, force)


def main() -> None:
    tune_runtime()
    app()


if __name__ == "__main__":
    main()
