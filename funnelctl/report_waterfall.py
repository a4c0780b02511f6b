"""The report model of the pipeline waterfall: what changed in a deal funnel's open
pipeline between two dates (JSON: `funnels[].waterfall`, an addition to schema 1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

# How a bucket moves the open pipeline: a level (open at start / at end), a flow into it
# (+), a flow out of it (-), or a movement inside it that adds nothing (info).
Role = Literal["level", "in", "out", "info"]


@dataclass
class WaterfallItem:
    """One deal behind a bucket."""

    deal_id: str
    manager: str | None
    value: float  # what the deal adds to the bucket (amounts: the change, never signed)
    currency: str | None
    from_stage: str | None  # at the start ("won", "lost" for closed deals; None: absent)
    to_stage: str | None  # at the end
    amount_before: float | None
    amount_after: float | None
    close_before: dt.date | None  # expected close date at the start / at the end
    close_after: dt.date | None
    days: float | None = None  # slipped: days the expected close moved out


@dataclass
class WaterfallManager:
    manager: str  # "(none)" for deals without a manager
    deals: int
    value: float | None  # None when the amounts are in several currencies (see values)
    values: dict[str, float] = field(default_factory=dict)


@dataclass
class WaterfallBucket:
    name: str  # open_start, new, reopened, advanced, moved_back, slipped, amount_raised,
    #            amount_cut, won, lost, removed, open_end
    role: Role
    deals: int | None  # None: cannot be known from this data (see note)
    value: float | None  # None: several currencies (see values) or no amounts
    values: dict[str, float] = field(default_factory=dict)  # per currency
    per_manager: list[WaterfallManager] = field(default_factory=list)
    items: list[WaterfallItem] = field(default_factory=list)  # biggest first, capped
    items_left_out: int = 0  # deals of the bucket beyond the item cap
    note: str | None = None  # why the bucket is empty or unknown (English)
    note_code: str | None = None  # for the renderers' own words


@dataclass
class Slippage:
    """Open deals whose expected close date moved later between the two dates."""

    deals: int
    share: float | None  # of the deals open at both dates with a close date at both
    days_median: float | None
    days_max: float | None
    days_total: float
    pushes: int | None = None  # stage history: times a close date moved later in the period


@dataclass
class Waterfall:
    basis: Literal["history", "snapshot"]
    start: dt.date | dt.datetime | None  # history: the period's dates; snapshot: the latest
    end: dt.date | dt.datetime | None  # date seen in the older / the newer export
    buckets: list[WaterfallBucket]
    currency: str | None = None  # the one currency of every value (None: none or several)
    currencies: list[str] = field(default_factory=list)
    has_amounts: bool = True
    has_close_dates: bool = True
    slippage: Slippage | None = None
    older_export: str | None = None  # --since-snapshot: the older file
    # --since-snapshot: deals of the two exports that are not matched one to one, and rows
    # of the older one that could not be used, per reason.
    matching: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # English; renderers word the counts
    item_cap: int = 0
    unpriced_deals: int = 0  # deals of the waterfall without an amount at a date: valued 0
    closed_outcome_changed: int = 0  # closed at both dates, won <-> lost: not in the buckets
