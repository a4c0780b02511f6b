"""A Salesforce "Opportunity History" report of a multi-currency org, for the money view,
the forecast and the waterfall of a stage-history funnel (configs/salesforce_history.yaml).

One row per save that touched the stage, amount or close date, as the report writes it:
the first row of an opportunity (empty From Stage) is its creation; a row whose From
Stage equals its To Stage is an edit, not a move (the amount raised or cut, the close date
pushed out); DD/MM/YYYY dates ("Last Modified" with the time of the save); amounts as
"USD 48,000.00" with the opportunity's currency beside them, "-" for an opportunity
nobody priced; and the report's three footer lines. The quirks of a real pipeline: close
dates pushed out once or several times (and some left in the past: overdue), amounts
revised mid-way, opportunities that move back a stage, a few created past Prospecting, a
few lost and reopened, a won amount corrected after the win, and EUR deals beside the USD
ones. Drawn from its own random stream (generate.py), so no other sample changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

from crm_exports import SF_STAGES

TAKEN = dt.datetime(2026, 11, 30, 18, 0)  # when the report was run: nothing after it
FIRST = dt.datetime(2026, 6, 1)
WON, LOST = "Closed Won", "Closed Lost"
PROBABILITY = {**dict(zip(SF_STAGES, [10, 10, 20, 75, 90])), WON: 100, LOST: 0}
CONTINUE = [0.75, 0.68, 0.62, 0.70]  # P(move on from stage k), then won or lost at the last
# (owner, share of her opportunities in EUR): Lena Fischer sells in Europe
OWNERS = [("William Jeanne", 0.0), ("Amara Okafor", 0.05), ("Lena Fischer", 0.7)]
AMOUNTS = [4500, 12000, 18500, 30000, 48000, 75000, 120000]
HEADER = ["Opportunity ID", "Opportunity Name", "Account Name", "Opportunity Owner",
          "From Stage", "To Stage", "Amount", "Opportunity Currency", "Probability (%)",
          "Close Date", "Stage Duration", "Last Modified", "Created Date"]


def _money(amount: float | None, currency: str) -> str:
    return "-" if amount is None else f"{currency} {amount:,.2f}"


class Opportunity:
    """One opportunity's saves, in time order, each a report row."""

    def __init__(self, rng: random.Random, n: int):
        self.rng, self.n = rng, n
        self.owner, eur_share = rng.choice(OWNERS)
        self.currency = "EUR" if rng.random() < eur_share else "USD"
        self.amount = None if rng.random() < 0.05 else float(rng.choice(AMOUNTS))
        self.at = FIRST + dt.timedelta(days=rng.randint(0, 172), hours=rng.uniform(8, 18))
        self.at = self.at.replace(second=0, microsecond=0)
        self.created = self.at
        self.close = (self.at + dt.timedelta(days=rng.randint(30, 90))).date()
        self.stage, self.moved_at = None, self.at
        self.rows: list[list[str]] = []

    def save(self, to: str) -> bool:
        """One row into `to` (the same stage: an edit); False once past the report's date."""
        if self.at > TAKEN:
            return False
        duration = (self.at - self.moved_at).days if self.stage else 0
        self.rows.append([
            f"006U6100{self.n:07d}", f"Opportunity H{self.n}", f"Account {self.n % 35}",
            self.owner, self.stage or "", to, _money(self.amount, self.currency),
            self.currency, f"{PROBABILITY[to]}%", f"{self.close:%d/%m/%Y}", str(duration),
            f"{self.at:%d/%m/%Y %H:%M}", f"{self.created:%d/%m/%Y}"])
        if to != self.stage:
            self.stage, self.moved_at = to, self.at
        return True

    def wait(self, mean_days: float) -> None:
        """Time passes until the next save (always later: no two saves at one time)."""
        days = self.rng.lognormvariate(0, 0.7) * mean_days
        self.at += dt.timedelta(days=days, minutes=self.rng.randint(30, 600))
        if not 8 <= self.at.hour < 19:  # saved in working hours: the next morning
            morning = self.at.date() + dt.timedelta(days=int(self.at.hour >= 19))
            self.at = dt.datetime.combine(morning, dt.time(8, self.rng.randint(0, 59)))

    def edits(self) -> bool:
        """Now and then, edits between moves: the close date pushed out (more often once
        it has passed) or the amount revised."""
        rng = self.rng
        while rng.random() < (0.55 if self.at.date() > self.close else 0.2):
            if rng.random() < 0.75:
                self.close += dt.timedelta(days=rng.choice([14, 30, 30, 45, 60]))
            elif self.amount is not None:
                self.amount = round(self.amount * rng.choice([0.8, 0.9, 1.15, 1.25, 1.5]), -2)
            if not self.save(self.stage):
                return False
            self.wait(4)
        return True

    def walk(self) -> None:
        rng = self.rng
        k = 1 if rng.random() < 0.06 else 0  # created straight at Qualification
        if not self.save(SF_STAGES[k]):
            return
        while True:
            self.wait(9)
            if not self.edits():
                return
            if k == len(SF_STAGES) - 1 or rng.random() > CONTINUE[k]:
                break
            if k >= 2 and rng.random() < 0.08:  # back a stage (the buyer re-scoped)
                k -= 1
            else:
                k += 1
                if k == 3 and self.amount is not None and rng.random() < 0.4:
                    self.amount = round(self.amount * rng.choice([0.85, 1.1, 1.2]), -2)
            if not self.save(SF_STAGES[k]):
                return
        self.close_out(k)

    def keep_open(self) -> None:
        """Still open when the report was run; a close date already past is pushed out
        once more, or (about half the time) left there: overdue."""
        if self.close < TAKEN.date() and self.rng.random() < 0.5:
            self.at += (TAKEN - self.at) * self.rng.random()
            self.at = self.at.replace(second=0, microsecond=0)
            self.close = TAKEN.date() + dt.timedelta(days=self.rng.randint(7, 75))
            self.save(self.stage)

    def close_out(self, k: int) -> None:
        rng = self.rng
        recent = (TAKEN - self.at).days < 45  # a long-silent opportunity is mostly lost
        if k < len(SF_STAGES) - 1 and rng.random() < (0.6 if recent else 0.15):
            self.keep_open()
            return
        won = k == len(SF_STAGES) - 1 and rng.random() < 0.6
        self.close = self.at.date()  # a closed opportunity's close date: the day it closed
        if not self.save(WON if won else LOST):
            return
        if won and self.amount is not None and rng.random() < 0.1:
            self.wait(2)  # the won amount corrected after the win
            self.amount = round(self.amount * 1.05, -2)
            self.save(WON)
        elif not won and rng.random() < 0.04:
            self.wait(10)  # lost, then reopened where it was
            self.close = (self.at + dt.timedelta(days=45)).date()
            self.save(SF_STAGES[k])


def rows(rng: random.Random, n: int = 300) -> list[list[str]]:
    out = []
    for i in range(n):
        opportunity = Opportunity(rng, i)
        opportunity.walk()
        out += opportunity.rows
    return out


def write(path: Path, rng: random.Random) -> None:
    body = rows(rng)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *body])
    buffer.write(f'\n"Grand Totals ({len(body)} records)"\n'
                 '"Confidential Information - Do Not Distribute"\n'
                 '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n')
    path.write_text(buffer.getvalue(), encoding="utf-8")
