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
with impossible dates that an audit must reject, not drop; and an expected close date per
deal (forecast_samples.py, its own random stream). snoozed.csv: eight open deals kept out
of the stuck and overdue findings; plan.csv: each manager's monthly sales plan.

templates/: one small sample per starter config in funnelctl/templates/, made from the
template itself (its stage values, won/lost values and column headers): a deals
snapshot, a long stage history (with a few deals that skip stages or move backwards),
or an event log. configs/templates/ gets each template with its path pointed at its
sample (the templates stay the one source of truth).

Exports for `init --from-export` (init_samples.py): bitrix24_codes.csv (stage codes, two
categories), unknown_ru.csv (Russian headers no preset knows), event_log.csv.

Small exports of the other CRMs (crm_exports.py): bitrix24_deals.csv, hubspot_deals.csv,
pipedrive_deals.csv, salesforce_opportunities.csv, and amocrm_deals_cp1251.csv (the
amoCRM layout in cp1251 with ';'). pipedrive_deals_earlier.csv (snapshots.py): the
Pipedrive export as it was on 2026-05-15, for `funnelctl audit --since-snapshot`.
salesforce_opportunity_history.csv (sf_history.py): a Salesforce Opportunity History
report with amounts in USD and EUR, close dates pushed out, amounts revised, moves back
and reopened deals: the money view, forecast and waterfall of a stage-history funnel.

activities.csv: a calls-and-meetings log (one row per activity) of the same managers over
October and November 2026, with Russian type labels ("Исходящий звонок", "Встреча"), other
activity types the norms do not grade ("Письмо", "Задача"), one manager who is often below
the norm, one on holiday for a week, a trainee missing from the roster, a little weekend
and public-holiday work (4 November), and a few broken rows.

telephony_calls.csv (telephony.py): the phone-sales team's call log from a virtual PBX: no
type column, "mm:ss" durations, names as "Фамилия И." or an extension, a system user, and
a manager who joins mid-period.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import sys
from pathlib import Path

import yaml

from funnelctl.commands.init import TEMPLATES_DIR, template_names, template_text, with_data_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import crm_exports  # noqa: E402 - a sibling module, found through the path set above
import forecast_samples  # noqa: E402 - likewise
import init_samples  # noqa: E402 - likewise
import sf_history  # noqa: E402 - likewise
import snapshots  # noqa: E402 - likewise
import telephony  # noqa: E402 - likewise

HERE = Path(__file__).resolve().parent
CONFIG_TEMPLATES = HERE.parent / "configs" / "templates"
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


# (name, meetings per day, calls per day): ranges drawn uniformly for each working day
ACTIVITY_PROFILES = [
    ("Анна Смирнова", (2, 3), (12, 22)),     # mostly good days
    ("Борис Петров", (1, 2), (14, 32)),      # good and acceptable
    ("Ольга Кузнецова", (2, 4), (4, 12)),    # meeting-heavy
    ("Дмитрий Волков", (0, 1), (8, 28)),     # often below the norm
    ("Елена Соколова", (1, 3), (10, 30)),    # on holiday 9-13 November
    ("Игорь Морозов", (0, 1), (25, 40)),     # phone-heavy
    ("Пётр Стажёров", (0, 0), (5, 15)),      # trainee, not on the roster
]
CALL_LABELS = ["Исходящий звонок", "Исходящий звонок", "Входящий звонок", "Звонок"]
OTHER_LABELS = ["Письмо", "Письмо", "Задача"]
ACTIVITY_HEADER = ["Ответственный", "Дата и время", "Тип"]
VACATION = (dt.date(2026, 11, 9), dt.date(2026, 11, 13))
PUBLIC_HOLIDAY = dt.date(2026, 11, 4)


def day_activities(rng: random.Random, name: str, meetings: tuple[int, int],
                   calls: tuple[int, int], day: dt.date) -> list[tuple[dt.datetime, str]]:
    """(time, type label) of one manager's activities on one day."""
    off = day.weekday() >= 5 or day == PUBLIC_HOLIDAY
    if off:
        # now and then someone calls a client on a day off
        labels = rng.choices(CALL_LABELS, k=rng.randint(1, 4)) if rng.random() < 0.08 else []
    else:
        labels = (["Встреча"] * rng.randint(*meetings)
                  + rng.choices(CALL_LABELS, k=rng.randint(*calls))
                  + rng.choices(OTHER_LABELS, k=rng.randint(0, 3)))
    start = dt.datetime.combine(day, dt.time(9))
    return [(start + dt.timedelta(seconds=rng.randint(0, 10 * 3600)), label) for label in labels]


def activities(rng: random.Random) -> list[list[str]]:
    first = dt.date(2026, 10, 1)
    days = [first + dt.timedelta(days=i) for i in range(61)]
    rows = []
    for name, meetings, calls in ACTIVITY_PROFILES:
        for day in days:
            if name == "Елена Соколова" and VACATION[0] <= day <= VACATION[1]:
                continue
            for ts, label in day_activities(rng, name, meetings, calls, day):
                rows.append([name, ru(ts), label])
    rows.sort(key=lambda r: (dt.datetime.strptime(r[1], "%d.%m.%Y %H:%M:%S"), r[0]))
    # Broken rows a real log has: the audit rejects them with their line and reason.
    for i, (column, bad) in zip(rng.sample(range(len(rows)), 3),
                                [(0, ""), (1, "31.11.2026 10:00:00"), (1, "вчера")]):
        rows[i][column] = bad
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


# --- template samples: English CRM-style exports, ISO dates -----------------------------
PEOPLE = ["Alice Moore", "Ben Carter", "Chloe Diaz", "Dan Evans"]
CHANNELS = ["Website", "Ads", "Referral", "Cold call", "Events"]
EVENT_CONTINUE = [0.12, 0.55, 0.2, 0.6, 0.7]  # online store: P(next step | this step)


def iso(ts: dt.datetime) -> str:
    return ts.strftime("%Y-%m-%d %H:%M:%S")


def template_spec(name: str) -> dict:
    config = yaml.safe_load((TEMPLATES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    funnel = config["funnels"][0]
    source = config["sources"][funnel["source"]]
    return {"kind": source["kind"], "file": source["path"],
            "columns": source.get("columns", {}),
            "values": [(s.get("match") or [s["name"]])[0] for s in funnel["stages"]],
            "won": (funnel.get("won") or [None])[0], "lost": (funnel.get("lost") or [None])[0]}


def walk(rng: random.Random, n: int) -> int:
    """How deep one prospect gets: each step continues with a probability of 0.55..0.8."""
    depth = 1
    while depth < n and rng.random() < rng.uniform(0.55, 0.8):
        depth += 1
    return depth


def history_deal(rng: random.Random, spec: dict) -> list[tuple[str, dt.datetime]]:
    """(stage value, entered at) of one deal, with the odd skip or step back."""
    values = spec["values"]
    depth = walk(rng, len(values))
    visits = list(range(depth))
    roll = rng.random()
    if roll < 0.05 and depth >= 3:
        visits.pop(rng.randrange(1, depth - 1))  # skips a stage
    elif roll < 0.09 and depth >= 2:
        k = rng.randrange(1, depth)
        visits[k:k] = [k, k - 1]  # reaches k, steps back to k-1, then goes on
    t = TEMPLATE_START + dt.timedelta(days=rng.uniform(0, 90), hours=rng.uniform(9, 18))
    entries = []
    for i in visits:
        entries.append((values[i], t.replace(microsecond=0)))
        t += dt.timedelta(days=rng.lognormvariate(1.2, 0.8))
    if spec["won"] and depth == len(values) and rng.random() < 0.6:
        entries.append((spec["won"], t.replace(microsecond=0)))
    elif spec["lost"] and rng.random() < 0.55:
        entries.append((spec["lost"], t.replace(microsecond=0)))
    return entries


def history_sample(rng: random.Random, spec: dict, n: int = 250) -> tuple[list, list]:
    cols = spec["columns"]
    header = [cols[c] for c in ("deal_id", "stage", "entered_at", "manager", "source")]
    rows = []
    for i in range(n):
        deal, who, channel = f"D-{1001 + i}", rng.choice(PEOPLE), rng.choice(CHANNELS)
        rows += [[deal, stage, iso(at), who, channel] for stage, at in history_deal(rng, spec)]
    return header, rows


def snapshot_sample(rng: random.Random, spec: dict, n: int = 300) -> tuple[list, list]:
    cols, values = spec["columns"], spec["values"]
    order = [c for c in ("deal_id", "stage", "created_at", "closed_at", "amount", "manager",
                         "lost_stage", "source") if c in cols]
    rows = []
    for i in range(n):
        depth = walk(rng, len(values))
        created = TEMPLATE_START + dt.timedelta(days=rng.uniform(0, 90), hours=rng.uniform(9, 18))
        closed = created + dt.timedelta(days=rng.lognormvariate(2.4, 0.6))
        row = {"deal_id": f"D-{1001 + i}", "stage": values[depth - 1], "created_at": iso(created),
               "closed_at": "", "amount": str(rng.choice([5, 12, 30, 75, 150]) * 1000),
               "manager": rng.choice(PEOPLE), "lost_stage": "", "source": rng.choice(CHANNELS)}
        if spec["won"] and depth == len(values) and rng.random() < 0.6:
            row |= {"stage": spec["won"], "closed_at": iso(closed)}
        elif spec["lost"] and rng.random() < 0.5:
            row |= {"stage": spec["lost"], "closed_at": iso(closed),
                    "lost_stage": values[depth - 1] if rng.random() < 0.95 else ""}
        rows.append([row[c] for c in order])
    return [cols[c] for c in order], rows


def events_sample(rng: random.Random, spec: dict, n: int = 2000) -> tuple[list, list]:
    cols = spec["columns"]
    rows = []
    for i in range(n):
        t = TEMPLATE_START + dt.timedelta(days=rng.uniform(0, 60), hours=rng.uniform(0, 24))
        for step, event in enumerate(spec["values"]):
            if step and rng.random() >= EVENT_CONTINUE[step - 1]:
                break
            # The odd late step falls outside a 7-day window.
            t += dt.timedelta(days=9) if step and rng.random() < 0.03 else \
                dt.timedelta(minutes=rng.lognormvariate(3, 1.5))
            rows.append([f"v{10001 + i}", event, iso(t.replace(microsecond=0))])
    return [cols[c] for c in ("entity_id", "event", "ts")], rows


SAMPLERS = {"stage_history": history_sample, "deals": snapshot_sample, "events": events_sample}
TEMPLATE_START = dt.datetime(2026, 8, 1)


def template_samples() -> None:
    """A sample per template (unless it uses a bundled one) and its configs/ copy."""
    CONFIG_TEMPLATES.mkdir(parents=True, exist_ok=True)
    (HERE / "templates").mkdir(exist_ok=True)
    for name in template_names():
        spec = template_spec(name)
        sample = HERE / spec["file"]
        if not sample.exists():
            sample = HERE / "templates" / spec["file"]
            rng = random.Random(f"{SEED}-{name}")  # one stream per template: stable samples
            write_csv(sample, *SAMPLERS[spec["kind"]](rng, spec))
            print(f"wrote {sample.relative_to(HERE.parent)}")
        relative = Path(os.path.relpath(sample, CONFIG_TEMPLATES)).as_posix()
        config = CONFIG_TEMPLATES / f"{name}.yaml"
        config.write_text(with_data_path(template_text(name), relative), encoding="utf-8")
        print(f"wrote {config.relative_to(HERE.parent)}")


def main() -> None:
    rng = random.Random(SEED)
    deals = amocrm_deals(rng)
    # The forecast's expected close dates, snoozed deals and plan: a stream of their own.
    forecast_rng = random.Random(f"{SEED}-forecast")
    write_csv(HERE / "amocrm_deals.csv",
              *forecast_samples.with_expected_close(HEADER, deals, forecast_rng))
    write_csv(HERE / "snoozed.csv", ["deal_id", "until", "note"],
              forecast_samples.snoozed(deals, forecast_rng))
    write_csv(HERE / "plan.csv", ["month", "manager", "amount"], forecast_samples.plan_rows())
    template_samples()
    # Each further export has its own seed, so adding one never changes the others.
    crm_exports.write_cp1251(HERE / "amocrm_deals_cp1251.csv", HEADER,
                             amocrm_deals(random.Random(SEED + 1), n=300))
    crm_exports.bitrix24(HERE / "bitrix24_deals.csv", random.Random(SEED + 2))
    crm_exports.hubspot(HERE / "hubspot_deals.csv", random.Random(SEED + 3))
    crm_exports.pipedrive(HERE / "pipedrive_deals.csv", random.Random(SEED + 4))
    crm_exports.salesforce(HERE / "salesforce_opportunities.csv", random.Random(SEED + 5),
                           currency_rng=random.Random(f"{SEED}-currency"))
    # The Pipedrive export as it was earlier (--since-snapshot), from its own stream.
    snapshots.pipedrive_earlier(HERE / "pipedrive_deals.csv",
                                HERE / "pipedrive_deals_earlier.csv",
                                random.Random(f"{SEED}-earlier"))
    # A stage history with amounts and close dates, from its own stream too.
    sf_history.write(HERE / "salesforce_opportunity_history.csv",
                     random.Random(f"{SEED}-sf-history"))
    init_samples.write_all(HERE, SEED)
    for name in ("amocrm_deals.csv", "snoozed.csv", "plan.csv", "amocrm_deals_cp1251.csv",
                 "bitrix24_deals.csv", "hubspot_deals.csv", "pipedrive_deals.csv",
                 "pipedrive_deals_earlier.csv",
                 "salesforce_opportunities.csv", "salesforce_opportunity_history.csv"):
        print(f"wrote {HERE.name}/{name}")
    # A separate stream, so the other exports stay the same when this log changes.
    write_csv(HERE / "activities.csv", ACTIVITY_HEADER, activities(random.Random(SEED + 6)))
    print(f"wrote {HERE.name}/activities.csv")
    write_csv(HERE / "store_events.csv", EVENT_HEADER, store_events(random.Random(SEED + 7)))
    print(f"wrote {HERE.name}/store_events.csv")
    telephony.write(HERE / "telephony_calls.csv", random.Random(f"{SEED}-telephony"))
    print(f"wrote {HERE.name}/telephony_calls.csv")


if __name__ == "__main__":
    main()
