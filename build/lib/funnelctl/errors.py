"""Errors a user can act on. The CLI turns every FunnelctlError into exit code 2."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """0: verdict below --fail-on; 1: findings at or above it; 2: the audit could not run."""

    OK = 0
    FINDINGS = 1
    ERROR = 2


class FunnelctlError(Exception):
    """Base of every error that is the input's fault, not the program's."""


class ConfigError(FunnelctlError):
    """The YAML config is missing, malformed or inconsistent."""


class DataError(FunnelctlError):
    """A data file is missing, unreadable, or lacks what the config maps."""


class UsageError(FunnelctlError):
    """A command-line option has a value that cannot be used."""
