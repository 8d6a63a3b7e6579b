"""Shared pieces of the spec schema: the base model, constrained types, field errors.

Every number a spec holds is bounded. Not to judge designs (plausible.py warns about unusual
values) but because beyond these bounds nothing physical exists and the arithmetic downstream
breaks: 1e400 reads as infinity, a 400-digit capacity overflows a float when printed, 1e-300 J
squared is 0 and then a divisor.
"""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MOST_COUNT = 2**20
"""Instances along one axis, rows or columns of an array, tiles, bits of a port: about a million,
beyond any chip (the largest have about a thousand PEs along a side)."""
LARGEST_CAPACITY = 2**50
"""Capacity of one memory, in bytes or bits: 1 PiB."""
LARGEST_QUANTITY = 1e30
SMALLEST_QUANTITY = 1e-30
"""Positive SI quantities (hertz, joules, farads, metres, seconds) lie between these: real ones
span 1e-18 (attojoules, attofarads) to 1e15 (bytes per second)."""


class FieldError(ValueError):
    """A cross-field check failed; `location` is the field path below the model that raised it."""

    def __init__(self, location: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.location = location


def _not_vanishing(value: float) -> float:
    if value < SMALLEST_QUANTITY:
        raise FieldError((), f'must be at least {SMALLEST_QUANTITY:g} (got {value:g})')
    return value


PositiveCount = Annotated[int, Field(strict=True, gt=0, le=MOST_COUNT)]
ByteCount = Annotated[int, Field(strict=True, gt=0, le=LARGEST_CAPACITY)]
PositiveQuantity = Annotated[float, Field(strict=True, gt=0, le=LARGEST_QUANTITY, allow_inf_nan=False),
                             AfterValidator(_not_vanishing)]
Quantity = Annotated[float, Field(ge=-LARGEST_QUANTITY, le=LARGEST_QUANTITY, allow_inf_nan=False)]
NonNegativeQuantity = Annotated[float, Field(ge=0, le=LARGEST_QUANTITY, allow_inf_nan=False)]
# Identifiers, so that mappings and reports can name components without quoting.
Name = Annotated[str, Field(pattern=r'^[A-Za-z_][A-Za-z0-9_]*$', max_length=64)]


class SpecModel(BaseModel):
    """Base of every spec model: unknown fields are errors, values are immutable, floats finite."""

    model_config = ConfigDict(extra='forbid', frozen=True, use_attribute_docstrings=True, allow_inf_nan=False)
