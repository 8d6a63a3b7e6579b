"""Constant tensors by name: the model's initializers and the values folding computed.

A constant can be absent: its shape and type are known but its values are not (its
external data file is missing, or it was computed from such a tensor). Shapes are all the
cost models need; whoever needs the values calls array() and gets a one-line error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy
import onnx
from onnx import numpy_helper

from codesign.errors import ModelLoadError
from codesign.frontend.onnx_external import is_absent
from codesign.frontend.onnx_names import first_line, quoted


@dataclass(frozen=True)
class Absent:
    """A constant without values: shape and ONNX element type only."""

    shape: tuple[int, ...]
    element_type: int


Value = numpy.ndarray | Absent


class Constants:
    """Initializers (decoded only when read) and folded values, present or absent."""

    def __init__(self, initializers, source: str) -> None:
        self._source = source
        self._protos = {tensor.name: tensor for tensor in initializers}
        self._arrays: dict[str, numpy.ndarray] = {}
        self._folded: dict[str, Value] = {}
        self._folded_types: dict[str, int] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._protos or name in self._folded

    def add(self, name: str, value: Value, element_type: int) -> None:
        self._folded[name] = value
        self._folded_types[name] = element_type

    def is_absent(self, name: str) -> bool:
        if name in self._folded:
            return isinstance(self._folded[name], Absent)
        return is_absent(self._protos[name])

    def shape(self, name: str) -> tuple[int, ...]:
        value = self._folded.get(name)
        if value is not None:
            return tuple(value.shape)
        return tuple(int(dim) for dim in self._protos[name].dims)

    def element_type(self, name: str) -> int:
        if name in self._folded:
            return self._folded_types[name]
        return self._protos[name].data_type

    def elements(self, name: str) -> int:
        return math.prod(self.shape(name))

    def data(self, name: str) -> numpy.ndarray | None:
        """The values, or None when they are absent."""
        return None if self.is_absent(name) else self.array(name)

    def array(self, name: str) -> numpy.ndarray:
        """The values; an error when they are absent (the caller cannot do without them)."""
        if self.is_absent(name):
            raise ModelLoadError(f"{self._source}: the values of {quoted(name)} are needed here, but the "
                                 "weights are absent (external data file missing)")
        if name in self._folded:
            return self._folded[name]
        if name not in self._arrays:
            try:
                self._arrays[name] = numpy_helper.to_array(self._protos[name])
            except Exception as error:  # data that does not match its dims or type
                raise ModelLoadError(f"{self._source}: initializer {quoted(name)} is malformed: "
                                     f"{first_line(error)}") from None
        return self._arrays[name]

    def folded_names(self) -> list[str]:
        """Values computed by folding (not initializers of the original model)."""
        return list(self._folded)

    def retain(self, names: set[str]) -> None:
        """Forget what no remaining node reads, so large intermediate values are freed."""
        for name in [name for name in self._folded if name not in names]:
            del self._folded[name], self._folded_types[name]
        for name in [name for name in self._protos if name not in names]:
            del self._protos[name]
            self._arrays.pop(name, None)


def element_type_of(array: numpy.ndarray) -> int:
    """The ONNX element type of a folded array (FLOAT for what ONNX has no type for)."""
    try:
        return onnx.helper.np_dtype_to_tensor_dtype(array.dtype)
    except Exception:  # numpy dtypes ONNX does not name
        return onnx.TensorProto.FLOAT
