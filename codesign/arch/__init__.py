"""Architecture specs: YAML files under arch_specs/, checked by the pydantic models in schema.py.

    load_arch('simba')           a shipped spec by name, or any spec by path
    list_arch()                  the shipped specs: name, path, description
    spec_warnings(arch)          implausible values (a clock of 2000 Hz), one line each, for the CLI to print

Bad specs raise codesign.errors.ArchSpecError (an unknown name: UnknownNameError) with a
one-line message naming the file, the field path and the bad value. `codesign arch show`'s
text is codesign/report/arch.py (it needs the target's energies).
"""

from codesign.arch.catalog import ARCH_SPECS_DIRECTORY, ArchInfo, list_arch, load_arch, spec_path
from codesign.arch.plausible import spec_warnings
from codesign.arch.schema import (
    Architecture,
    Component,
    ComputeUnit,
    Dataflow,
    LoopDimension,
    MemoryLevel,
    MemoryTechnology,
    SpatialAxis,
    SpatialFanout,
    Tensor,
)

__all__ = [
    'ARCH_SPECS_DIRECTORY',
    'ArchInfo',
    'Architecture',
    'Component',
    'ComputeUnit',
    'Dataflow',
    'LoopDimension',
    'MemoryLevel',
    'MemoryTechnology',
    'SpatialAxis',
    'SpatialFanout',
    'Tensor',
    'list_arch',
    'load_arch',
    'spec_path',
    'spec_warnings',
]
