"""telephony_calls.csv: a telephony (virtual PBX) call log of the phone-sales team, as such
services export it: Russian headers, ';' separated, no activity type column (every row is a
call), durations as "mm:ss" text, the manager written "Фамилия И." or as an extension
number, and calls the PBX makes itself under the system user "Система" (an IVR and
auto-dialer). One manager joins on 2 November 2026 (with two training calls in October,
before her roster date); missed and dropped calls last a few seconds.

Drawn from its own seeded generator, so the other exports stay the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

HEADER = ["Сотрудник", "Дата и время", "Длительность", "Номер клиента", "Направление"]
# (name as the PBX writes it, first day, calls per working day)
PHONE_TEAM = [("Лебедев С.", dt.date(2026, 10, 1), (40, 70)),
              ("Кравцова М.", dt.date(2026, 11, 2), (30, 70))]
EXTENSION = ("101", "Лебедев С.")  # the softphone writes the extension for some calls
SYSTEM = "Система"
HOLIDAY = dt.date(2026, 11, 4)


def duration(rng: random.Random) -> str:
    """mm:ss; about one call in six is missed or dropped within seconds."""
    seconds = rng.randint(0, 25) if rng.random() < 0.17 else int(rng.lognormvariate(5, 0.8))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def call(rng: random.Random, who: str, day: dt.date) -> list[str]:
    at = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(seconds=rng.randint(0, 9 * 3600))
    number = f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-" \
             f"{rng.randint(10, 99)}"
    return [who, at.strftime("%d.%m.%Y %H:%M:%S"), duration(rng), number,
            rng.choice(["Исходящий", "Исходящий", "Входящий"])]


def rows(rng: random.Random) -> list[list[str]]:
    first = dt.date(2026, 10, 1)
    days = [first + dt.timedelta(days=i) for i in range(61)]
    out = []
    for name, start, per_day in PHONE_TEAM:
        for day in days:
            if day < start or day.weekday() >= 5 or day == HOLIDAY:
                continue
            for _ in range(rng.randint(*per_day)):
                who = EXTENSION[0] if name == EXTENSION[1] and rng.random() < 0.1 else name
                out.append(call(rng, who, day))
    out += [call(rng, "Кравцова М.", dt.date(2026, 10, d)) for d in (27, 28)]  # training
    for day in days:
        if day.weekday() < 5:
            out += [call(rng, SYSTEM, day) for _ in range(rng.randint(2, 6))]
    out.sort(key=lambda r: (dt.datetime.strptime(r[1], "%d.%m.%Y %H:%M:%S"), r[0]))
    return out


def write(path: Path, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows(rng))
