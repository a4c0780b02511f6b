"""`funnelctl init --from-export FILE`: a starter config built from an export: its preset,
its stage values in a sensible order, won / lost values from the preset."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from funnelctl.commands.inspect import InspectResult, inspect_file
from funnelctl.config import parse_config
from funnelctl.errors import DataError, excerpt_list
from funnelctl.io import presets


def config_from_export(export: Path, output: Path) -> str:
    """YAML text of a valid starter config for `export`, with paths relative to `output`."""
    result = inspect_file(export)
    if result.preset is None:
        found = [c.name for c in result.columns]
        raise DataError(f"{export}: the columns match no preset, so init cannot tell which "
                        f"is the stage; {presets.describe_closest(found)}"
                        f"\n  columns found: {excerpt_list(found)}")
    spec = presets.PRESETS[result.preset]
    won_words = {presets.normalise(v) for v in spec.get("won_stages", [])}
    lost_words = {presets.normalise(v) for v in spec.get("lost_stages", [])}
    values = [v for v, _ in result.stage_values if v]
    won = [v for v in values if presets.normalise(v) in won_words]
    lost = [v for v in values if presets.normalise(v) in lost_words]
    stages = order_stages(result, [v for v in values if v not in won and v not in lost])
    if not stages:
        raise DataError(f"{export}: no open stage values in column '{result.stage_column}'")
    funnel = {"name": _funnel_name(result), "source": "deals",
              "stages": [{"name": s} for s in stages]}
    if won:
        funnel["won"] = won
    if lost:
        funnel["lost"] = lost
    data = {
        "version": 1,
        "title": f"Funnel audit: {export.name}",
        "timezone": spec.get("timezone", "UTC"),
        "sources": {"deals": {
            "path": Path(os.path.relpath(export.resolve(), output.resolve().parent)).as_posix(),
            "kind": "deals",
            "preset": result.preset,
        }},
        "funnels": [funnel],
    }
    text = _HEADER.format(export=export.name, preset=result.preset) + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=100)
    parse_config(text, output)  # what init writes must load
    return text


_HEADER = """\
# Starter config written by `funnelctl init --from-export {export}` (preset {preset}).
# Check the stage order, drop stages that are not part of the funnel, and add
# thresholds, e.g. `conversion: {{good: 0.6, acceptable: 0.4}}` under a stage.
"""


def order_stages(result: InspectResult, stages: list[str]) -> list[str]:
    """Funnel order: by the stage probability CRMs keep (low to high) when the export has it;
    then the preset's default pipeline; then by how many deals are at the stage (most first)."""
    counts = dict(result.stage_values)
    known = presets.PRESETS[result.preset].get("stage_order", [])
    rank = {presets.normalise(v): i for i, v in enumerate(known)}
    probability = result.stage_probability

    def key(stage: str) -> tuple:
        prob = probability.get(stage)
        return (prob is None, prob or 0.0, rank.get(presets.normalise(stage), len(rank)),
                -counts.get(stage, 0))

    return sorted(stages, key=key)


def _funnel_name(result: InspectResult) -> str:
    values = [v for v, _ in result.pipeline_values if v]
    return values[0] if len(values) == 1 else "Main pipeline"
