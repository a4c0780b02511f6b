"""Layout of the norms section shared by the HTML and Markdown renderers: which dates and
weeks become columns, and each manager's grade under each. Nothing is graded here; the
grades come from metrics/norms.py through the report model (NormsResult).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NormsGrid:
    dates: list[dt.date]  # the working days of the period, in order
    weeks: list[tuple[str, dt.date]]  # (ISO week, its Monday), in order
    days: dict[str, dict[dt.date, Any]]  # manager -> date -> DayGrade (working days only)
    week_grades: dict[str, dict[str, Any]]  # manager -> ISO week -> WeekGrade


def norms_grid(norms: Any) -> NormsGrid:
    """Columns from the graded days themselves: every manager has every working day."""
    dates = sorted({d.date for m in norms.managers for d in m.days if d.grade is not None})
    weeks = sorted({(w.week, w.start) for m in norms.managers for w in m.weeks},
                   key=lambda w: w[1])
    return NormsGrid(
        dates=dates,
        weeks=weeks,
        days={m.manager: {d.date: d for d in m.days if d.grade is not None}
              for m in norms.managers},
        week_grades={m.manager: {w.week: w for w in m.weeks} for m in norms.managers},
    )
