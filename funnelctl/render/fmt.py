"""Number, date and p-value formatting shared by the renderers, per report language.

Russian uses a decimal comma and a (non-breaking) space between thousands; English a
decimal point and a comma. Missing values are an en dash everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from funnelctl.plural import plural

DASH = "–"
NBSP = "\u00a0"


@dataclass(frozen=True)
class Fmt:
    lang: str = "en"

    def _decimal(self, text: str) -> str:
        return text.replace(".", ",") if self.lang == "ru" else text

    def _grouped(self, text: str) -> str:
        """English `1,234.5` as the language writes it (Russian `1 234,5`)."""
        return text.replace(",", NBSP).replace(".", ",") if self.lang == "ru" else text

    def num(self, value: float | None) -> str:
        if value is None:
            return DASH
        return self._grouped(f"{value:,}" if isinstance(value, int) else f"{value:,.1f}")

    def money(self, value: float | None, currency: str | None = None) -> str:
        """An amount with thousands separators and its currency code (`1,234,500 RUB`,
        `1 234 500 RUB`): whole units from 100 up (and for whole amounts), else two
        decimals."""
        if value is None:
            return DASH
        whole = abs(value) >= 100 or float(value).is_integer()
        text = self._grouped(f"{value:,.0f}" if whole else f"{value:,.2f}")
        return f"{text}{NBSP}{currency}" if currency else text

    def pct(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return DASH
        return self._decimal(f"{value * 100:.{digits}f}%")

    def interval(self, low: float | None, high: float | None) -> str:
        if low is None or high is None:
            return DASH
        return f"{self.pct(low)}–{self.pct(high)}"

    def points(self, change: float | None, unit: str) -> str:
        """A difference of two proportions in percentage points, with its sign."""
        if change is None:
            return DASH
        sign = "+" if change > 0 else "−" if change < 0 else "±"
        return self._decimal(f"{sign}{abs(change) * 100:.1f}") + f" {unit}"

    def days(self, value: float | None, unit: str) -> str:
        if value is None:
            return DASH
        return self._decimal(f"{value:.1f}") + (f" {unit}" if unit else "")

    def p(self, value: float | None) -> str:
        if value is None:
            return DASH
        if value < 0.001:
            return "p<0,001" if self.lang == "ru" else "p<0.001"
        return "p=" + self._decimal(f"{value:.3f}")

    def count(self, n: int, forms: str) -> str:
        """`n` and the noun form its number takes: `forms` is "one|many" in English,
        "one|few|many" in Russian (1 неделя, 2 недели, 5 недель, 21 неделя)."""
        return f"{self.num(n)} {plural(n, forms)}"

    def period(self, start: dt.date | None, end: dt.date | None, all_data: str) -> str:
        if start is None:
            return all_data
        return str(start) if start == end else f"{start} – {end}"

    def when(self, moment: dt.datetime) -> str:
        return f"{moment:%Y-%m-%d %H:%M} UTC"
