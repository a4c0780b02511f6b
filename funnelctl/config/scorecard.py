"""`scorecard:` in the config: which funnel and stage each of the five classic KPIs of the
manager scorecard comes from (docs/norms.md). Every key may be left out: the default is
the first deals or stage-history funnel (in config order) whose source maps a manager,
and for first meetings and presentations its first stage whose name has one of the
KPI's words."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from funnelctl.config.base import Model

DEFAULT = "the first deals or stage-history funnel with a manager column"


class KpiFunnel(Model):
    """A KPI counted over one funnel's deals: new clients (deals created), deals closed
    (won) or sales volume (won revenue)."""

    funnel: str | None = Field(default=None, description=f"a funnel name; default: {DEFAULT}")


class KpiStage(Model):
    """A KPI counted as the deals that entered a stage: first meetings, presentations."""

    funnel: str | None = Field(default=None, description=f"a funnel name; default: {DEFAULT}")
    stage: str | None = Field(default=None, description="a stage name of that funnel; "
                              "default: its first stage whose name has one of the KPI's "
                              "words (meeting / встреч; presentation, demo, proposal, "
                              "презентац, демо, КП)")


class Kpis(Model):
    """Where the five classic steps come from."""

    new_clients: KpiFunnel = Field(default_factory=KpiFunnel)
    first_meetings: KpiStage = Field(default_factory=KpiStage)
    presentations: KpiStage = Field(default_factory=KpiStage)
    deals_closed: KpiFunnel = Field(default_factory=KpiFunnel)
    sales_volume: KpiFunnel = Field(default_factory=KpiFunnel)


class ScorecardSettings(Model):
    """The manager scorecard (norms: with a deal funnel that maps a manager column)."""

    kpis: Kpis = Field(default_factory=Kpis, description="which funnel (and stage) each of "
                       "the five classic KPIs comes from")


def kpi_funnel_names(funnels: list[Any], kinds: dict[str, str]) -> list[str]:
    """The funnels a KPI may name: over a deals or stage_history source, in config order."""
    return [f.name for f in funnels if kinds.get(f.source) in ("deals", "stage_history")]


def scorecard_problems(settings: ScorecardSettings, funnels: list[Any],
                       kinds: dict[str, str]) -> list[tuple[tuple, str]]:
    """(key path, message) for a KPI naming a funnel that is not a deal funnel of the
    config, or a stage its funnel does not have."""
    names = kpi_funnel_names(funnels, kinds)
    by_name = {f.name: f for f in funnels}
    problems = []
    for kpi, source in settings.kpis:
        where = ("scorecard", "kpis", kpi)
        if source.funnel is not None and source.funnel not in names:
            problems.append(((*where, "funnel"), f"unknown funnel '{source.funnel}' (the "
                             f"deals and stage-history funnels: {', '.join(names) or 'none'})"))
            continue
        stage = getattr(source, "stage", None)
        if stage is None:
            continue
        # Without a funnel the default one is known once the data says which funnels map
        # a manager (audit/scorecard checks it then): here, some deal funnel must have it.
        named = [source.funnel] if source.funnel else names
        stages = [s.name for name in named for s in by_name[name].stages]
        if stage not in stages:
            owner = f"funnel '{source.funnel}' has" if source.funnel else "no deal funnel has"
            problems.append(((*where, "stage"), f"{owner} no stage '{stage}' (stages: "
                             f"{', '.join(dict.fromkeys(stages)) or 'none'})"))
    return problems
