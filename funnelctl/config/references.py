"""Cross-references the models cannot check alone: (key path, message) for each problem,
so the message can name the line of the key at fault."""

from __future__ import annotations

from funnelctl.config.engine import engine_problems
from funnelctl.config.models import Config
from funnelctl.config.norms import norms_problems
from funnelctl.config.scorecard import scorecard_problems
from funnelctl.config.steps import step_problems


def reference_problems(config: Config) -> list[tuple[tuple, str]]:
    problems = []
    if not config.funnels and config.norms is None:
        problems.append((("sources",), "nothing to audit: add funnels: or norms: to the config"))
    names: set[str] = set()
    for i, funnel in enumerate(config.funnels):
        if funnel.source not in config.sources:
            problems.append(((("funnels", i, "source")),
                             f"funnel '{funnel.name}' names unknown source '{funnel.source}' "
                             f"(sources defined: {', '.join(config.sources)})"))
        if funnel.name in names:
            problems.append((("funnels", i, "name"), f"funnel name '{funnel.name}' is used twice"))
        names.add(funnel.name)
    problems += [(("notify", i, "notify_on"), "notify_on: change compares the verdict with "
                  "the last recorded run: add history: (e.g. history: reports/history.db)")
                 for i, target in enumerate(config.notify)
                 if target.notify_on == "change" and config.history is None]
    return (problems + event_funnel_problems(config) + history_link_problems(config)
            + norms_problems(config.norms, config.sources, config.managers)
            + scorecard_problems(config.scorecard, config.funnels,
                                 {name: s.kind for name, s in config.sources.items()})
            + engine_problems(config))


def history_link_problems(config: Config) -> list[tuple[tuple, str]]:
    """A deals funnel's `stage_history:` must name a stage_history source."""
    problems = []
    for i, funnel in enumerate(config.funnels):
        if funnel.stage_history is None or funnel.source not in config.sources:
            continue
        linked = config.sources.get(funnel.stage_history)
        if config.sources[funnel.source].kind != "deals":
            problems.append((("funnels", i, "stage_history"),
                             "stage_history applies to funnels over a deals source"))
        elif linked is None or linked.kind != "stage_history":
            problems.append((("funnels", i, "stage_history"),
                             f"'{funnel.stage_history}' is not a source of kind stage_history "
                             f"(sources: {', '.join(config.sources)})"))
    return problems


def event_funnel_problems(config: Config) -> list[tuple[tuple, str]]:
    """(key path, message) for settings that do not fit the kind of the funnel's source."""
    problems = []
    for i, funnel in enumerate(config.funnels):
        if funnel.source not in config.sources:
            continue  # reported as an unknown source
        events = config.sources[funnel.source].kind == "events"
        problems += step_problems(funnel, i, events)
        if events and funnel.window is None:
            problems.append((("funnels", i), f"funnel '{funnel.name}' over an events source "
                                             "needs window: (e.g. 30m, 36h, 7d)"))
        elif not events and funnel.window is not None:
            problems.append((("funnels", i, "window"), "window applies to event funnels only"))
        if events and funnel.plan is not None:
            problems.append((("funnels", i, "plan"), "plan applies to deal and stage-history "
                             "funnels only"))
        if events and funnel.snooze is not None:
            problems.append((("funnels", i, "snooze"), "snooze applies to deal and "
                             "stage-history funnels only"))
        if not events and funnel.order != "default":
            problems.append((("funnels", i, "order"), "order applies to event funnels only"))
        unordered = "unordered" in funnel.order_modes()
        if unordered and funnel.breakdown:
            problems.append((("funnels", i, "breakdown"), "breakdown needs an ordered funnel "
                             "(with order: unordered there is no step-1 event to read it from)"))
        if funnel.trend is not None and (not events or funnel.order == "unordered"):
            problems.append((("funnels", i, "trend"), "trend applies to ordered event funnels "
                             "only (its cohorts are the days, weeks or months of the step-1 "
                             "event)"))
        for j, stage in enumerate(funnel.stages):
            problems += [(("funnels", i, "stages", j, key), f"{key} applies to event funnels only")
                         for key in ([] if events else stage.uses_event_keys())]
            if events and (stage.probability is not None or stage.max_days is not None):
                key = "probability" if stage.probability is not None else "max_days"
                problems.append((("funnels", i, "stages", j, key),
                                 f"{key} applies to deal and stage-history funnels only"))
            if unordered and stage.within is not None:
                problems.append((("funnels", i, "stages", j, "within"), "within needs an "
                                 "ordered funnel (with order: unordered no step comes before)"))
    return problems
