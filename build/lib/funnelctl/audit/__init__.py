"""The audit pipeline: config -> read -> metrics -> checks -> Report, one module per funnel
kind (deals, history, events) and norms, joined by pipeline.py.

`audit` here is the library entry point. It imports the pipeline (and polars) only when
called, so that importing funnelctl stays cheap for `funnelctl --help`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from funnelctl.report import Report


def audit(config_path, **options) -> Report:
    """Audit the funnels and norms of a config; the options are those of pipeline.audit."""
    from funnelctl.audit.pipeline import audit as run

    return run(config_path, **options)
