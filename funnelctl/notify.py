"""Delivery of a finished report: e-mail, Telegram, Slack, Teams, webhooks... via apprise.

apprise takes one URL format for every channel (`mailto://`, `tgram://`, `slack://`,
`msteams://`, `json://` ...). It is imported only when a message is sent: its import takes
0.2-0.3 s, which `funnelctl --help` and runs without `notify:` skip.

Each message carries the verdict, the period and the top findings in the report's
language, as plain text (nothing in a stage or manager name is read as markup or an
escape), and the HTML report as an attachment where the channel takes attachments.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from funnelctl.config.notify import ENV_REFERENCE, NotifyTarget
from funnelctl.plural import plural
from funnelctl.render.fmt import Fmt
from funnelctl.render.labels import VERDICT_SYMBOL, finding_message, labels
from funnelctl.report import SEVERITY_RANK, Report

TOP_FINDINGS = 5  # a message is read on a phone: the worst few, the rest are in the report


@dataclass(frozen=True)
class Channel:
    name: str  # how messages name it: never the URL, which may hold a token
    url: str | None  # None: it could not be built (error says why)
    notify_on: str
    error: str | None = None


class DeliveryError(Exception):
    """A message that could not be delivered; the text names the channel, not its URL."""


def channels(targets: list[NotifyTarget], cli_urls: list[str], cli_notify_on: str,
             environ: Mapping[str, str] | None = None) -> list[Channel]:
    """The config's targets, then the --notify URLs, with ${VAR} read from the environment."""
    environ = os.environ if environ is None else environ
    out = []
    for i, target in enumerate(targets):
        name = f"notify[{i}] ({target.describe()})"
        out.append(_channel(name, target.url, target.url_env, target.notify_on, environ))
    for i, url in enumerate(cli_urls):
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        out.append(_channel(f"--notify #{i + 1} ({scheme}://…)", url, None, cli_notify_on,
                            environ))
    return out


def _channel(name: str, url: str | None, url_env: str | None, notify_on: str,
             environ: Mapping[str, str]) -> Channel:
    if url_env is not None:
        value = environ.get(url_env, "")
        if not value:
            return Channel(name, None, notify_on, f"environment variable {url_env} is not set")
        return Channel(name, value, notify_on)
    missing = [v for v in ENV_REFERENCE.findall(url) if not environ.get(v)]
    if missing:
        return Channel(name, None, notify_on, "environment variable "
                       f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set")
    return Channel(name, ENV_REFERENCE.sub(lambda m: environ[m.group(1)], url), notify_on)


def notify_all(report: Report, targets: list[NotifyTarget], urls: list[str], notify_on: str,
               lang: str) -> tuple[list[str], list[str]]:
    """The config's targets and the --notify URLs: (sent to, errors)."""
    chosen = channels(targets, urls, notify_on)
    return deliver(report, chosen, lang) if chosen else ([], [])


def deliver(report: Report, chosen: list[Channel], lang: str) -> tuple[list[str], list[str]]:
    """Send the report to every channel whose notify_on says so: (sent to, errors).

    The HTML report is rendered once into a temporary folder, attached, and removed.
    """
    due = [c for c in chosen if should_send(c.notify_on, report.verdict, report.last_run_verdict)]
    if not due:
        return [], []
    from funnelctl.history import period_key
    from funnelctl.render import RenderOptions, renderer

    title, body = message(report, lang)
    sent, errors = [], []
    with tempfile.TemporaryDirectory(prefix="funnelctl-") as folder:
        page = Path(folder) / f"funnelctl-{period_key(report.period.start, report.period.end)}.html"
        page.write_text(renderer("html")(report, RenderOptions(lang=lang)), encoding="utf-8")
        for channel in due:
            error = send_one(channel, title, body, page)
            (errors if error else sent).append(error or channel.name)
    return sent, errors


def send_one(channel: Channel, title: str, body: str, attachment: Path | None) -> str | None:
    """None when sent, else the one-line reason."""
    try:
        send(channel, title, body, attachment)
    except DeliveryError as exc:
        return str(exc)
    return None


def should_send(notify_on: str, verdict: str, last_verdict: str | None) -> bool:
    """fail: a failing verdict; warn: warn or fail; always; change: the verdict differs
    from the last recorded run's (a first run, with nothing recorded, is a change)."""
    if notify_on == "always":
        return True
    if notify_on == "change":
        return verdict != last_verdict
    return SEVERITY_RANK[verdict] >= SEVERITY_RANK[notify_on]


def message(report: Report, lang: str) -> tuple[str, str]:
    """(title, body) in the report's language, plain text."""
    t, f = labels(lang), Fmt(lang)
    verdict = f"{VERDICT_SYMBOL[report.verdict]} {t[report.verdict]}"
    period = f.period(report.period.start, report.period.end, t["all_data"])
    title = f"{report.title}: {verdict} ({period})"
    lines = [f"{t['verdict']}: {verdict}", f"{t['period']}: {period}", ""]
    shown = [x for x in report.findings if x.severity != "ok"][:TOP_FINDINGS]
    lines += [f"{VERDICT_SYMBOL[x.severity]} {t[x.severity]} · {x.subject}: "
              f"{finding_message(x, lang, f)}" for x in shown]
    if not shown:
        lines.append(t["no_findings"])
    rest = sum(x.severity != "ok" for x in report.findings) - len(shown)
    if rest > 0:
        lines.append(plural(rest, t["notify_more"]).format(n=rest))
    return title, "\n".join(lines)


def send(channel: Channel, title: str, body: str, attachment: Path | None) -> None:
    """Send one message; raise DeliveryError with apprise's reason when it is not sent."""
    if channel.url is None:
        raise DeliveryError(f"{channel.name}: {channel.error}")
    import logging

    import apprise

    sender = apprise.Apprise()
    if not sender.add(channel.url):
        raise DeliveryError(f"{channel.name}: not a notification URL apprise understands "
                            "(see its list of services)")
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
        sent = sender.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT,
                             attach=str(attachment) if attachment else None,
                             interpret_escapes=False)
    if not sent:
        reasons = [line for line in log.getvalue().splitlines() if line.strip()]
        raise DeliveryError(f"{channel.name}: not delivered: "
                            f"{reasons[-1] if reasons else 'the service refused the message'}")
