"""The money settings of the config: the currency of the amounts, exchange rates, and a
funnel's sales-cycle target (forecast and plan models live here too)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from funnelctl.config.base import Model, not_above


def currency_code(text: str) -> str:
    """A currency as the config and the reports name it: trimmed, upper case (RUB, USD)."""
    return text.strip().upper()


class Money(Model):
    """`money:` at the top of the config.

    `currency` names the amounts that carry no currency of their own (no currency column,
    or a blank cell and no code in the amount's text); with `rates`, it is also the
    currency every amount is converted to:
    `rates: {USD: 92.5}` means one USD is 92.5 of `currency`. Without rates, amounts in
    several currencies are never added up: the report shows one money block per currency.
    """

    currency: str | None = Field(
        default=None, description="currency of amounts without one (no currency column or "
        "a blank cell, and no code in the amount's text), and the currency that `rates` "
        "convert to, e.g. RUB")
    rates: dict[str, float] = Field(
        default_factory=dict, description="exchange rates into `currency`: "
        "{USD: 92.5} means 1 USD = 92.5 RUB")

    @field_validator("currency")
    @classmethod
    def _code(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("currency must be a name such as RUB or USD, not empty")
        return currency_code(v) if v is not None else None

    @field_validator("rates")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        out = {}
        for code, rate in v.items():
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate <= 0:
                raise ValueError(f"rate of {code} must be a positive number (units of "
                                 f"`currency` per 1 {code}), got {rate!r}")
            out[currency_code(code)] = float(rate)
        return out

    @model_validator(mode="after")
    def _base_for_rates(self) -> Money:
        if self.rates and self.currency is None:
            raise ValueError("rates need `currency`: the currency they convert to "
                             "(e.g. currency: RUB, rates: {USD: 92.5})")
        return self


class CycleTarget(Model):
    """A funnel's `cycle_days: {good: 12, acceptable: 20}`: the median days from creation to
    won is good at or below `good`, acceptable at or below `acceptable`, else it fails."""

    good: float = Field(gt=0, strict=True)
    acceptable: float = Field(gt=0, strict=True)

    @field_validator("good", "acceptable", mode="before")
    @classmethod
    def _number(cls, v: object) -> object:
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)
        return v

    @model_validator(mode="after")
    def _ordered(self) -> CycleTarget:
        not_above(self, "good", "acceptable")  # fewer days is better
        return self
