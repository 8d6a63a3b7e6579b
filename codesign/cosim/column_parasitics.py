"""The non-idealities of the 1FeFET-1C column in SPICE: what the charge-sharing model leaves out.

Every parameter is SI, with its source or marked as our choice. Two kinds:
  circuit   real PTM 45 nm NMOS switches (fefet_column.py builds them; their channel charge and
            gate overlap give charge injection and clock feedthrough in the simulation itself),
            clock edges, a boosted share clock, the bit line's wire R and C per cell pitch;
  random    per-cell capacitor mismatch (Pelgrom: sigma(dC/C) = A_C / sqrt(C)) and per-cell,
            per-state FeFET Vth variation, drawn from `seed`: one seed, one netlist.

    nonideal = ColumnNonIdealities.from_config(config, seed=3)
    draw = draw_column(nonideal, config, cells=16)   # draw.capacitances_F, draw.vth_offsets_V
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy

from codesign.arch.cim import FefetArrayConfig
from codesign.errors import CodesignError

WIRE_CAPACITANCE_F_PER_M = 0.2e-9
"""0.2 fF/um: on-chip wiring capacitance (plate and fringe to neighbours), about constant across
nodes (Rabaey, Chandrakasan, Nikolic, Digital Integrated Circuits, 2nd ed., 2003, ch. 4)."""
WIRE_RESISTANCE_OHM_PER_M = 4.5e6
"""4.5 ohm/um: a 45 nm-era intermediate copper line, 70 nm wide, aspect ratio 1.8 (ITRS 2009
interconnect tables), with an effective resistivity of ~4 uOhm cm from surface and grain-boundary
scattering (our estimate from those tables: rho / (w * t))."""


@dataclass(frozen=True)
class ColumnNonIdealities:
    """The column circuit's non-ideal parameters (SI units; the module docstring has the kinds)."""

    vth_sigma_V: float
    """Device-to-device sigma of each written Vth state: the spec's vth_sigma_V."""
    capacitor_mismatch_coefficient: float
    """A_C in sigma(dC/C) = A_C / sqrt(C), units sqrt(F): Pelgrom scaling (Pelgrom et al., JSSC 1989)
    of capacitor mismatch, which metal-fringe capacitors follow to sub-fF sizes (Tripathi and
    Murmann, TCAS-I 2014); from_config anchors it at the spec's capacitor_mismatch_sigma for C_cell
    (0.5% at 1 fF, Omran et al., TCAS-I 2016)."""
    bit_line_capacitance_per_cell_F: float
    """Bit-line wire per cell pitch, on top of the spec's lumped C_sense (ADC input): pitch x 0.2 fF/um."""
    bit_line_resistance_per_cell_ohm: float
    """Bit-line wire resistance per cell pitch: pitch x 4.5 ohm/um."""
    clock_edge_s: float = 50e-12
    """Rise and fall time of the reset, share and word-line clocks (our choice: a loaded clock line
    of a 45 nm chip, a few FO4 delays of ~15 ps)."""
    share_clock_V: float = 1.8
    """High level of the share-switch gates: boosted to 2 x V_DD so an NMOS passes the whole sense
    range (the boosted word line of DRAM access transistors, V_PP; our choice of level)."""
    switch_width_m: float = 90e-9
    """Reset and share NMOS width (our choice: 2 x L, a minimum-size switch, least injection)."""
    switch_length_m: float = 45e-9
    """Reset and share NMOS drawn length: the PTM 45 nm card's minimum (ptm.MINIMUM_LENGTH_M)."""
    fefet_width_m: float = 90e-9
    """FeFET width (our choice; its ON current settles 1 fF in tens of picoseconds)."""
    fefet_length_m: float = 45e-9
    """FeFET drawn length (the PTM card's minimum)."""
    diffusion_length_m: float = 90e-9
    """Source/drain diffusion extension of every transistor (2 x L, our layout choice): sets the
    junction area and perimeter, i.e. the junction capacitance every switch hangs on the bit line."""
    seed: int = 0
    """Seed of the random draws (capacitors, Vth offsets)."""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "seed":
                if value < 0:
                    raise CodesignError(f"column non-idealities: seed must be >= 0 (got {value})")
            elif not math.isfinite(value) or value < 0 or (value == 0 and field.name.endswith(("_m", "_s"))):
                raise CodesignError(f"column non-idealities: {field.name} must be a finite number "
                                    f"{'> 0' if field.name.endswith(('_m', '_s')) else '>= 0'} (got {value})")

    @classmethod
    def from_config(cls, config: FefetArrayConfig, seed: int = 0, **overrides) -> ColumnNonIdealities:
        """The spec's variation figures and a bit line of one cell pitch (sqrt of the cell area) per row."""
        pitch_m = math.sqrt(config.cell_area_m2)
        base = cls(vth_sigma_V=config.vth_sigma_V,
                   capacitor_mismatch_coefficient=config.capacitor_mismatch_sigma * math.sqrt(config.capacitor_F),
                   bit_line_capacitance_per_cell_F=pitch_m * WIRE_CAPACITANCE_F_PER_M,
                   bit_line_resistance_per_cell_ohm=pitch_m * WIRE_RESISTANCE_OHM_PER_M, seed=seed)
        unknown = set(overrides) - {field.name for field in fields(cls)}
        if unknown:
            raise CodesignError(f"column non-idealities: no parameter {', '.join(sorted(unknown))}")
        return replace(base, **overrides)

    def capacitor_sigma(self, capacitance_F: float) -> float:
        """Relative sigma of a capacitor of this size."""
        return self.capacitor_mismatch_coefficient / math.sqrt(capacitance_F)


@dataclass(frozen=True, eq=False)
class ColumnDraw:
    """One column's random devices: cell capacitances and each cell's Vth offset in each state."""

    capacitances_F: numpy.ndarray  # (cells,)
    vth_offsets_V: numpy.ndarray  # (cells, levels): a cell written to state s has Vth_s + offset[s]

    def thresholds_V(self, config: FefetArrayConfig, states: list[int]) -> numpy.ndarray:
        """Each cell's written Vth for its state index (0 = lowest Vth)."""
        return numpy.array([config.vth_states_V[state] + self.vth_offsets_V[cell, state]
                            for cell, state in enumerate(states)])


def draw_column(nonideal: ColumnNonIdealities, config: FefetArrayConfig, cells: int) -> ColumnDraw:
    """Seeded: the same seed and cell count give the same capacitors and offsets."""
    generator = numpy.random.default_rng(nonideal.seed)
    relative = nonideal.capacitor_sigma(config.capacitor_F) * generator.standard_normal(cells)
    offsets = nonideal.vth_sigma_V * generator.standard_normal((cells, config.levels))
    return ColumnDraw(config.capacitor_F * (1 + relative), offsets)
