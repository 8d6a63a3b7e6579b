"""Analog-to-digital converters: energy per conversion from resolution, sampling rate and node.

Three models, chosen by `model`:

'murmann' (default): the survey fit of hwcomponents-adc 1.0.21 (Accelergy project; T. Andrulis,
  J. Emer, V. Sze, "Modeling analog-digital-converter energy and area for compute-in-memory
  accelerator design", arXiv 2404.06553), the ADC model CiMLoop uses. It is fitted to B. Murmann,
  "ADC Performance Survey 1997-2023" (ISSCC and VLSI Symposium converters) and answers "what does
  the best published ADC of this resolution, rate and node cost?" (optimistic by design).
  Coefficients from hwcomponents_adc/adc_data/model.yaml (read from the 1.0.21 wheel; identical
  in Accelergy-Project/accelergy-adc-plug-in at commit 6851cb8), natural logs, f in Hz:
    Schreier FOM [dB] = min(213.7807 - 2.87190 ln f,  128.3068 + 3.22051 ceil(B))
    SNDR [dB]         = 6.0206 B + 1.7609                      (an ideal B-bit quantizer)
    E_fit [pJ]        = 10^((SNDR - FOM)/10) / 2 * exp(26.0496 + 1.88004 ln(node_nm)
                                                       - 2.82913 ln B - 1.47020)
    ln(area [um^2])   = 1.34619 + 0.99328 ln(node_nm) + 0.18072 ln f + 0.29912 ln(E_fit [pJ])
  As in hwcomponents-adc, 80% of E_fit is the conversion's energy and 20% is leakage
  (leakage_W = 0.2 E_fit f). hwcomponents-adc refuses resolutions below 4 bits, where the
  -2.83 ln B term would make fewer bits cost more; a 1-3 bit converter is costed as a 4-bit one
  here. Check: 8 bits, 1.28 GS/s, 32 nm gives 1.54 pJ per conversion; ISAAC's 8-bit ADC
  (Shafiee et al., ISCA 2016, Table 6: 8 ADCs, 16 mW per IMA, 1.28 GS/s, 32 nm) is 1.56 pJ.
  Its area is another matter: the fit gives 6470 um^2 for that converter, ISAAC's table 1200 um^2
  (0.0096 mm^2 per 8 ADCs), 5.4 times less: chip areas built on this fit are ADC-heavy.

'zigzag': the model of ZigZag's analog IMC array (KU Leuven; zigzag/hardware/architecture/
  AimcArray.py, get_adc_cost, "extracted and validated against 3 AIMC papers on 28nm"; J. Sun,
  P. Houshmand, M. Verhelst, "Analog or digital in-memory computing? Benchmarking through
  quantitative modeling", ICCAD 2023):
    E = (100 fF x B + 0.001 fF x 4^B) x VDD^2        area = 10^(1.206 - 0.0369 B) x 2^B um^2 at 28 nm
  The energy depends on the node only through VDD (ZigZag's 28 nm default: 0.9 V); the area is
  scaled from 28 nm with scaling.area_scale. No leakage (ZigZag models none).

'walden': the Walden figure of merit, E = FOM x 2^B per conversion (ENOB taken as the resolution),
  for a converter whose FOM the spec gives (the FeFET macro's column SAR). Its area is the survey
  fit's (the area line of 'murmann') at that energy, rate and node: the fit relates area to the
  converter's energy, whichever model gives the energy. No leakage: the FOM is the converter's
  whole power per conversion step.

All: latency of a conversion = 1 / sample_rate_Hz (ZigZag's own delay model, which grows with
the rows on the bit line, is not used: the sampling rate is a parameter of the design).
Energy never decreases with more bits, in any model, for any rate and node.
"""

from dataclasses import dataclass
from math import ceil, exp, log, log10

from codesign.arch.components.action import ActionCost
from codesign.arch.components.scaling import area_scale

MODELS = ('murmann', 'zigzag', 'walden')

# hwcomponents-adc 1.0.21, adc_data/model.yaml
FOM_INTERCEPT_DB = 213.7806687348118
FOM_PER_LN_FREQUENCY_DB = -2.8719030399529957
FOM_CAP_INTERCEPT_DB = 128.3068287398817
FOM_CAP_PER_BIT_DB = 3.2205115109775
FOM_CAP_LAST_BIT = 20  # the fitted table of caps stops at 20 bits
ENERGY_INTERCEPT = 26.0496215686518
ENERGY_PER_LN_NODE_NM = 1.8800369206815004
ENERGY_PER_LN_BITS = -2.8291256050594527
ENERGY_RESIDUAL = -1.4702022133784405
AREA_INTERCEPT = 1.3461916439910742
AREA_PER_LN_NODE_NM = 0.9932794744745022
AREA_PER_LN_FREQUENCY = 0.18071538424508238
AREA_PER_LN_ENERGY_PJ = 0.29912426192653485
MURMANN_MINIMUM_BITS = 4
LEAKAGE_SHARE = 0.2  # hwcomponents-adc: "Assume leakage is 20% of the total energy"

# ZigZag AimcArray.get_adc_cost
ZIGZAG_LINEAR_CAPACITANCE_F = 100e-15
ZIGZAG_EXPONENTIAL_CAPACITANCE_F = 0.001e-15
ZIGZAG_AREA_EXPONENT_INTERCEPT = 1.206
ZIGZAG_AREA_EXPONENT_PER_BIT = -0.0369
ZIGZAG_REFERENCE_NODE_M = 28e-9
ZIGZAG_SUPPLY_V = 0.9


@dataclass(frozen=True)
class Adc:
    """One ADC of `bits` resolution converting `sample_rate_Hz` samples per second."""

    bits: int
    sample_rate_Hz: float
    technology_node_m: float
    model: str = 'murmann'
    supply_V: float = ZIGZAG_SUPPLY_V
    """Used by the 'zigzag' model only."""
    fom_J_per_step: float | None = None
    """Walden figure of merit; the 'walden' model needs it, the others ignore it."""

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f'unknown ADC model {self.model!r}; known: {", ".join(MODELS)}')
        if self.bits < 1 or self.sample_rate_Hz <= 0:
            raise ValueError(f'an ADC needs bits >= 1 and a positive rate, not {self.bits}, {self.sample_rate_Hz}')
        if self.model == 'walden' and not (self.fom_J_per_step or 0) > 0:
            raise ValueError(f'the walden ADC model needs a positive fom_J_per_step (got {self.fom_J_per_step})')

    @property
    def area_m2(self) -> float:
        if self.model == 'zigzag':
            area_28nm_um2 = 10 ** (ZIGZAG_AREA_EXPONENT_INTERCEPT + ZIGZAG_AREA_EXPONENT_PER_BIT * self.bits) * 2**self.bits
            return area_28nm_um2 * 1e-12 * area_scale(ZIGZAG_REFERENCE_NODE_M, self.technology_node_m)
        energy_J = self._walden_J if self.model == 'walden' else self._murmann_fit_J
        ln_area_um2 = (AREA_INTERCEPT + AREA_PER_LN_NODE_NM * log(self._node_nm)
                       + AREA_PER_LN_FREQUENCY * log(self.sample_rate_Hz)
                       + AREA_PER_LN_ENERGY_PJ * log(energy_J * 1e12))
        return exp(ln_area_um2) * 1e-12

    @property
    def leakage_W(self) -> float:
        if self.model != 'murmann':
            return 0.0
        return LEAKAGE_SHARE * self._murmann_fit_J * self.sample_rate_Hz

    def convert(self) -> ActionCost:
        """One conversion."""
        if self.model == 'zigzag':
            capacitance_F = ZIGZAG_LINEAR_CAPACITANCE_F * self.bits + ZIGZAG_EXPONENTIAL_CAPACITANCE_F * 4**self.bits
            energy_J = capacitance_F * self.supply_V**2
        elif self.model == 'walden':
            energy_J = self._walden_J
        else:
            energy_J = (1 - LEAKAGE_SHARE) * self._murmann_fit_J
        return ActionCost(energy_J, 1 / self.sample_rate_Hz)

    @property
    def _walden_J(self) -> float:
        return self.fom_J_per_step * 2**self.bits

    @property
    def _node_nm(self) -> float:
        return self.technology_node_m * 1e9

    @property
    def _murmann_fit_J(self) -> float:
        """E_fit of the module docstring: conversion plus leakage energy per sample."""
        bits = max(self.bits, MURMANN_MINIMUM_BITS)
        rate_limited_fom = FOM_INTERCEPT_DB + FOM_PER_LN_FREQUENCY_DB * log(self.sample_rate_Hz)
        resolution_limited_fom = FOM_CAP_INTERCEPT_DB + FOM_CAP_PER_BIT_DB * min(ceil(bits), FOM_CAP_LAST_BIT)
        fom_dB = min(rate_limited_fom, resolution_limited_fom)
        sndr_dB = 20 * log10(2) * bits + 10 * log10(1.5)
        survey_energy = 10 ** ((sndr_dB - fom_dB) / 10) / 2
        correction = exp(ENERGY_INTERCEPT + ENERGY_PER_LN_NODE_NM * log(self._node_nm)
                         + ENERGY_PER_LN_BITS * log(bits) + ENERGY_RESIDUAL)
        return survey_energy * correction * 1e-12  # the fit's unit is pJ
