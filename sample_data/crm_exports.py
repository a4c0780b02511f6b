"""One small export per CRM, each with the layout and quirks of the real thing
(see CRM_FORMATS.md in the project's shared notes). Used by generate.py; seeded.

Every CRM gets the same kind of simulated deals (a depth reached, then won, lost or
still open); only the writing differs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from pathlib import Path

START = dt.datetime(2026, 3, 1)
CONTINUE = [0.72, 0.62, 0.58, 0.66]  # P(reach stage k+1 | reached k)


@dataclass
class Deal:
    n: int
    depth: int  # 1-based stage index reached
    outcome: str  # open / won / lost
    created: dt.datetime
    closed: dt.datetime | None
    manager: str
    amount: float


def simulate(rng: random.Random, n: int, stages: int, managers: list[str]) -> list[Deal]:
    deals = []
    for i in range(n):
        depth = 1
        while depth < stages and rng.random() < CONTINUE[min(depth - 1, len(CONTINUE) - 1)]:
            depth += 1
        if depth == stages and rng.random() < 0.8:
            outcome = "won" if rng.random() < 0.55 else "lost"
        else:
            outcome = "lost" if rng.random() < 0.6 else "open"
        created = START + dt.timedelta(days=rng.uniform(0, 120), hours=rng.uniform(8, 19))
        created = created.replace(second=0, microsecond=0)
        closed = None
        if outcome != "open":
            closed = created + dt.timedelta(days=rng.lognormvariate(2.5, 0.6))
            closed = closed.replace(second=0, microsecond=0)
        amount = round(rng.choice([450, 1250.5, 3000, 8200, 15000, 48000, 144000]), 2)
        deals.append(Deal(i, depth, outcome, created, closed, rng.choice(managers), amount))
    return deals


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8", **fmt) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", **fmt).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


# --- Bitrix24: every field quoted, ';' after every field, UTF-8 BOM, a row per product ---
BX_STAGES = ["Новая", "Подготовка документов", "Счёт на предоплату", "В работе", "Финальный счёт"]
BX_HEADER = ["ID", "Название сделки", "Стадия сделки", "Группа стадий", "Воронка", "Сумма",
             "Валюта", "Вероятность", "Ответственный", "Дата создания", "Дата изменения",
             "Предполагаемая дата закрытия", "Сделка закрыта", "Компания", "Источник", "Товар",
             "Цена", "Количество"]
BX_PRODUCTS = [("Лицензия Про", 25000.0), ("Внедрение", 60000.0), ("Обучение", 12500.5)]


def bitrix24(path: Path, rng: random.Random, n: int = 240) -> None:
    managers = ["Ольга Петрова", "Иван Сидоров", "Мария Белова", "Пётр Орлов"]
    lines = ['"' + '";"'.join(BX_HEADER) + '";']
    for d in simulate(rng, n, len(BX_STAGES), managers):
        stage = {"won": "Сделка успешна", "lost": "Сделка провалена"}.get(
            d.outcome, BX_STAGES[d.depth - 1])
        group = {"won": "Успешные", "lost": "Неуспешные"}.get(d.outcome, "В работе")
        prob = {"won": 100, "lost": 0}.get(d.outcome, 10 + 20 * (d.depth - 1))
        modified = d.closed or d.created + dt.timedelta(days=rng.uniform(0, 9))
        base = [str(1000 + d.n), f"Поставка — клиент {d.n}", stage, group, "Общая", "",
                "Российский рубль", str(prob), d.manager, f"{d.created:%d.%m.%Y %H:%M:%S}",
                f"{modified:%d.%m.%Y %H:%M:%S}", f"{(d.closed or d.created):%d.%m.%Y}",
                "Да" if d.closed else "Нет", rng.choice(["ООО Вектор", "АО Полюс", "ИП Громов"]),
                rng.choice(["Звонок", "Сайт", "Рекомендация"])]
        for name, price in rng.sample(BX_PRODUCTS, rng.choice([1, 1, 2, 3])):
            qty = rng.choice([1, 2])
            row = base[:5] + [f"{price * qty:.2f}"] + base[6:] + [name, f"{price:.2f}", str(qty)]
            lines.append('"' + '";"'.join(v.replace('"', '""') for v in row) + '";')
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8"))


# --- HubSpot: all fields quoted, YYYY-MM-DD HH:MM, wide "Date entered" columns ---
HS_STAGES = ["Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
             "Decision Maker Bought-In", "Contract Sent"]


def hubspot(path: Path, rng: random.Random, n: int = 300) -> None:
    managers = ["Sam Sales", "Alex Closer", "Jo Pipeline"]
    entered = ["Qualified To Buy", "Closed Won"]
    header = ["Record ID", "Deal Name", "Pipeline", "Deal Stage", "Amount", "Deal owner",
              "Create Date", "Close Date", "Closed Lost Reason",
              *(f'Date entered "{s} (Sales Pipeline)"' for s in entered)]
    rows = [header]
    for d in simulate(rng, n, len(HS_STAGES), managers):
        stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(d.outcome, HS_STAGES[d.depth - 1])
        close = d.closed or (d.created + dt.timedelta(days=30))
        qualified = (f"{d.created + dt.timedelta(days=2):%Y-%m-%d %H:%M}" if d.depth >= 2 else "")
        won_at = f"{close:%Y-%m-%d %H:%M}" if d.outcome == "won" else ""
        rows.append([str(7000 + d.n), f"Deal {d.n}", "Sales Pipeline", stage, f"{d.amount:g}",
                     d.manager, f"{d.created:%Y-%m-%d %H:%M}", f"{close:%Y-%m-%d %H:%M}",
                     rng.choice(["Price", "Timing", "Competitor"]) if d.outcome == "lost" else "",
                     qualified, won_at])
    _write(path, rows, quoting=csv.QUOTE_ALL)


# --- Pipedrive: "Deal - X" headers, £1,250.50 values, Open / Won / Lost status ---
PD_STAGES = ["Lead In", "Contact Made", "Demo Scheduled", "Proposal Made",
             "Negotiations Started"]


def pipedrive(path: Path, rng: random.Random, n: int = 280) -> None:
    managers = ["Maria Lopez", "Tom Baker", "Priya Shah"]
    header = ["Deal - ID", "Deal - Title", "Deal - Owner", "Deal - Value", "Deal - Currency",
              "Deal - Pipeline", "Deal - Stage", "Deal - Status", "Deal - Deal created",
              "Deal - Last stage change", "Deal - Expected close date", "Deal - Won time",
              "Deal - Lost time", "Deal - Lost reason"]
    rows = [header]
    for d in simulate(rng, n, len(PD_STAGES), managers):
        closed = f"{d.closed:%Y-%m-%d %H:%M:%S}" if d.closed else ""
        rows.append([str(5000 + d.n), f"Org {d.n} - Route", d.manager, f"£{d.amount:,.2f}", "GBP",
                     "Sales", PD_STAGES[d.depth - 1], d.outcome.capitalize(),
                     f"{d.created:%Y-%m-%d %H:%M:%S}",
                     f"{d.created + dt.timedelta(days=d.depth * 3):%Y-%m-%d %H:%M:%S}",
                     f"{d.created + dt.timedelta(days=45):%Y-%m-%d}",
                     closed if d.outcome == "won" else "", closed if d.outcome == "lost" else "",
                     rng.choice(["Budget", "No response"]) if d.outcome == "lost" else ""])
    _write(path, rows)


# --- Salesforce: USD 485,000.00 / "-", DD/MM/YYYY, duplicate ID column, footer lines ---
SF_STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote",
             "Negotiation/Review"]


def salesforce(path: Path, rng: random.Random, n: int = 260,
               currency_rng: random.Random | None = None) -> None:
    """With `currency_rng` (a stream of its own, so every other value stays the same), a
    multi-currency org: about one deal in twelve is in EUR ("EUR 12,000.00")."""
    managers = ["William Jeanne", "Amara Okafor", "Lena Fischer"]
    header = ["Opportunity Name", "Account Name", "Opportunity Owner", "Stage", "Amount",
              "Probability (%)", "Close Date", "Created Date", "Age", "Fiscal Period",
              "Forecast Category", "Lost Reason", "Opportunity ID", "Opportunity ID"]
    rows = [header]
    for d in simulate(rng, n, len(SF_STAGES), managers):
        stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(d.outcome, SF_STAGES[d.depth - 1])
        close = d.closed or d.created + dt.timedelta(days=60)
        code = "EUR" if currency_rng and currency_rng.random() < 0.08 else "USD"
        amount = "-" if rng.random() < 0.08 else f"{code} {d.amount:,.2f}"
        prob = {"won": 100, "lost": 0}.get(d.outcome, 10 * d.depth)
        sf_id = f"006U6000{d.n:07d}"
        rows.append([f"Opportunity {d.n}", f"Account {d.n % 40}", d.manager, stage, amount,
                     f"{prob}%", f"{close:%d/%m/%Y}", f"{d.created:%d/%m/%Y}",
                     str((close - d.created).days), f"Q{(close.month - 1) // 3 + 1}-{close.year}",
                     {"won": "Closed", "lost": "Omitted"}.get(d.outcome, "Pipeline"),
                     rng.choice(["Price", "Timing"]) if d.outcome == "lost" else "-",
                     sf_id, sf_id + "AAB"])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.write(f'\n"Grand Totals ({n} records)"\n'
                 '"Confidential Information - Do Not Distribute"\n'
                 '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n')
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_cp1251(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """amoCRM exported with the Windows encoding a Russian Excel opens: cp1251, ';', CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode("cp1251"))
