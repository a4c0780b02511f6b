"""What the deals-snapshot and stage-history funnels share once each deal has its depth
and outcome: the period's cohort, lost deals of unknown stage, the caption facts, and
what the scorecard keeps of each."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from funnelctl.audit.manager_fold import ManagerFold
from funnelctl.checks import check_loss_stages
from funnelctl.config import Funnel
from funnelctl.metrics.funnel import LOSS_STAGE_KNOWN, OUTCOME, won_row
from funnelctl.metrics.periods import DateRange
from funnelctl.plural import plural
from funnelctl.report import Finding, FunnelResult, SourceQuality


def lost_without_stage(frame: pl.DataFrame) -> int:
    """Lost deals whose loss stage nothing says (counted, not copied out)."""
    return int(frame.select(((pl.col(OUTCOME) == "lost") & ~pl.col(LOSS_STAGE_KNOWN)).sum())
               .item())


def in_period(frame: pl.DataFrame, dates: DateRange) -> pl.DataFrame:
    """Deals count when created inside the period (a cohort view)."""
    if dates.start is None:
        return frame
    day = pl.col("created_at").dt.date()
    return frame.filter(day.is_between(dates.start, dates.end, closed="both"))


def add_outcome_notes(result: FunnelResult, unknown: int) -> None:
    """What the stage table's caption says: lost deals of unknown stage, and the
    conversion into won when there is no lost deal at all."""
    result.lost_stage_unknown = unknown
    result.won_conversion = won_row(result)


def unknown_loss_stage(result: FunnelResult, quality: SourceQuality, funnel: Funnel,
                       unknown: int) -> list[Finding]:
    """A snapshot funnel's lost deals of unknown stage: the caption facts, a data-quality
    note that says how to place them, and the finding when they are many."""
    add_outcome_notes(result, unknown)
    if unknown:
        quality.notes.append(plural(unknown, NO_LOSS_STAGE).format(f=funnel.name, n=unknown))
    return check_loss_stages(result, unknown)


NO_LOSS_STAGE = tuple(
    f"{{f}}: {{n}} {what} no known loss stage (left out of the stage conversions; map "
    "lost_stage or a status column, or give the funnel a stage_history: source, to fix)"
    for what in ("lost deal has", "lost deals have"))
NO_STAGE_BEFORE_LOSS = tuple(
    f"{{f}}: {{n}} {what} entered no funnel stage before the loss (left out of the stage "
    "conversions)" for what in ("lost deal", "lost deals"))


@dataclass
class KeptFunnel:
    """A deals or stage-history funnel as the scorecard takes it: every deal (depth,
    outcome, created_at, manager, ...), its result, its classified stage history when it
    has one (metrics/history.classify), and how its manager names were folded."""

    funnel: Funnel
    frame: pl.DataFrame
    result: FunnelResult
    entries: pl.DataFrame | None = None
    folded: ManagerFold = field(default_factory=ManagerFold)  # the manager names' fold
