"""Running one parameterised statement on ClickHouse: a server over HTTP(S) (the standard
library's urllib: no extra package) or chdb in process (imported only when used).

Every failure becomes one DataError line naming the source and the address, never the
credentials: unreachable, refused login, a missing table or column, a timeout."""

from __future__ import annotations

import base64
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from funnelctl.config.engine import CHDB
from funnelctl.config.events import parse_duration
from funnelctl.errors import DataError

DEFAULT_TIMEOUT = 300  # seconds
# Query parameters in every clause, and arrayFold with the accumulator first (23.10).
MIN_VERSION = (23, 10)
_SESSIONS: dict[str, Any] = {}  # chdb: one session per database folder (chdb allows one)


@dataclass
class Connection:
    source: str  # the source's name in the config
    url: str
    database: str = ""
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: int = DEFAULT_TIMEOUT
    version: str | None = None  # the server's, once asked

    @property
    def in_process(self) -> bool:
        return self.url.startswith(CHDB)

    def where(self) -> str:
        """The address as shown in messages and reports (never credentials)."""
        return self.url

    def fail(self, what: str) -> DataError:
        return DataError(f"source '{self.source}' ({self.where()}): {what}")

    def query(self, sql: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Rows of the result as dicts (JSON format: numbers as numbers)."""
        if params and not self.in_process and self.version is None:
            self.check_version()
        text = self._run_chdb(sql, params) if self.in_process else self._run_http(sql, params)
        try:
            return json.loads(text)["data"] if text.strip() else []
        except (ValueError, KeyError):
            raise self.fail(f"unexpected answer: {text[:200]!r}") from None

    def check_version(self) -> None:
        """A server too old for the SQL is one clear error, not a syntax error later."""
        rows = json.loads(self._run_http("SELECT version() AS v", {}) or "{}").get("data", [])
        self.version = str(rows[0]["v"]) if rows else "?"
        try:
            found = tuple(int(part) for part in self.version.split(".")[:2])
        except ValueError:
            return
        if found < MIN_VERSION:
            need = ".".join(map(str, MIN_VERSION))
            raise self.fail(f"ClickHouse {self.version} is too old: engine: clickhouse needs "
                            f"{need} or later (query parameters, arrayFold)")

    def _run_http(self, sql: str, params: dict[str, str]) -> str:
        query = {"default_format": "JSON", "output_format_json_quote_64bit_integers": "0",
                 "output_format_json_quote_denormals": "0",
                 "max_execution_time": str(self.timeout),
                 **({"database": self.database} if self.database else {}),
                 **{f"param_{k}": v for k, v in params.items()}}
        base = self.url.split("?", 1)[0]
        parts = urllib.parse.urlsplit(base)
        endpoint = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        request = urllib.request.Request(
            endpoint + "?" + urllib.parse.urlencode(query), data=sql.encode(), method="POST")
        if self.user is not None or self.password is not None:
            token = f"{self.user or 'default'}:{self.password or ''}".encode()
            request.add_header("Authorization", "Basic " + base64.b64encode(token).decode())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout + 5) as answer:
                return answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            raise self.fail(server_message(exc.code, body)) from None
        except TimeoutError:
            raise self.fail(f"no answer within {self.timeout} s (timeout:)") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise self.fail(f"no answer within {self.timeout} s (timeout:)") from None
            raise self.fail(f"cannot reach the server: {reason}") from None
        except OSError as exc:
            raise self.fail(f"cannot reach the server: {exc}") from None

    def _run_chdb(self, sql: str, params: dict[str, str]) -> str:
        try:
            import chdb
        except ImportError:
            raise self.fail("url: chdb: needs the chdb package: pip install "
                            "'funnelctl[chdb]' (or pip install chdb)") from None
        folder = self.url[len(CHDB):]
        try:
            if folder:
                from chdb import session

                if not os.path.isdir(folder):
                    raise self.fail(f"no chdb database folder at {folder}")
                current = _SESSIONS.get(folder)
                if current is None:
                    close_sessions()  # chdb keeps one session at a time
                    current = _SESSIONS[folder] = session.Session(folder)
                result = current.query(sql, "JSON", params=params)
            else:
                close_sessions()  # chdb runs in memory or on one folder at a time
                result = chdb.query(sql, "JSON", params=params)
        except DataError:
            raise
        except Exception as exc:  # chdb raises its own error type with the server's text
            raise self.fail(server_message(None, str(exc))) from None
        return result.data() if hasattr(result, "data") else str(result)


def close_sessions() -> None:
    """Close the chdb database folders this process opened."""
    for folder in list(_SESSIONS):
        _SESSIONS.pop(folder).close()


def server_message(status: int | None, body: str) -> str:
    """One line from ClickHouse's error text: its code and message, without the stack."""
    text = " ".join(body.split())
    for marker in (", Stack trace", " Stack trace", " (version "):
        text = text.split(marker, 1)[0]
    refused = ("Code: 516", "Code: 192", "Code: 193", "Authentication failed", "Wrong password",
               "Unknown user")
    if status in (401, 403) or any(marker in text for marker in refused):
        return f"the server refused the login (user_env / password_env): {text[:300]}"
    return text[:400] or f"HTTP {status}"


def connect(name: str, source: Any) -> Connection:
    """The connection of a source with engine: clickhouse; credentials from the
    environment variables it names (a named variable that is unset is an error)."""
    user = password = None
    for key in ("user_env", "password_env"):
        variable = getattr(source, key)
        if variable is not None:
            value = os.environ.get(variable)
            if value is None:
                raise DataError(f"source '{name}' ({source.url}): {key}: environment variable "
                                f"{variable} is not set")
            if key == "user_env":
                user = value
            else:
                password = value
    database = ""
    if not source.url.startswith(CHDB):
        database = urllib.parse.unquote(urllib.parse.urlsplit(source.url).path.strip("/"))
    timeout = parse_duration(source.timeout) if source.timeout else DEFAULT_TIMEOUT
    return Connection(name, source.url, database, user, password, timeout)
