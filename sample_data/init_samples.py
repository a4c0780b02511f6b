"""Exports no preset fully knows, for `funnelctl init --from-export` (seeded, small):

bitrix24_codes.csv   Bitrix24 deals with stage *codes* (NEW, C6:WON, ...) in two
                     categories ("Направление": Общая and Дилеры), one row per product.
unknown_ru.csv       a home-grown CRM's export: Russian headers no preset knows, custom stage
                     names, won / lost as stage values, a "last change" date.
event_log.csv        a product event log with its own column names and one rare event.

Each simulated deal reaches a depth and is won, lost or still open (crm_exports.simulate),
so the right stage order is the order of the lists below, known before init runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from crm_exports import START, simulate

BX_CATEGORIES = {
    "Общая": ["NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE"],
    "Дилеры": ["C6:NEW", "C6:PREPARATION", "C6:EXECUTING"],
}
BX_OUTCOMES = {"Общая": ("WON", ["LOSE", "APOLOGY"]),
               "Дилеры": ("C6:WON", ["C6:LOSE", "C6:APOLOGY"])}
UNKNOWN_STAGES = ["Заявка", "Звонок проведён", "Замер", "Смета", "Договор"]
EVENT_STEPS = ["landing_view", "signup", "trial_start", "paid"]
MANAGERS = ["Ольга Петрова", "Иван Сидоров", "Мария Белова"]


def _write(path: Path, rows: list[list[str]], **fmt) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n", **fmt).writerows(rows)
    return path


def bitrix24_codes(path: Path, rng: random.Random, n: int = 160) -> Path:
    header = ["ID", "Название сделки", "Стадия сделки", "Направление", "Сумма",
              "Ответственный", "Дата создания", "Дата изменения", "Товар"]
    rows = [header]
    for category, stages in BX_CATEGORIES.items():
        won, lost = BX_OUTCOMES[category]
        offset = 0 if category == "Общая" else 5000
        for d in simulate(rng, n, len(stages), MANAGERS):
            stage = {"won": won, "lost": rng.choice(lost)}.get(d.outcome, stages[d.depth - 1])
            changed = d.closed or d.created + dt.timedelta(days=3 * d.depth)
            row = [str(1000 + offset + d.n), f"Сделка {d.n}", stage, category,
                   f"{d.amount:.2f}", d.manager, f"{d.created:%d.%m.%Y %H:%M:%S}",
                   f"{changed:%d.%m.%Y %H:%M:%S}"]
            products = rng.sample(["Лицензия", "Внедрение"], rng.choice([1, 2]))
            rows.extend([*row, product] for product in products)
    return _write(path, rows, delimiter=";", quoting=csv.QUOTE_ALL)


def unknown_ru(path: Path, rng: random.Random, n: int = 300) -> Path:
    header = ["Номер заявки", "Клиент", "Этап", "Менеджер", "Создана", "Последнее изменение",
              "Сумма, руб."]
    rows = [header]
    for d in simulate(rng, n, len(UNKNOWN_STAGES), MANAGERS):
        stage = {"won": "Успех", "lost": "Отказ"}.get(d.outcome, UNKNOWN_STAGES[d.depth - 1])
        # A deal further along was last changed later: 4 days a stage, up to 3 days' noise.
        changed = d.created + dt.timedelta(days=4 * d.depth + rng.uniform(0, 3))
        rows.append([str(20000 + d.n), f"Клиент {d.n % 90}", stage, d.manager,
                     f"{d.created:%d.%m.%Y %H:%M}", f"{changed:%d.%m.%Y %H:%M}",
                     f"{d.amount:.0f}"])
    return _write(path, rows)


def event_log(path: Path, rng: random.Random, n: int = 400) -> Path:
    """Each client reaches step k+1 with probability 0.7 / 0.5 / 0.4, hours after step k;
    3% also open the help page (a rare event, below init's 5% cut)."""
    rows = [["client_id", "event_type", "event_time", "channel"]]
    for i in range(n):
        at = START + dt.timedelta(days=rng.uniform(0, 30))
        channel = rng.choice(["ads", "seo", "email"])
        for step, name in enumerate(EVENT_STEPS):
            if step and rng.random() >= (0.7, 0.5, 0.4)[step - 1]:
                break
            at += dt.timedelta(hours=rng.uniform(1, 20) if step else 0)
            rows.append([f"c{i:04d}", name, f"{at:%Y-%m-%d %H:%M:%S}", channel])
        if rng.random() < 0.03:
            rows.append([f"c{i:04d}", "help_open", f"{at:%Y-%m-%d %H:%M:%S}", channel])
    body = rows[1:]
    rng.shuffle(body)  # logs are not sorted by client
    return _write(path, [rows[0], *body])


def write_all(folder: Path, seed: int) -> None:
    bitrix24_codes(folder / "bitrix24_codes.csv", random.Random(seed + 11))
    unknown_ru(folder / "unknown_ru.csv", random.Random(seed + 12))
    event_log(folder / "event_log.csv", random.Random(seed + 13))
