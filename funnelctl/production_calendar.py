"""A country's production calendar: its public holidays and its transferred working days.

From the `holidays` package (python-holidays), which keeps Russia's government decrees on
moved days off: the holidays it lists for RU include the days off moved onto weekdays
(2024: 29-30 April, 10 May, 30-31 December) and its `weekend_workdays` the Saturdays that
became working days (2024: 27 April, 2 November, 28 December). workalendar (last release
2023) lists neither, so it is not used. The package is imported only when a config names a
country, so a run without one starts no slower.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class CountryDays:
    days_off: dict[dt.date, str] = field(default_factory=dict)  # date -> holiday name
    working: frozenset[dt.date] = frozenset()  # weekend dates that are working days


@cache
def is_supported(country: str) -> bool:
    """Whether the package has a calendar for this ISO code (loads that country only:
    listing every supported country would cost more than the audit's calendar)."""
    import holidays

    try:
        holidays.country_holidays(country)
    except NotImplementedError:
        return False
    return True


def country_days(country: str, start: dt.date, end: dt.date,
                 language: str = "en") -> CountryDays:
    """The country's days off and transferred working days between start and end, the
    holidays named in `language` where the package has it (else in English). Always
    named explicitly: without a language the package follows the machine's locale."""
    import holidays

    years = range(start.year, end.year + 1)
    known = holidays.country_holidays(country).supported_languages
    wanted = next((code for code in known if code.split("_")[0] == language), None)
    english = next((code for code in known if code.startswith("en")), None)
    calendar = holidays.country_holidays(country, years=years, language=wanted or english)
    off = {d: str(name) for d, name in calendar.items() if start <= d <= end}
    working = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if start <= d <= end)
    return CountryDays(off, working)
