#!/usr/bin/env python3
"""Generate the bundled sample exports, deterministically (seeded), small enough for git.

    python sample_data/generate.py

store_events.csv: an online store's event log (~600 visitors over four weeks, ISO 8601
UTC timestamps), for the event funnel in configs/store.yaml: repeated and out-of-order
events, orders logged under two names, and two rows an audit must reject.

amocrm_deals.csv: an amoCRM-style deals export, ~2,000 deals, with the quirks of the
real thing: Russian headers (one with a trailing space, one duplicated), DD.MM.YYYY
HH:MM:SS dates, "не закрыта" as the close date of open deals, tags in one cell, the
"Неразобранное" (incoming) stage that a funnel config usually forgets, and a few rows
with impossible dates that an audit must reject, not drop.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

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


EVENT_HEADER = ["user_id", "event_name", "timestamp", "utm_source", "page"]
# (source, weight, skill): skill scales the chance to go on to the next step
EVENT_SOURCES = [("google", 0.4, 1.0), ("email", 0.2, 1.3), ("instagram", 0.3, 0.7),
                 ("direct", 0.1, 1.1)]
STORE_CONTINUE = [0.75, 0.45, 0.6, 0.7]  # product view, cart, checkout page, order


def store_events(rng: random.Random, n_users: int = 600) -> list[list[str]]:
    start = dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc)
    rows = []
    for user in range(n_users):
        uid = f"u{70_000 + user * 7}"
        for _ in range(rng.choice([1, 1, 1, 2, 3])):  # visits
            source, skill = rng.choices([(s, k) for s, _, k in EVENT_SOURCES],
                                        [w for _, w, _ in EVENT_SOURCES])[0]
            t = start + dt.timedelta(days=rng.uniform(0, 28), hours=rng.uniform(0, 1))
            rows.append([uid, "session_start", t, source, "/"])
            for step, p in enumerate(STORE_CONTINUE):
                if rng.random() > min(0.95, p * skill):
                    break
                # minutes to hours between steps; now and then a day or more (window 7d)
                t += dt.timedelta(minutes=rng.lognormvariate(2.5, 1.2))
                if rng.random() < 0.03:
                    t += dt.timedelta(days=rng.uniform(1, 10))
                name, page = [("product_view", f"/product/{rng.randint(1, 40)}"),
                              ("add_to_cart", "/cart"), ("page_view", "/checkout"),
                              (rng.choice(["order_placed", "purchase"]), "/thanks")][step]
                rows.append([uid, name, t, "", page])
                if step == 0 and rng.random() < 0.4:  # more product pages
                    rows.append([uid, name, t + dt.timedelta(minutes=2), "", page])
            if rng.random() < 0.3:
                rows.append([uid, "page_view", t + dt.timedelta(minutes=5), "", "/about"])
    rng.shuffle(rows)  # logs arrive out of order
    out = [[u, e, t.strftime("%Y-%m-%dT%H:%M:%SZ"), s, p] for u, e, t, s, p in rows]
    out[10][2] = "2026-09-31T10:00:00Z"  # no such day: rejected, not dropped
    out[20][0] = ""                      # no user: rejected
    return out


def main() -> None:
    rng = random.Random(SEED)
    write_csv(HERE / "amocrm_deals.csv", HEADER, amocrm_deals(rng))
    print(f"wrote {HERE.name}/amocrm_deals.csv")
    write_csv(HERE / "store_events.csv", EVENT_HEADER, store_events(random.Random(SEED + 1)))
    print(f"wrote {HERE.name}/store_events.csv")


if __name__ == "__main__":
    main()
