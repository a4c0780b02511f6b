"""The form a word or a sentence takes for a count, in English and in Russian.

Two forms are English's (one, many): 1 deal, 0 or 2 deals. Three are Russian's (one,
few, many): 1 and 21 сделка, 2-4 and 22 сделки, 0, 5-20 and 25 сделок. The readers and the
metrics write their notes with it (in English), the Russian labels translate them with it,
and the renderers count with it; it imports nothing of the project.
"""

from __future__ import annotations

from collections.abc import Sequence


def plural(n: float, forms: Sequence[str] | str) -> str:
    """The one of `forms` ("one|many", "one|few|many" or a sequence of them) `n` takes.
    English also counts a limit in days with it: 1 day, 1.5 days."""
    words = forms.split("|") if isinstance(forms, str) else list(forms)
    if len(words) == 1:  # a wording that reads right for any number ("rows: {n}")
        return words[0]
    if len(words) == 2:
        return words[0] if n == 1 else words[1]
    if n % 10 == 1 and n % 100 != 11:
        return words[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return words[1]
    return words[2]


def counted(n: int, forms: Sequence[str] | str) -> str:
    """One of two or three templates with `{n}`, filled in with `n` (thousands
    separated): `counted(1, ("{n} deal has", "{n} deals have"))` is "1 deal has"."""
    return plural(n, forms).format(n=f"{n:,}")
