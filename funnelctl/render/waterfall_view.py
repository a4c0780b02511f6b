"""The pipeline waterfall as every renderer words it: bucket names, signs, values per
currency, the slippage and matching lines, in English and Russian."""

from __future__ import annotations

from dataclasses import dataclass

from funnelctl.plural import plural
from funnelctl.render.fmt import DASH, Fmt
from funnelctl.render.labels_ru import reason_text
from funnelctl.report_waterfall import Waterfall, WaterfallBucket, WaterfallManager

WORDS = {
    "en": {
        "title": "Pipeline waterfall", "bucket": "Bucket", "deals": "Deals", "value": "Value",
        "manager": "Manager", "deal": "Deal", "from": "Was", "to": "Now",
        "amount_before": "Amount was", "amount_after": "Amount now",
        "close_before": "Close date was", "close_after": "Close date now", "days": "Days",
        "open_start": "Open at start", "new": "New", "reopened": "Reopened",
        "advanced": "Advanced", "moved_back": "Moved back", "slipped": "Close date pushed out",
        "amount_raised": "Amount raised", "amount_cut": "Amount cut", "won": "Won",
        "lost": "Lost", "removed": "Removed (gone from the newer export)",
        "open_end": "Open at end",
        "basis_history": "stage history, {start} → {end}",
        "basis_snapshot": "older export {older} (latest date {start}) → current export "
                          "(latest date {end})",
        "rule": "open at start + new + reopened + amount raised − amount cut − won − lost − "
                "removed = open at end; advanced, moved back and close date pushed out move "
                "deals inside the pipeline (·)",
        "slippage": "close date pushed out: {n} of the deals open at both dates ({share}), "
                    "median {median} d, at most {max} d, {total} d in all",
        "pushes": "; {n} push in the period|; {n} pushes in the period",
        "no_close_dates": "close date pushed out: unknown, the data has no expected close "
                          "date (map expected_close)",
        "no_amounts": "no amounts: the buckets count deals only",
        "matching": "matching by deal id",
        "per_manager": "Per manager",
        "shown": ("{shown} of {n} deal shown (the largest first)|"
                  "{shown} of {n} deals shown (the largest first)"),
        "several": "several currencies, never added together",
        # A count's sentence has one form per number form ("one|many"; Russian one|few|many).
        "unpriced": ("{n} deal of the waterfall has no amount at one date or both: it "
                     "counts, valued 0|{n} deals of the waterfall have no amount at one date "
                     "or both: they count, valued 0"),
        "outcome_changed": "|".join(
            f"{{n}} {deals} closed at both dates changed outcome (won ↔ lost): outside the "
            "open pipeline, in no bucket" for deals in ("deal", "deals")),
    },
    "ru": {
        "title": "Движение воронки", "bucket": "Показатель", "deals": "Сделки",
        "value": "Сумма", "manager": "Менеджер", "deal": "Сделка", "from": "Было",
        "to": "Стало", "amount_before": "Сумма была", "amount_after": "Сумма стала",
        "close_before": "Дата закрытия была", "close_after": "Дата закрытия стала",
        "days": "Дней", "open_start": "В работе на начало", "new": "Новые",
        "reopened": "Открыты снова", "advanced": "Продвинулись", "moved_back": "Откатились назад",
        "slipped": "Дата закрытия отложена", "amount_raised": "Сумма увеличена",
        "amount_cut": "Сумма уменьшена", "won": "Выиграны", "lost": "Проиграны",
        "removed": "Исчезли (нет в новой выгрузке)", "open_end": "В работе на конец",
        "basis_history": "история этапов, {start} → {end}",
        "basis_snapshot": "старая выгрузка {older} (последняя дата {start}) → текущая "
                          "выгрузка (последняя дата {end})",
        "rule": "в работе на начало + новые + открыты снова + увеличение суммы − уменьшение "
                "суммы − выиграны − проиграны − исчезли = в работе на конец; продвинулись, "
                "откатились и отложенные — движение внутри воронки (·)",
        "slippage": "дата закрытия отложена: {n} из сделок в работе на обе даты ({share}), "
                    "медиана {median} дн., максимум {max} дн., всего {total} дн.",
        "pushes": "; переносов за период: {n}",
        "no_close_dates": "дата закрытия отложена: неизвестно, в данных нет ожидаемой даты "
                          "закрытия (сопоставьте expected_close)",
        "no_amounts": "сумм нет: считаются только сделки",
        "matching": "сопоставление по ID сделки",
        "per_manager": "По менеджерам",
        "shown": "|".join(f"показано {{shown}} из {{n}} {deals} (сначала крупные)"
                          for deals in ("сделки", "сделок", "сделок")),  # из 21 сделки
        "several": "несколько валют, не складываются",
        "unpriced": "|".join(f"{{n}} {deals} без суммы на одну из дат: {count}, сумма 0"
                             for deals, count in (("сделка", "считается"),
                                                  ("сделки", "считаются"),
                                                  ("сделок", "считаются"))),
        "outcome_changed": "|".join(
            f"{{n}} {deals} на обе даты, {changed} исход (выиграна ↔ проиграна): вне открытой "
            "воронки, ни в одном показателе"
            for deals, changed in (("сделка, закрытая", "сменила"),
                                   ("сделки, закрытые", "сменили"),
                                   ("сделок, закрытых", "сменили"))),
    },
}
SIGN = {"level": "=", "in": "+", "out": "−", "info": "·"}
MATCHING_RU = {
    "matched by deal id": "сопоставлены по ID",
    "in the older export only: open (removed)": "только в старой выгрузке: в работе (исчезли)",
    "in the older export only: closed (outside the pipeline)":
        "только в старой выгрузке: закрыты (вне воронки)",
    "in the newer export only (new)": "только в новой выгрузке (новые)",
}
EXPORT_RU = {"older export: ": "старая выгрузка: ", "newer export: ": "новая выгрузка: "}


def words(lang: str) -> dict[str, str]:
    return {**WORDS["en"], **WORDS.get(lang, {})}


@dataclass
class Row:
    name: str  # the bucket's key
    label: str
    sign: str
    deals: str
    value: str
    bucket: WaterfallBucket


class WaterfallView:
    def __init__(self, w: Waterfall, lang: str) -> None:
        self.w, self.lang, self.f, self.t = w, lang, Fmt(lang), words(lang)

    def money(self, value: float | None, values: dict[str, float]) -> str:
        """One value with its currency, or one per currency: never a sum across them."""
        if not self.w.has_amounts:
            return DASH
        if value is not None:
            code = f" {self.w.currency}" if self.w.currency else ""
            return self.f.num(round(value)) + code
        if not values:
            return DASH
        return " · ".join(f"{self.f.num(round(v))} {c}" for c, v in sorted(values.items()))

    def rows(self) -> list[Row]:
        out = []
        for b in self.w.buckets:
            deals = DASH if b.deals is None else self.f.num(b.deals)
            value = self.money(b.value, b.values) if b.deals is not None else DASH
            out.append(Row(b.name, self.t[b.name], SIGN[b.role], deals, value, b))
        return out

    def manager_value(self, m: WaterfallManager) -> str:
        return self.money(m.value, m.values)

    def basis(self) -> str:
        w = self.w
        key = "basis_history" if w.basis == "history" else "basis_snapshot"
        return self.t[key].format(start=w.start or DASH, end=w.end or DASH,
                                  older=w.older_export or DASH)

    def lines(self) -> list[str]:
        """Under the summary: the rule, slippage, currencies, matching and notes."""
        t, f, w = self.t, self.f, self.w
        out = [t["rule"]]
        s = w.slippage
        if s is not None:
            out.append(t["slippage"].format(n=f.num(s.deals), share=f.pct(s.share),
                                            median=f.days(s.days_median, ""),
                                            max=f.days(s.days_max, ""),
                                            total=f.num(round(s.days_total)))
                       + (plural(s.pushes, t["pushes"]).format(n=f.num(s.pushes))
                          if s.pushes is not None else ""))
        else:
            out.append(t["no_close_dates"])
        if not w.has_amounts:
            out.append(t["no_amounts"])
        elif len(w.currencies) > 1:
            out.append(f"{t['several']}: {', '.join(w.currencies)}")
        if w.matching:
            out.append(f"{t['matching']}: " + "; ".join(
                f"{self.matching_label(k)} {f.num(v)}" for k, v in w.matching.items() if v))
        if w.unpriced_deals:
            out.append(plural(w.unpriced_deals, t["unpriced"]).format(n=f.num(w.unpriced_deals)))
        if w.closed_outcome_changed:
            changed = w.closed_outcome_changed
            out.append(plural(changed, t["outcome_changed"]).format(n=f.num(changed)))
        return out

    def matching_label(self, key: str) -> str:
        if self.lang != "ru":
            return key
        if key in MATCHING_RU:
            return MATCHING_RU[key]
        for prefix, ru in EXPORT_RU.items():
            if key.startswith(prefix):
                reason = key.removeprefix(prefix)
                kept = reason.endswith(" (deal kept)")
                text = reason_text(reason.removesuffix(" (deal kept)"), "ru")
                return ru + text + (" (сделка учтена)" if kept else "")
        return key

    def shown(self, b: WaterfallBucket) -> str | None:
        if not b.items_left_out:
            return None
        n = len(b.items) + b.items_left_out
        return plural(n, self.t["shown"]).format(shown=self.f.num(len(b.items)),
                                                 n=self.f.num(n))


def manager_grid(w: Waterfall) -> tuple[list[str], dict[tuple[str, str], WaterfallManager]]:
    """Every manager of the waterfall (most deals at the end first) and their cell per
    bucket."""
    cells = {(m.manager, b.name): m for b in w.buckets for m in b.per_manager}
    names = list(dict.fromkeys(m.manager for b in w.buckets for m in b.per_manager))
    end = {m.manager: m.deals for b in w.buckets if b.name == "open_end" for m in b.per_manager}
    return sorted(names, key=lambda n: (-end.get(n, 0), n)), cells
