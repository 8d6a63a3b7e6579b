"""Tensor types: a shape and a bit width (the precision passes change the bits)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

Numeric = Literal["float", "int", "bool"]


@dataclass(frozen=True)
class TensorType:
    """Static shape and storage precision of one tensor."""

    shape: tuple[int, ...]
    bits: int = 32
    numeric: Numeric = "float"

    def __post_init__(self) -> None:
        if any(not isinstance(dim, int) or dim < 0 for dim in self.shape):
            raise ValueError(f"shape dimensions must be non-negative ints, got {self.shape}")
        if self.bits <= 0:
            raise ValueError(f"bits must be positive, got {self.bits}")

    @property
    def elements(self) -> int:
        return math.prod(self.shape)

    @property
    def bytes(self) -> float:
        """Storage size; fractional for sub-byte precisions."""
        return self.elements * self.bits / 8

    def with_bits(self, bits: int) -> TensorType:
        return replace(self, bits=bits)

    def __str__(self) -> str:
        dims = "x".join(str(dim) for dim in self.shape) or "scalar"
        return f"{dims}:{self.numeric[0]}{self.bits}"
