"""The strict base of every config model, and the checks several models share."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError


class Model(BaseModel):
    """Strict base: unknown keys are errors, with a "did you mean" hint."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(cls.model_fields) | {
                f.alias for f in cls.model_fields.values() if f.alias
            }
            for key in data:
                if key not in known:
                    close = difflib.get_close_matches(str(key), sorted(known), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'{hint} (expected one of: {known})",
                        {"key": key, "hint": hint, "known": ", ".join(sorted(known))},
                    )
        return data


def empty_list() -> list:
    """The default of a list field: `Field(default_factory=empty_list)`, not `list`.
    Pydantic reads every default factory's signature when it builds a model, and a
    builtin's is parsed from its text (the tokenizer's regexes: ~5 ms the first time,
    ~0.4 ms each after, on every start of the CLI); a Python function's is not."""
    return []


def not_above(model: BaseModel, low: str, high: str) -> None:
    """The ordering check of a pair of limits (acceptable <= good, warn <= fail, ...)."""
    low_value, high_value = getattr(model, low), getattr(model, high)
    if low_value > high_value:
        raise ValueError(f"{low} ({low_value}) must not be above {high} ({high_value})")


def nearest_line(loc: tuple, lines: dict[tuple, int]) -> int | None:
    """The line of a key path in the YAML, or of its nearest parent that has one."""
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None
