#!/usr/bin/env python3
"""Generate the bundled sample exports, deterministically (seeded), small enough for git.

    python sample_data/generate.py

amocrm_deals.csv: an amoCRM-style deals export, ~2,000 deals, with the quirks of the
real thing: Russian headers (one with a trailing space, one duplicated), DD.MM.YYYY
HH:MM:SS dates, "не закрыта" as the close date of open deals, tags in one cell, the
"Неразобранное" (incoming) stage that a funnel config usually forgets, and a few rows
with impossible dates that an audit must reject, not drop.

Small exports of the other CRMs (crm_exports.py): bitrix24_deals.csv, hubspot_deals.csv,
pipedrive_deals.csv, salesforce_opportunities.csv, and amocrm_deals_cp1251.csv (the
amoCRM layout in cp1251 with ';').
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import crm_exports  # noqa: E402 - a sibling module, found through the path set above

HERE = Path(__file__).resolve().parent
SEED = 20261125

STAGES = ["Первичный контакт", "КП отправлено", "Переговоры", "Принимают решение"]
WON, LOST, INCOMING = "Успешно реализовано", "Закрыто и не реализовано", "Неразобранное"
# (name, skill): skill scales every stage-to-stage continuation probability
MANAGERS = [("Анна Смирнова", 1.10), ("Борис Петров", 1.0), ("Ольга Кузнецова", 1.05),
            ("Дмитрий Волков", 0.80), ("Елена Соколова", 0.95), ("Игорь Морозов", 1.0)]
SOURCES = [("Сайт", 0.35), ("Яндекс.Директ", 0.25), ("Рекомендация", 0.15),
           ("Холодный звонок", 0.15), ("Выставка", 0.10)]
SOURCE_BOOST = {"Рекомендация": 1.15, "Холодный звонок": 0.80}
CONTINUE = [0.70, 0.62, 0.58]  # P(reach stage k+1 | reached k), before skill
P_WIN_AT_DECISION = 0.55
REASONS = ["Дорого", "Выбрали конкурента", "Нет бюджета", "Не выходит на связь", "Неактуально"]
UTM = {"Сайт": "google", "Яндекс.Директ": "yandex", "Рекомендация": "", "Холодный звонок": "",
       "Выставка": "expo"}
HEADER = ["ID", "Название сделки", "Бюджет ", "Ответственный", "Дата создания сделки",
          "Кем создана сделка", "Дата редактирования", "Дата закрытия", "Теги", "Этап сделки",
          "Воронка", "Полное имя контакта", "Компания", "Источник", "utm_source", "Источник",
          "Причина отказа", "Этап отказа"]
FIRST = ["Иван", "Мария", "Сергей", "Наталья", "Алексей", "Татьяна", "Павел", "Юлия"]
LAST = ["Иванов", "Козлова", "Новиков", "Попова", "Лебедев", "Орлова", "Зайцев", "Белова"]
COMPANIES = ["ООО Ромашка", "АО Вектор", "ООО Стройснаб", "ИП Громов", "ООО ТехноПарк",
             "ООО Северный ветер", "АО Уралмаш-Сервис", "ООО Дельта"]


def ru(ts: dt.datetime) -> str:
    return ts.strftime("%d.%m.%Y %H:%M:%S")


def pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([n for n, _ in weighted], [w for _, w in weighted])[0]


def deal_row(rng: random.Random, deal_id: int, start: dt.datetime) -> list[str]:
    manager, skill = rng.choice(MANAGERS)
    source = pick(rng, SOURCES)
    created = start + dt.timedelta(days=rng.uniform(0, 92), hours=rng.uniform(9, 18))
    created = created.replace(microsecond=0)
    depth = 1
    for p in CONTINUE:
        if rng.random() < min(0.95, p * skill * SOURCE_BOOST.get(source, 1.0)):
            depth += 1
        else:
            break
    if rng.random() < 0.04:
        stage, outcome = INCOMING, "open"
    elif depth == len(STAGES) and rng.random() < 0.85:
        outcome = "won" if rng.random() < P_WIN_AT_DECISION * skill else "lost"
        stage = WON if outcome == "won" else LOST
    else:
        outcome = "lost" if rng.random() < 0.7 else "open"
        stage = LOST if outcome == "lost" else STAGES[depth - 1]
    closed = created + dt.timedelta(days=rng.lognormvariate(2.6, 0.6))
    closed = closed.replace(microsecond=0)
    lost_at = STAGES[depth - 1] if outcome == "lost" and rng.random() < 0.95 else ""
    contact = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return [
        str(31_440_000 + deal_id),
        f"Заявка — {contact}",
        str(rng.choice([15, 25, 40, 60, 90, 150, 240]) * 1000),
        manager,
        ru(created),
        rng.choice(["Робот", manager]),
        ru(closed if outcome != "open" else created + dt.timedelta(days=rng.uniform(0, 20))),
        ru(closed) if outcome != "open" else "не закрыта",
        rng.choice(["сайт,b2b", "b2b", "", "повторный", "тендер"]),
        stage,
        "Основная воронка",
        contact,
        rng.choice(COMPANIES),
        source,
        UTM[source],
        source,
        rng.choice(REASONS) if outcome == "lost" else "",
        lost_at,
    ]


def amocrm_deals(rng: random.Random, n: int = 2000) -> list[list[str]]:
    start = dt.datetime(2026, 8, 1)
    rows = [deal_row(rng, i, start) for i in range(n)]
    # Real exports carry a few broken values: the audit must reject these, with lines.
    for i, bad in zip(rng.sample(range(n), 3), ["31.02.2026 10:00:00", "2026/13/45", "вчера"]):
        rows[i][4] = bad
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(SEED)
    write_csv(HERE / "amocrm_deals.csv", HEADER, amocrm_deals(rng))
    # Each further export has its own seed, so adding one never changes the others.
    crm_exports.write_cp1251(HERE / "amocrm_deals_cp1251.csv", HEADER,
                             amocrm_deals(random.Random(SEED + 1), n=300))
    crm_exports.bitrix24(HERE / "bitrix24_deals.csv", random.Random(SEED + 2))
    crm_exports.hubspot(HERE / "hubspot_deals.csv", random.Random(SEED + 3))
    crm_exports.pipedrive(HERE / "pipedrive_deals.csv", random.Random(SEED + 4))
    crm_exports.salesforce(HERE / "salesforce_opportunities.csv", random.Random(SEED + 5))
    for name in ("amocrm_deals.csv", "amocrm_deals_cp1251.csv", "bitrix24_deals.csv",
                 "hubspot_deals.csv", "pipedrive_deals.csv", "salesforce_opportunities.csv"):
        print(f"wrote {HERE.name}/{name}")


if __name__ == "__main__":
    main()
