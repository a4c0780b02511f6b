"""Column-mapping presets, one dict per CRM: data, not code (see ../shared/CRM_FORMATS.md).

Each preset lists, per canonical column, the headers that CRM writes for it (Russian and
English UI labels, then API field names), best first. Headers are matched after
normalising case, spaces and punctuation, so `Deal - Stage`, `deal_stage` and `DEAL STAGE`
are one. `won_stages` / `lost_stages` are stage values that mean the deal closed (used
when a funnel lists no won / lost values); `status_values` are the words of the CRM's
status column, added to the defaults; `stage_order` is the CRM's default pipeline,
which `init --from-export` uses to order stages it recognises. `signature` headers map
to nothing but help `preset: auto` tell similar CRMs apart. `product_columns` are the
headers (per UI language) of a CRM that writes a deal once per product (io/deals.py).
"""

from __future__ import annotations

import re
from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "amocrm": {
        "label": "amoCRM / Kommo deals export",
        "columns": {
            "deal_id": ["ID", "id", "lead_id"],
            "stage": ["Этап сделки", "Этап", "Статус", "status", "status_id"],
            "created_at": ["Дата создания сделки", "Дата создания", "created_at"],
            "closed_at": ["Дата закрытия", "closed_at"],
            "amount": ["Бюджет", "Бюджет сделки", "Sale", "price"],
            "manager": ["Ответственный", "Ответственный за сделку", "responsible_user_id"],
            "pipeline": ["Воронка", "pipeline_id"],
            "loss_reason": ["Причина отказа", "loss_reason_id"],
            "source": ["Источник", "utm_source"],
            # The UI export has no stage-change date; its last edit is the nearest bound.
            # Being the last edit, it also picks the newest copy of a repeated deal: no
            # separate modified_at (the export has no other record-modified date).
            "stage_changed_at": ["Дата редактирования", "updated_at"],
            # No stored export shows one (CRM_FORMATS.md); accounts add it as a custom field.
            "expected_close": ["Планируемая дата закрытия", "Ожидаемая дата закрытия",
                               "Дата закрытия (план)"],
        },
        "won_stages": ["Успешно реализовано", "Successfully realized", "142"],
        "lost_stages": ["Закрыто и не реализовано", "Closed - lost", "143"],
        "signature": ["Название сделки", "Дата создания сделки", "Кем создана сделка",
                      "Полное имя контакта", "Этап сделки", "Бюджет", "Теги"],
        "timezone": "Europe/Moscow",
        # DOMAIN.md's amoCRM default pipeline, with the incoming-leads stage first.
        "stage_order": ["Неразобранное", "Первичный контакт", "КП отправлено", "Переговоры",
                        "Принимают решение", "Согласование договора"],
    },
    "bitrix24": {
        "label": "Bitrix24 deals list export",
        "columns": {
            "deal_id": ["ID"],
            "stage": ["Стадия сделки", "Стадия", "STAGE_ID"],
            "status": ["Группа стадий", "Семантика стадии", "Deal status", "STAGE_SEMANTIC_ID"],
            "created_at": ["Дата создания", "Created", "DATE_CREATE"],
            "closed_at": ["Дата завершения", "Дата закрытия", "Предполагаемая дата закрытия",
                          "Assumed close date", "CLOSEDATE"],
            "amount": ["Сумма", "Income", "OPPORTUNITY"],
            "currency": ["Валюта", "Currency", "CURRENCY_ID"],
            "manager": ["Ответственный", "Responsible", "ASSIGNED_BY", "ASSIGNED_BY_ID"],
            "pipeline": ["Воронка", "Направление", "Pipeline", "CATEGORY_ID"],
            "source": ["Источник", "Source", "SOURCE_ID"],
            "probability": ["Вероятность", "Probability, %", "PROBABILITY"],
            "expected_close": ["Предполагаемая дата закрытия", "Assumed close date", "CLOSEDATE"],
            "stage_changed_at": ["Дата перемещения", "MOVED_TIME", "Дата изменения",
                                 "Modified", "DATE_MODIFY"],
            # Which copy of a repeated deal is newer: any edit moves it, where two copies
            # in one stage share their "Дата перемещения" (the last move)
            "modified_at": ["Дата изменения", "Modified", "DATE_MODIFY"],
        },
        "status_values": {
            "open": ["в работе", "process", "p"],
            "won": ["успешные", "успешная", "успех", "success", "s"],
            "lost": ["неуспешные", "неуспешная", "провал", "провалена", "failure", "f"],
        },
        "won_stages": ["Сделка успешна", "Успешная сделка", "Deal won", "WON"],
        "lost_stages": ["Сделка провалена", "Анализ причины провала", "Deal lost", "LOSE",
                        "APOLOGY"],
        "signature": ["Стадия сделки", "Группа стадий", "Валюта", "Сделка закрыта",
                      "Кем создана", "Кем изменена", "Дата изменения", "Вероятность",
                      "Предполагаемая дата закрытия", "Повторная сделка"],
        "timezone": "Europe/Moscow",
        # With products selected the export writes a row per product: the product's name,
        # price and quantity, in the UI language (crm.deal.list's csv template).
        "product_columns": [["Товар", "Цена", "Количество"], ["Product", "Price", "Quantity"]],
        "stage_order": ["Новая", "Подготовка документов", "Счёт на предоплату",
                        "Счет на предоплату", "В работе", "Финальный счёт", "Финальный счет"],
    },
    "hubspot": {
        "label": "HubSpot deals export",
        "columns": {
            "deal_id": ["Record ID", "Deal ID", "hs_object_id"],
            "stage": ["Deal Stage", "Etapa do negócio", "dealstage"],
            "created_at": ["Create Date", "Data de criação", "createdate"],
            "closed_at": ["Close Date", "Data de fechamento", "closedate"],
            "amount": ["Amount", "Valor", "amount"],
            # multi-currency portals: the deal's currency code (deal_currency_code)
            "currency": ["Currency", "Deal currency code", "deal_currency_code"],
            "manager": ["Deal owner", "Proprietário do negócio", "hubspot_owner_id"],
            "pipeline": ["Pipeline", "pipeline"],
            "loss_reason": ["Closed Lost Reason", "closed_lost_reason"],
            "source": ["Original Source Type", "Original Source", "hs_analytics_source"],
            "probability": ["Deal probability", "hs_deal_stage_probability"],
            # An open deal's Close Date is its expected close (H6); closed deals use it as
            # closed_at. Only open deals are forecast, so one column serves both.
            "expected_close": ["Close Date", "Data de fechamento", "closedate"],
            "stage_changed_at": ["Date entered current stage",
                                 "hs_v2_date_entered_current_stage", "Last Modified Date",
                                 "hs_lastmodifieddate"],
            # Which copy of a repeated record is newer: any edit moves it, where two
            # copies in one stage share their "Date entered current stage"
            "modified_at": ["Last Modified Date", "hs_lastmodifieddate"],
        },
        "won_stages": ["Closed Won", "closedwon"],
        "lost_stages": ["Closed Lost", "closedlost"],
        "signature": ["Record ID", "Deal Name", "Deal owner", "Weighted amount",
                      "Forecast amount", "Days to close", "Is Stalled",
                      "Date entered current stage", "Last Activity Date"],
        "stage_order": ["Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
                        "Decision Maker Bought-In", "Contract Sent"],
    },
    "pipedrive": {
        "label": "Pipedrive deals export",
        "columns": {
            "deal_id": ["Deal - ID", "Deal - Pipedrive System ID", "id"],
            "stage": ["Deal - Stage", "Deal - Stage (pipeline)", "stage_id"],
            "status": ["Deal - Status", "status"],
            "created_at": ["Deal - Deal created", "Deal - Deal created on",
                           "Deal - Creation date", "Deal - Add time", "add_time"],
            "closed_at": ["Deal - Deal closed on", "Deal - Closed on", "Deal - Close time",
                          "Deal - Won time", "close_time", "won_time"],
            "amount": ["Deal - Value", "Deal - Deal value", "value"],
            "currency": ["Deal - Currency", "Deal - Currency of Value", "currency"],
            "manager": ["Deal - Owner", "Deal - Creator", "owner_name", "user_id"],
            "pipeline": ["Deal - Pipeline", "pipeline_id"],
            "loss_reason": ["Deal - Lost reason", "lost_reason"],
            "source": ["Deal - Source", "Deal - Source channel", "origin"],
            "probability": ["Deal - Probability", "probability"],
            "expected_close": ["Deal - Expected close date", "expected_close_date"],
            "stage_changed_at": ["Deal - Last stage change", "stage_change_time",
                                 "Deal - Update time", "update_time"],
            # Which copy of a repeated deal is newer: any edit moves it, where two copies
            # in one stage share their "Deal - Last stage change"
            "modified_at": ["Deal - Update time", "update_time"],
        },
        "won_stages": [],
        "lost_stages": [],
        "signature": ["Deal - Title", "Deal - Currency", "Deal - Last stage change",
                      "Deal - Expected close date", "Deal - Won time", "Deal - Lost time",
                      "Deal - Organization", "Deal - Contact person"],
        "stage_order": ["Lead In", "Qualified", "Contact Made", "Demo Scheduled",
                        "Needs Defined", "Proposal Made", "Negotiations Started"],
    },
    "salesforce": {
        "label": "Salesforce opportunity report",
        "columns": {
            "deal_id": ["Opportunity ID", "Opportunity ID (18)", "Opportunity Id", "Id"],
            "stage": ["Stage", "Opportunity Stage", "StageName"],
            "created_at": ["Created Date", "CreatedDate"],
            "closed_at": ["Close Date", "CloseDate"],
            "amount": ["Amount", "Amount (converted)", "Total Price"],
            # multi-currency orgs; else the amount text itself says it ("USD 485,000.00")
            "currency": ["Opportunity Currency", "Amount Currency", "CurrencyIsoCode"],
            "manager": ["Opportunity Owner", "Owner", "Owner Name", "Owner.Name", "OwnerId"],
            "pipeline": ["Opportunity Record Type", "Record Type", "RecordType.Name"],
            "loss_reason": ["Lost Reason", "Loss Reason", "Reason Lost", "Closed Lost Reason"],
            "source": ["Lead Source", "LeadSource"],
            "probability": ["Probability (%)", "Probability"],
            "expected_close": ["Close Date", "CloseDate"],  # an open opportunity's: expected
        },
        "won_stages": ["Closed Won"],
        "lost_stages": ["Closed Lost"],
        "signature": ["Opportunity Name", "Account Name", "Opportunity Owner", "Fiscal Period",
                      "Forecast Category", "Age", "Next Step", "Probability (%)"],
        "stage_order": ["Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
                        "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
                        "Negotiation/Review"],
    },
}

REQUIRED = ("deal_id", "stage", "created_at")
AUTO = "auto"


def normalise(header: str) -> str:
    """Case, spaces, dashes and punctuation do not matter: 'Deal - Stage' == 'deal_stage'."""
    return re.sub(r"[\W_]+", "", header.casefold())


def match_columns(preset: str, columns: list[str]) -> dict[str, str]:
    """canonical -> file header, for each canonical column the preset finds in `columns`.

    Aliases are tried best first; the first file column with that alias wins (a
    duplicated header's first copy).
    """
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(normalise(column), column)
    found = {}
    for canonical, aliases in PRESETS[preset]["columns"].items():
        for alias in aliases:
            if normalise(alias) in by_norm:
                found[canonical] = by_norm[normalise(alias)]
                break
    return found


def aliases(canonical: str) -> list[str]:
    """Every preset's headers for a canonical column, normalised, each once (preset order):
    an export no preset knows may still use one CRM's words ("Ответственный")."""
    return list(dict.fromkeys(normalise(a) for spec in PRESETS.values()
                              for a in spec["columns"].get(canonical, [])))


def product_columns(preset: str | None, columns: list[str]) -> list[str] | None:
    """The file's product name, price and quantity headers, when the preset's CRM writes a
    row per product and the file has all three; else None."""
    present = {normalise(c): c for c in reversed(columns)}  # a repeated header: its first
    for names in PRESETS[preset].get("product_columns", []) if preset else []:
        if all(normalise(n) in present for n in names):
            return [present[normalise(n)] for n in names]
    return None


def score(preset: str, columns: list[str]) -> int:
    """How many file headers the preset knows (mapped columns and signature headers)."""
    known = {normalise(a) for aliases in PRESETS[preset]["columns"].values() for a in aliases}
    known |= {normalise(s) for s in PRESETS[preset].get("signature", [])}
    return len({normalise(c) for c in columns} & known)


def rank(columns: list[str]) -> list[tuple[str, int, list[str]]]:
    """(preset, score, missing required columns), best first; usable ones before the rest."""
    rows = []
    for name in PRESETS:
        matched = match_columns(name, columns)
        missing = [c for c in REQUIRED if c not in matched]
        rows.append((name, score(name, columns), missing))
    return sorted(rows, key=lambda r: (len(r[2]), -r[1]))


def pick(columns: list[str]) -> str | None:
    """The preset that maps every required column and knows the most headers, or None."""
    best = rank(columns)[0]
    return best[0] if not best[2] and best[1] > 0 else None


def describe_closest(columns: list[str]) -> str:
    name, points, missing = rank(columns)[0]
    if not points:
        return "no preset recognises any of these columns"
    need = ", ".join(missing) if missing else "nothing"
    return f"closest preset: {name} ({points} known headers; missing {need})"


def with_preset_outcomes(funnel: Any, preset: str | None) -> Any:
    """A funnel that lists no won / lost values takes its preset's (e.g. amoCRM's
    "Успешно реализовано" / "Закрыто и не реализовано")."""
    if not preset or funnel.won or funnel.lost:
        return funnel
    spec = PRESETS[preset]
    return funnel.model_copy(update={"won": list(spec.get("won_stages", [])),
                                     "lost": list(spec.get("lost_stages", []))})
