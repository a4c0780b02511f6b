"""The config: pydantic models of the YAML (models, events, norms), the cross-reference
checks, and loading with file:line errors. The names most callers need are re-exported."""

from funnelctl.config.loading import json_schema, load_config, parse_config
from funnelctl.config.models import (
    Config,
    CsvOptions,
    Funnel,
    Source,
    Stage,
    Threshold,
)

__all__ = ["Config", "CsvOptions", "Funnel", "Source", "Stage", "Threshold", "json_schema",
           "load_config", "parse_config"]
