"""How sure a number must be before the report judges it: the statistics settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from funnelctl.config.base import Model, not_above

# Entered into the previous stage before a stage's conversion gets a verdict.
DEFAULT_MIN_SAMPLE = 30
Correction = Literal["holm", "bh", "none"]


class Significance(Model):
    """Segment and period tests: the level, the multiple-testing correction (Holm controls
    the chance of any false alarm, BH the share of false alarms among those raised), and
    the size below which a segment is listed but not tested."""

    level: float = Field(default=0.05, gt=0, lt=1)
    correction: Correction = "holm"
    min_segment: int = Field(default=30, ge=1)


class DataQualityLimits(Model):
    """Share of a source's rows that are unreadable: above `warn` its findings are low
    confidence and rows_rejected is a warning; at `fail` and above rows_rejected fails."""

    warn: float = Field(default=0.01, ge=0, le=1)
    fail: float = Field(default=0.2, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> DataQualityLimits:
        not_above(self, "warn", "fail")
        return self
