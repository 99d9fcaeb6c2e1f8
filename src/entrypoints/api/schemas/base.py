"""The base of every model the API answers with, and how one is read from the use cases' results."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict

IN_CURRENCY = "in the company's currency (GET /settings/currency)"
"""How an amount's description says what it is in: the currency is a setting, not part of the schema."""


class Schema(BaseModel):
    """An answer's model, read from the attributes of what a use case or a query returned."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    @classmethod
    def reading(cls, *sources: object, **values: Any) -> Self:
        """The model read from the attributes of `sources`, the first that has each one; `values` name
        those the sources lack or that are computed (links, renamed or derived fields)."""
        return cls.model_validate(_Attributes(sources, values), from_attributes=True)


class _Attributes:
    """The attributes of several objects, and some given values, as one object to read a model from."""

    __slots__ = ("_sources", "_values")

    def __init__(self, sources: tuple[object, ...], values: dict[str, Any]) -> None:
        self._sources = sources
        self._values = values

    def __getattr__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        for source in self._sources:
            if hasattr(source, name):
                return getattr(source, name)
        raise AttributeError(name)
