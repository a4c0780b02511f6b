"""What the bundled amoCRM export needs for the forecast and the plan: an expected close
date per deal (a custom field amoCRM accounts add: "Планируемая дата закрытия"), a snooze
file and a sales plan. Drawn from their own random stream, so every other value of the
samples stays as it was."""

from __future__ import annotations

import datetime as dt
import random

EXPECTED_HEADER = "Планируемая дата закрытия"
CLOSED = "не закрыта"
ID, CREATED, CHANGED, CLOSED_AT, STAGE = 0, 4, 6, 7, 9
OUTCOMES = {"Успешно реализовано", "Закрыто и не реализовано"}
NOTES = ["клиент в отпуске до конца месяца", "ждём бюджет на следующий квартал",
         "тендер перенесли", "согласование у юристов клиента"]
# Plan per manager and month (roubles): near what the sample's managers win, so the demo
# shows some on pace and some behind.
PLAN_MONTHS = ["2026-10", "2026-11", "2026-12"]
PLAN = {"Анна Смирнова": 1_000_000, "Борис Петров": 1_000_000, "Ольга Кузнецова": 1_000_000,
        "Дмитрий Волков": 400_000, "Елена Соколова": 600_000, "Игорь Морозов": 1_000_000}


def _day(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%d.%m.%Y %H:%M:%S").date()
    except ValueError:
        return None  # the three deliberately broken creation dates


def with_expected_close(header: list[str], rows: list[list[str]], rng: random.Random
                        ) -> tuple[list[str], list[list[str]]]:
    """The export with a last column of expected close dates (DD.MM.YYYY): a closed deal's
    is the day it closed; an open deal's 2 to 17 weeks after it was created, blank for
    about one in twenty."""
    out = []
    for row in rows:
        created = _day(row[CREATED])
        if row[STAGE] in OUTCOMES:
            closed = _day(row[CLOSED_AT]) if row[CLOSED_AT] != CLOSED else None
            value = closed.strftime("%d.%m.%Y") if closed else ""
        elif created is None or rng.random() < 0.05:
            value = ""
        else:
            value = (created + dt.timedelta(days=rng.randint(14, 120))).strftime("%d.%m.%Y")
        out.append([*row, value])
    return [*header, EXPECTED_HEADER], out


def snoozed(rows: list[list[str]], rng: random.Random) -> list[list[str]]:
    """deal_id, until, note for eight open deals."""
    open_ids = [row[ID] for row in rows if row[STAGE] not in OUTCOMES]
    picked = sorted(rng.sample(open_ids, 8))
    return [[deal, (dt.date(2026, 12, 1) + dt.timedelta(days=rng.randint(0, 45))).isoformat(),
             rng.choice(NOTES)] for deal in picked]


def plan_rows() -> list[list[str]]:
    """month, manager, amount: every manager's target for each month (no team line: the
    report sums the managers')."""
    return [[month, name, str(amount)] for month in PLAN_MONTHS for name, amount in PLAN.items()]
