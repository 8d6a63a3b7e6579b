"""Shared pieces of the spec schema: the base model, constrained types, field errors."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

PositiveCount = Annotated[int, Field(strict=True, gt=0)]
PositiveQuantity = Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
# Identifiers, so that mappings and reports can name components without quoting.
Name = Annotated[str, Field(pattern=r'^[A-Za-z_][A-Za-z0-9_]*$')]


class FieldError(ValueError):
    """A cross-field check failed; `location` is the field path below the model that raised it."""

    def __init__(self, location: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.location = location


class SpecModel(BaseModel):
    """Base of every spec model: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra='forbid', frozen=True, use_attribute_docstrings=True)
