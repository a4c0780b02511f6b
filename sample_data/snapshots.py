"""An earlier snapshot of a bundled export, for `funnelctl audit --since-snapshot`.

pipedrive_deals_earlier.csv is the Pipedrive export as it stood on TAKEN, made from the
current pipedrive_deals.csv with its own seeded generator (the current file stays as it
is): deals created after TAKEN are not in it (new), deals closed after it were still open
there, some at an earlier stage (they advanced since) or a later one (moved back), some
with another amount or an earlier expected close date (pushed out since); a few open
deals in it are gone from the current export, and one deal id is written twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from crm_exports import PD_STAGES, _write

TAKEN = dt.datetime(2026, 5, 15, 18, 0)
AMOUNTS = [450, 1250.5, 3000, 8200, 15000, 48000, 144000]


def _when(text: str) -> dt.datetime | None:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S") if text else None


def _money(amount: float) -> str:
    return f"£{amount:,.2f}"


def earlier_row(rng: random.Random, row: dict[str, str]) -> dict[str, str] | None:
    """The row as it was at TAKEN, or None when the deal did not exist yet."""
    if _when(row["Deal - Deal created"]) > TAKEN:
        return None
    closed = _when(row["Deal - Won time"]) or _when(row["Deal - Lost time"])
    if closed is not None and closed <= TAKEN:  # closed before the earlier snapshot
        changed = _when(row["Deal - Last stage change"])
        return dict(row, **{"Deal - Last stage change": f"{min(changed, TAKEN):%Y-%m-%d %H:%M:%S}"})
    old = dict(row, **{"Deal - Status": "Open", "Deal - Won time": "", "Deal - Lost time": "",
                       "Deal - Lost reason": ""})
    k = PD_STAGES.index(row["Deal - Stage"])
    roll = rng.random()
    if closed is not None or roll < 0.3:  # it advanced since (or closed from here)
        k = max(0, k - rng.choice([0, 1, 1, 2]))
    elif roll < 0.4 and k + 1 < len(PD_STAGES):  # it has moved back since
        k += 1
    old["Deal - Stage"] = PD_STAGES[k]
    changed = _when(row["Deal - Last stage change"])
    old["Deal - Last stage change"] = f"{min(changed, TAKEN):%Y-%m-%d %H:%M:%S}"
    if rng.random() < 0.2:  # the amount changed since
        now = float(row["Deal - Value"].lstrip("£").replace(",", ""))
        old["Deal - Value"] = _money(rng.choice([a for a in AMOUNTS if a != now]))
    if row["Deal - Status"] == "Open" and rng.random() < 0.3:  # close date pushed out since
        close = dt.date.fromisoformat(row["Deal - Expected close date"])
        old["Deal - Expected close date"] = str(close - dt.timedelta(days=rng.choice([7, 14,
                                                                                       30])))
    return old


def pipedrive_earlier(current: Path, out: Path, rng: random.Random) -> None:
    with current.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    earlier = [old for row in rows if (old := earlier_row(rng, row)) is not None]
    for n in range(5):  # open then, deleted from the CRM since
        created = TAKEN - dt.timedelta(days=rng.uniform(5, 60))
        earlier.append(dict(zip(header, [
            str(5900 + n), f"Org {900 + n} - Route", rng.choice(["Maria Lopez", "Tom Baker"]),
            _money(rng.choice(AMOUNTS)), "GBP", "Sales", rng.choice(PD_STAGES), "Open",
            f"{created:%Y-%m-%d %H:%M:%S}", f"{created:%Y-%m-%d %H:%M:%S}",
            f"{created + dt.timedelta(days=45):%Y-%m-%d}", "", "", ""])))
    twice = dict(earlier[7])  # the same deal id written twice (kept: the first row)
    twice["Deal - Stage"] = PD_STAGES[-1]
    earlier.insert(8, twice)
    _write(out, [header, *([r[c] for c in header] for r in earlier)])
