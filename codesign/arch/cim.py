"""Compute-in-memory macros as spec components: the innermost `kind:` of a CiM spec.

`crossbar` (an ADC-limited analog crossbar accelerator, codesign/cost/crossbar.py) and
`fefet_array` (a 1FeFET-1C charge-domain macro, codesign/cost/fefet.py). The cost models
read these validated, immutable values directly.

A macro describes only itself. What the rest of the spec already says is not repeated here:
the technology node and clock are the Architecture's (`technology_node_m`,
`clock_frequency_Hz`); off-chip traffic is costed by the spec's outermost (DRAM) level and its
bandwidth; the buffer holding a layer's inputs and outputs is the `kind: memory` level between
DRAM and the macro (a crossbar spec's buffer level describes one tile's buffer: there are
`tiles` of them). Both macros name the same things the same way: `rows`, `columns`,
`cell_bits`, `cell_area_m2`, `weight_bits`, `input_bits`, `adc_bits`, `supply_V`.
"""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from codesign.arch.schema_base import (FieldError, Name, NonNegativeQuantity, PositiveCount,
                                      PositiveQuantity, Quantity, SpecModel)

CROSSBAR_ENERGY_KEYS = ('array', 'dac', 'adc', 'shift_add', 'buffer', 'noc', 'dram')
"""The energy breakdown of a crossbar layer (codesign/cost/crossbar.py)."""
FEFET_ENERGY_KEYS = ('cell_charge', 'sense_precharge', 'drivers', 'adc', 'shift_add', 'buffer', 'dram')
"""The energy breakdown of a FeFET layer or search (codesign/cost/fefet.py)."""

Bits = Annotated[int, Field(strict=True, ge=1, le=32)]
AdcBits = Annotated[int, Field(strict=True, ge=1, le=16)]
PerBitFactor = Annotated[float, Field(strict=True, gt=0, le=100, allow_inf_nan=False)]
"""At most 100: raised to the power of up to 16 converter bits, a larger factor overflows a float."""


class CalibrationFit(SpecModel):
    """Uncertainty and residuals of a calibration's least-squares fit."""

    standard_errors: dict[str, NonNegativeQuantity]
    """Factor ('energy_scale.adc', 'per_bit.adc') -> its standard error, from the fit's covariance."""
    rms_relative_residual: NonNegativeQuantity
    """RMS over the points of (calibrated model - SPICE) / SPICE."""
    worst_relative_residual: Quantity
    """The largest (calibrated model - SPICE) / SPICE in magnitude, with its sign."""
    worst_point: dict[str, Quantity]
    """Where it is: the point's rows (and bits)."""
    degrees_of_freedom: Annotated[int, Field(strict=True, ge=0)]
    """Points minus fitted parameters: 0 means the factors fit exactly and their errors are unknown."""


class AddedEnergy(SpecModel):
    """Energy a calibration adds to every action of a term, for what the model has no term for
    (a crossbar column's sense amplifier) or where it replaces the model's own form (energy_scale
    0): fixed_J + per_bit_J x converter bits + per_row_J x rows summed per read."""

    fixed_J: Quantity = 0.0
    """Joules per action."""
    per_bit_J: Quantity = 0.0
    """Joules per action and converter bit."""
    per_row_J: Quantity = 0.0
    """Joules per action and row summed by the read."""

    def energy_J(self, bits: int, rows: int) -> float:
        return max(0.0, self.fixed_J + self.per_bit_J * bits + self.per_row_J * rows)


class Calibration(SpecModel):
    """Factors fitted to SPICE measurements by `codesign calibrate`, scaling the model's energy terms."""

    energy_scale: dict[str, NonNegativeQuantity]
    """Breakdown key -> the factor that multiplies that energy term of every layer (0: the
    term is `added`'s alone)."""
    per_bit: dict[str, PerBitFactor] = {}
    """Breakdown key -> a further factor per converter bit: the term is multiplied by
    energy_scale[key] * per_bit[key] ** bits (how a flash converter grows, which survey fits miss)."""
    source: str
    """How the factors were obtained: the command, the circuits, their sizes."""
    measurements: tuple[dict[str, Quantity | dict[str, Quantity | dict[str, Quantity]]], ...] = ()
    """The SPICE and model values the factors were fitted to, for the record (numbers, or numbers
    by name two deep: a point's energies by component, SPICE and model)."""
    added: dict[str, AddedEnergy] = {}
    """Breakdown key -> energy added to each of its actions (crossbar macros: per conversion)."""
    fit: CalibrationFit | None = None
    """How well the factors are determined and how well they fit (files before it lack it)."""
    form_changes: dict[str, str] = {}
    """Factor ('per_bit.adc') -> how it changes the model's functional form, not just its scale:
    the calibrated term then follows the fitted form, not the model's own dependence."""


def _check_calibration(calibration: Calibration | None, keys: tuple[str, ...], added: bool = True) -> None:
    if calibration is not None and calibration.added and not added:
        raise FieldError(('calibration', 'added'), 'is for crossbar macros (energies added per action); '
                         'this macro scales its breakdown terms only')
    for field in ('energy_scale', 'per_bit', 'added'):
        for key in (getattr(calibration, field) if calibration else {}):
            if key not in keys:
                raise FieldError(('calibration', field, key), f"is not an energy term of this macro "
                                 f"(terms: {', '.join(keys)})")


def calibration_factor(calibration: Calibration | None, key: str, bits: int | None = None) -> float:
    """The factor a calibration applies to one energy term (1 without calibration)."""
    if calibration is None:
        return 1.0
    factor = calibration.energy_scale.get(key, 1.0)
    if key in calibration.per_bit and bits:
        factor *= calibration.per_bit[key] ** bits
    return factor


def calibrated_action_J(calibration: Calibration | None, key: str, energy_J: float, bits: int | None = None,
                        rows: int | None = None) -> float:
    """One action's energy of term `key` as a calibration makes it: scaled, then any added energy."""
    scaled = energy_J * calibration_factor(calibration, key, bits)
    if calibration is None or key not in calibration.added:
        return scaled
    return scaled + calibration.added[key].energy_J(bits or 0, rows or 0)


def _check_weight_slices(cell_bits: int, weight_bits: int) -> None:
    if cell_bits > weight_bits:
        raise FieldError(('cell_bits',), f'exceeds weight_bits={weight_bits} (got {cell_bits})')


class CrossbarConfig(SpecModel):
    """An ADC-limited analog crossbar accelerator (kind: crossbar), the innermost component of its spec."""

    kind: Literal['crossbar'] = 'crossbar'
    """Component kind."""
    name: Name
    """Shown in reports."""
    rows: PositiveCount
    """Word lines per crossbar: inputs one crossbar sums over."""
    columns: PositiveCount
    """Bit lines per crossbar."""
    cell_bits: Bits
    """Bits stored per cell; a weight takes ceil(weight_bits / cell_bits) adjacent columns."""
    cell_area_m2: PositiveQuantity
    """Area of one cell (device, access transistor if any, its share of the wires), square metres."""
    weight_bits: Bits
    """Widest weights the macro supports (the native precision of a float graph)."""
    input_bits: Bits
    """Widest activations the macro supports, inputs and outputs alike (native precision)."""
    input_bits_per_cycle: Bits
    """DAC resolution: input bits applied per read (1 = bit-serial streaming)."""
    rows_per_read: PositiveCount
    """Rows driven together in one read (at most rows)."""
    adc_bits: AdcBits
    """Resolution of the ADCs: the most bits any conversion gets."""
    columns_per_adc: PositiveCount
    """Columns sharing one ADC, converted one after another."""
    adc_sample_rate_Hz: PositiveQuantity
    """Conversions per second of one ADC."""
    adc_model: Literal['murmann', 'zigzag'] = 'murmann'
    """'murmann' or 'zigzag' (codesign.arch.components.adc)."""
    weight_encoding: Literal['offset', 'differential'] = 'offset'
    """How signed weights become cell conductances. 'offset': one array, each weight stored
    as w + 2^(weight_bits-1) and the offset subtracted digitally (ISAAC's biased encoding), so a
    zero weight is a non-zero cell. 'differential': a positive and a negative array, each
    holding |w| in weight_bits - 1 bits where w has its sign (NeuroSim, PUMA), the two
    converted sums subtracted; a zero weight is two zero cells, twice the cells and conversions."""
    adc_range: Literal['clip', 'scale'] = 'clip'
    """What a column sum beyond the ADC's resolution becomes. 'clip': codes are unit steps and
    saturate at 2^adc_bits - 1. 'scale': the 2^adc_bits levels span the largest sum a crossbar's
    reads can reach (its non-zero cells per column at the top level), dropping low bits (NeuroSim)."""
    array_read_time_s: PositiveQuantity
    """Analog settling/integration time of one read."""
    crossbars_per_tile: PositiveCount
    """Crossbars sharing one tile buffer (the spec's buffer level)."""
    tiles: PositiveCount
    """Tiles on the chip: tiles x crossbars_per_tile crossbars work in parallel."""
    replicate_weights: bool
    """Whether idle crossbars hold copies of a layer's weights to share its output positions."""
    supply_V: PositiveQuantity
    """Used by the 'zigzag' ADC model (its energy goes with VDD^2)."""
    cell_read_energy_J: PositiveQuantity
    """One cell on a driven row, read once."""
    row_drive_energy_J: PositiveQuantity
    """Driving one row (DAC or word-line driver) for one read."""
    noc_distance_m: PositiveQuantity
    """Mean distance an activation travels between tiles."""
    calibration: Calibration | None = None
    """SPICE-fitted energy factors (`codesign calibrate crossbar`), usually `{ref: calibration/....yaml}`."""

    @model_validator(mode='after')
    def _check_fit(self) -> 'CrossbarConfig':
        _check_weight_slices(self.cell_bits, self.weight_bits)
        if self.rows_per_read > self.rows:
            raise FieldError(('rows_per_read',), f'exceeds rows={self.rows} (got {self.rows_per_read})')
        if self.weight_encoding == 'differential' and self.weight_bits < 2:
            raise FieldError(('weight_bits',), 'must be at least 2 with a differential weight encoding '
                             '(a sign and a magnitude bit)')
        slices = -(-self.weight_bits // self.cell_bits)
        if slices > self.columns:
            raise FieldError(('columns',), f'cannot hold the {slices} bit slices of one '
                             f'{self.weight_bits}-bit weight (got {self.columns})')
        if self.input_bits_per_cycle > self.input_bits:
            raise FieldError(('input_bits_per_cycle',), f'exceeds input_bits={self.input_bits} '
                             f'(got {self.input_bits_per_cycle})')
        _check_calibration(self.calibration, CROSSBAR_ENERGY_KEYS)
        return self

    @property
    def arrays(self) -> int:
        """Crossbars on the chip."""
        return self.tiles * self.crossbars_per_tile

    @property
    def adcs(self) -> int:
        """ADCs on the chip: each crossbar's columns in groups of columns_per_adc."""
        return self.arrays * -(-self.columns // self.columns_per_adc)


class FefetArrayConfig(SpecModel):
    """A macro of `arrays` identical 1FeFET-1C arrays (kind: fefet_array); SI units (farads, volts, seconds, joules)."""

    kind: Literal['fefet_array'] = 'fefet_array'
    """Component kind."""
    name: Name = 'fefet_1f1c'
    """Shown in reports."""

    rows: PositiveCount
    """Cells per column (the reduction length one cycle can sum)."""
    columns: PositiveCount
    """Cells per row; one ADC per column."""
    arrays: PositiveCount
    """Arrays in the macro, all computing in parallel."""
    cell_bits: Bits
    """Bits stored per cell: 2^cell_bits FeFET Vth states."""
    cell_area_m2: PositiveQuantity
    """Area of one 1FeFET-1C cell (the capacitor stacked over the FeFET), square metres."""
    weight_bits: Bits
    """Widest weights the macro supports (the native precision of a float graph)."""
    input_bits: Bits
    """Widest activations the macro supports, inputs and outputs alike (native precision); inputs
    are applied one bit per cycle."""
    capacitor_F: PositiveQuantity
    """C_cell, the capacitor in series with each FeFET."""
    sense_capacitance_F: PositiveQuantity
    """C_sense: bit line, sense node and ADC input, without the cell capacitors."""
    line_capacitance_per_cell_F: PositiveQuantity
    """Input/word-line capacitance one cell adds to its row (gate or junction plus wire)."""
    supply_V: PositiveQuantity
    """Swing of the row drivers."""
    read_V: PositiveQuantity
    """Voltage a fully conducting cell's capacitor charges to."""
    vth_states_V: tuple[Quantity, ...]
    """The FeFET threshold voltages of the 2^cell_bits stored states, ascending."""
    vth_sigma_V: NonNegativeQuantity
    """Device-to-device standard deviation of each Vth state."""
    capacitor_mismatch_sigma: NonNegativeQuantity
    """Relative standard deviation of C_cell (random mismatch)."""
    adc_bits: AdcBits
    """Column ADC resolution."""
    adc_fom_J_per_step: PositiveQuantity
    """Walden figure of merit of the column ADC: energy per conversion step."""
    precharge_s: PositiveQuantity
    """Duration of the precharge (reset) phase."""
    charge_s: PositiveQuantity
    """Duration of the charging phase (input line RC and cell charging settle)."""
    share_s: PositiveQuantity
    """Duration of the charge-sharing phase."""
    adc_bit_time_s: PositiveQuantity
    """One SAR comparator cycle; a conversion takes adc_bits of them."""
    temperature_K: PositiveQuantity
    """Temperature of the kT/C sampling noise on the sense node."""
    calibration: Calibration | None = None
    """SPICE-fitted energy factors (`codesign calibrate fefet`), usually `{ref: calibration/....yaml}`."""
    search_arrays: PositiveCount | None = None
    """Arrays given to the associative search when one workload has a neural and a symbolic half
    (`compile --workload hdc:..`); the other arrays do the MACs. None: the compile picks the split
    its objective prefers (codesign/neurosymbolic/schedule.py). Workloads with one half use every array."""
    write_energy_per_cell_J: NonNegativeQuantity = 58e-15
    """Energy to (re)program one cell: the film's switching charge 2 Pr A at the write amplitude
    (our SPICE FeFET, issue 19: 20 uC/cm^2, 200 x 200 nm gate, 3.6 V), no verify reads."""
    write_time_per_row_s: PositiveQuantity = 200e-9
    """Time to (re)program one row of an array, all its columns at once: an erase and a program
    pulse of 100 ns each (our SPICE FeFET's write), no verify; arrays are written in parallel."""

    @model_validator(mode='after')
    def _check_states(self) -> 'FefetArrayConfig':
        _check_weight_slices(self.cell_bits, self.weight_bits)
        if self.search_arrays is not None and self.search_arrays >= self.arrays:
            raise FieldError(('search_arrays',), f'{self.search_arrays} of the {self.arrays} arrays for the search '
                             f'leaves none for the MAC half (at most {self.arrays - 1})')
        if len(self.vth_states_V) != 2**self.cell_bits:
            raise FieldError(('vth_states_V',), f'cell_bits={self.cell_bits} needs {2**self.cell_bits} states '
                             f'(got {len(self.vth_states_V)})')
        if list(self.vth_states_V) != sorted(self.vth_states_V):
            raise FieldError(('vth_states_V',), f'must ascend (got {list(self.vth_states_V)})')
        _check_calibration(self.calibration, FEFET_ENERGY_KEYS, added=False)
        return self

    @property
    def levels(self) -> int:
        return 2**self.cell_bits

    @property
    def input_bits_per_cycle(self) -> int:
        """The row drivers are binary: one input bit per cycle."""
        return 1

    @property
    def adcs(self) -> int:
        """Column ADCs on the chip: one per column of every array."""
        return self.arrays * self.columns

    @property
    def conversion_s(self) -> float:
        """One SAR conversion: adc_bits comparator cycles."""
        return self.adc_bits * self.adc_bit_time_s

    @property
    def cycle_s(self) -> float:
        """One compute cycle: precharge, charge, share, convert."""
        return self.precharge_s + self.charge_s + self.share_s + self.conversion_s
