"""`history:` in the config: the run-history store and what its recent runs call normal.

`history: reports/history.db` is enough; the mapping form sets the anomaly rule too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from funnelctl.config.base import Model, not_above


class Anomaly(Model):
    """A stage's conversion is anomalous when it falls outside the band its recent runs
    make normal. wilson: the Wilson interval (at z) around the pooled conversion of the
    last `runs` runs, for this run's number of trials. sigma: the mean of those runs'
    conversions plus or minus z standard deviations."""

    runs: int = Field(default=7, ge=2, le=365)  # how many earlier runs make "normal"
    min_runs: int = Field(default=3, ge=2)  # fewer recorded runs: no anomaly check
    rule: Literal["wilson", "sigma"] = "wilson"
    z: float = Field(default=3.0, gt=0, le=10)

    @model_validator(mode="after")
    def _enough_runs(self) -> Anomaly:
        not_above(self, "min_runs", "runs")
        return self


class History(Model):
    path: Path  # relative to the config file, like the sources
    anomaly: Anomaly | None = Field(default_factory=Anomaly)  # null: no anomaly findings

    @model_validator(mode="before")
    @classmethod
    def _path_alone(cls, data: Any) -> Any:
        return {"path": data} if isinstance(data, str) else data
