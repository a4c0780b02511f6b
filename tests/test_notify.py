"""notify: delivery to a real SMTP server and a webhook on localhost, started by the tests;
what arrived (subject, body, attachment, JSON payload) in both languages; when a message
is sent (notify_on); a failed delivery keeps the report and says so with exit code 3."""

from __future__ import annotations

import base64
import email
import json
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup

from funnelctl.notify import should_send
from tests.conftest import write_csv

HEADER = ["Id", "Stage", "Created"]
CONFIG = """
version: 1
title: Nightly audit
sources:
  deals: {path: deals.csv, kind: deals, columns: {deal_id: Id, stage: Stage, created_at: Created}}
funnels:
  - name: Main
    source: deals
    stages: [{name: Lead}, {name: STAGE_B, conversion: {good: 0.6, acceptable: 0.5}}]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    """A real SMTP server on localhost; yields (mailbox, apprise URL)."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    url = (f"mailto://127.0.0.1:{port}?from=funnelctl@example.com&to=head@example.com"
           "&mode=insecure")
    yield box, url
    controller.stop()


@pytest.fixture
def webhook():
    """An HTTP endpoint on localhost that keeps every JSON body posted to it."""
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received, f"json://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def project(tmp_path):
    """write(at_b, of=10, notify=..., stage=...) -> config: `of` deals on 2024-03-01,
    `at_b` of them at the second stage (40 of 100 = 40%: FAIL; 55 of 100: WARN); a
    stage needs 30 deals before it for a verdict (min_sample)."""

    def _write(at_b: int, of: int = 100, notify: str = "", stage: str = "Offer",
               history: bool = False) -> object:
        rows = [[f"d{i}", stage if i < at_b else "Lead", "2024-03-01"] for i in range(of)]
        write_csv(tmp_path / "deals.csv", HEADER, rows)
        text = CONFIG.replace("STAGE_B", json.dumps(stage, ensure_ascii=False)) + notify
        if history:
            text += "history: history.db\n"
        config = tmp_path / "audit.yaml"
        config.write_text(text, encoding="utf-8")
        return config

    return _write


DAY = ["--period", "2024-03-01..2024-03-01"]


def test_email_arrives_with_verdict_findings_and_the_html_report(cli, smtp, project, tmp_path,
                                                               monkeypatch):
    box, url = smtp
    monkeypatch.setenv("FUNNELCTL_SMTP_URL", url)
    config = project(40, notify="notify:\n  - {url_env: FUNNELCTL_SMTP_URL, notify_on: warn}\n")
    result = cli("audit", config, *DAY, "--output", tmp_path / "out" / "{period}.html")
    assert result.exit_code == 1, result.stderr  # FAIL, and the message went out
    assert (tmp_path / "out" / "2024-03-01.html").is_file()
    assert "funnelctl: sent to notify[0] ($FUNNELCTL_SMTP_URL)" in result.stderr
    (mail,) = box.messages
    assert mail["Subject"] == "Nightly audit: ✗ FAIL (2024-03-01)"
    assert mail["To"] == "head@example.com"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Verdict: ✗ FAIL" in text
    assert "Main / Offer: conversion into 'Offer' is 40.0%" in text
    (page,) = list(mail.iter_attachments())
    assert page.get_filename() == "funnelctl-2024-03-01.html"
    html = BeautifulSoup(page.get_content(), "html.parser")
    assert html.html["lang"] == "en"
    assert "Main" in html.get_text() and "FAIL" in html.get_text()


def test_webhook_gets_the_message_in_russian_with_the_attachment(cli, webhook, project):
    received, url = webhook
    config = project(40)
    result = cli("audit", config, *DAY, "--notify", url, "--lang", "ru", "--quiet")
    assert result.exit_code == 1 and result.stderr == ""
    (payload,) = received
    assert payload["title"] == "Nightly audit: ✗ ПЛОХО (2024-03-01)"
    assert "Итог: ✗ ПЛОХО" in payload["message"]
    assert "конверсия в «Offer» 40,0%" in payload["message"]
    (attached,) = payload["attachments"]
    assert attached["filename"] == "funnelctl-2024-03-01.html"
    page = BeautifulSoup(base64.b64decode(attached["base64"]).decode("utf-8"), "html.parser")
    assert page.html["lang"] == "ru"


def test_names_from_the_data_are_sent_as_they_are(cli, webhook, project):
    received, url = webhook
    stage = "<b>Offer</b> \\n ${HOME} =1+1"
    cli("audit", project(40, stage=stage), *DAY, "--notify", url, "--quiet")
    assert f"conversion into '{stage}' is 40.0%" in received[0]["message"]


def test_notify_on_decides_when_to_send(cli, webhook, project):
    received, url = webhook
    warn_day = project(55)  # 55%: WARN
    cli("audit", warn_day, *DAY, "--notify", url, "--notify-on", "fail", "--quiet")
    assert received == []
    cli("audit", warn_day, *DAY, "--notify", url, "--notify-on", "warn", "--quiet")
    cli("audit", warn_day, *DAY, "--notify", url, "--notify-on", "always", "--quiet")
    assert len(received) == 2


def test_notify_on_change_sends_when_the_verdict_differs_from_the_last_run(cli, webhook,
                                                                           project):
    received, url = webhook
    target = f"notify:\n  - {{url: '{url}', notify_on: change}}\n"
    args = ["audit", project(40, notify=target, history=True), *DAY, "--quiet"]
    cli(*args)  # first run: nothing recorded before, so a change
    cli(*args)  # FAIL again
    project(55, notify=target, history=True)
    cli(*args)  # now WARN
    assert [p["title"].split(": ")[1] for p in received] == ["✗ FAIL (2024-03-01)",
                                                              "! WARN (2024-03-01)"]


def test_should_send_rules():
    assert should_send("warn", "warn", None) and should_send("warn", "fail", None)
    assert not should_send("warn", "ok", None)
    assert should_send("fail", "fail", "fail") and not should_send("fail", "warn", None)
    assert should_send("always", "ok", "ok")
    assert should_send("change", "ok", None) and should_send("change", "ok", "warn")
    assert not should_send("change", "warn", "warn")


def test_a_failed_delivery_keeps_the_report_and_exits_3(cli, project, tmp_path):
    dead = f"json://127.0.0.1:{free_port()}/hook"  # nothing listens there
    config = project(40)
    result = cli("audit", config, *DAY, "--notify", dead, "--output", tmp_path / "r.json",
                 "--format", "json", "--quiet")
    assert result.exit_code == 3
    assert json.loads((tmp_path / "r.json").read_text())["verdict"] == "fail"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("funnelctl: delivery failed: --notify #1 (json://…): ")


def test_a_missing_environment_variable_is_a_failed_delivery(cli, project, tmp_path,
                                                             monkeypatch):
    monkeypatch.delenv("FUNNELCTL_NO_SUCH_URL", raising=False)
    config = project(40, notify="notify:\n  - {url: 'tgram://${FUNNELCTL_NO_SUCH_URL}/1'}\n")
    result = cli("audit", config, *DAY, "--output", tmp_path / "r.md", "--format", "markdown")
    assert result.exit_code == 3 and (tmp_path / "r.md").is_file()
    assert result.stderr.strip().splitlines()[-1] == (
        "funnelctl: delivery failed: notify[0] (tgram://…): environment variable "
        "FUNNELCTL_NO_SUCH_URL is not set")


def test_secrets_written_in_the_config_are_refused(cli, project):
    config = project(40, notify="notify:\n  - {url: 'mailto://me:hunter2@mail.example.com'}\n")
    result = cli("audit", config)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "audit.yaml:11: notify.0.url: the URL has a password written in the config" \
        in result.stderr
    assert "hunter2" not in result.stderr


def test_change_needs_history(cli, project):
    config = project(40, notify="notify:\n  - {url_env: X_URL, notify_on: change}\n")
    result = cli("audit", config)
    assert result.exit_code == 2 and "notify_on: change compares the verdict" in result.stderr
