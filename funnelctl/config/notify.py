"""`notify:` in the config: where a finished report is sent, and when.

Secrets never live in the file: a target names the environment variable that holds its
URL (`url_env:`), or writes the URL with `${VAR}` parts that are read from the
environment only when the report is sent.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import field_validator, model_validator

from funnelctl.config.base import Model

NotifyOn = Literal["fail", "warn", "always", "change"]
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ENV_REFERENCE = re.compile(r"\$\{([^}]*)\}")


class NotifyTarget(Model):
    """One channel in apprise's URL format (mailto://, tgram://, slack://, json://...)."""

    url: str | None = None  # may hold ${VAR} references, expanded from the environment
    url_env: str | None = None  # the environment variable that holds the whole URL
    notify_on: NotifyOn = "warn"

    @field_validator("url_env")
    @classmethod
    def _env_name(cls, v: str | None) -> str | None:
        if v is not None and not ENV_NAME.match(v):
            raise ValueError(f"'{v}' is not an environment variable name (letters, digits, _)")
        return v

    @field_validator("url")
    @classmethod
    def _no_secret_in_file(cls, v: str | None) -> str | None:
        if v is None:
            return v
        for name in ENV_REFERENCE.findall(v):
            if not ENV_NAME.match(name):
                raise ValueError(f"'${{{name}}}' is not an environment variable reference")
        if literal_password(v):
            raise ValueError("the URL has a password written in the config: put it in an "
                             "environment variable and write ${VAR} (or use url_env)")
        return v

    @model_validator(mode="after")
    def _one_source(self) -> NotifyTarget:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url (with ${VAR} for secrets) or url_env")
        return self

    def describe(self) -> str:
        """How the target is named in messages: never the expanded URL (it holds secrets)."""
        if self.url_env:
            return f"${self.url_env}"
        return self.url.split("://", 1)[0] + "://…"


def literal_password(url: str) -> bool:
    """A user:password@ part whose password is not a ${VAR} reference."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return False
    return bool(password) and not ENV_REFERENCE.fullmatch(password)
