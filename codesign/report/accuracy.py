"""`compile --accuracy` on a compute-in-memory target: what each layer's column ADCs did to its
dot products over the test set, so a user sees which layers lose accuracy and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table

from codesign.accuracy.analog import ConversionTally


@dataclass(frozen=True)
class AdcLayer:
    """One compute-in-memory layer's conversions over the test set."""

    name: str
    """The layer's full IR name (the JSON's key)."""
    display_name: str
    adc_bits: int
    adc_range: str
    """'clip' (saturates above the top code), 'scale' (levels over each crossbar's largest sum)
    or 'full column' (FeFET: levels over a full column's charge)."""
    tally: ConversionTally


def adc_table(layers: Sequence[AdcLayer]) -> Table:
    table = Table(title="column ADCs over the test set (fractions of all column sums converted)",
                  title_justify="left", caption="clipped: above the top code, saturated; rounded: below it but "
                  "converted to another value (step coarser than one unit); output error: RMS error of the "
                  "layer's dot products / their RMS", caption_justify="left")
    for column in ("layer", "ADC", "range", "conversions", "clipped", "rounded", "output error"):
        table.add_column(column, justify="left" if column in ("layer", "range") else "right")
    for layer in layers:
        tally = layer.tally
        table.add_row(layer.display_name, f"{layer.adc_bits} b", layer.adc_range, f"{tally.conversions:,}",
                      _percent(tally.clipped_fraction), _percent(tally.rounded_fraction),
                      _percent(tally.relative_error))
    return table


def worst_layer_line(layers: Sequence[AdcLayer]) -> str | None:
    """One sentence naming the layer whose ADCs distort its outputs most, or None when every
    layer converts exactly."""
    worst = max(layers, key=lambda layer: layer.tally.relative_error, default=None)
    if worst is None or worst.tally.relative_error == 0:
        return None
    tally = worst.tally
    cause = "clips" if tally.clipped >= tally.rounded else "rounds"
    share = tally.clipped_fraction if cause == "clips" else tally.rounded_fraction
    return (f"largest ADC error: {worst.display_name}, whose {worst.adc_bits}-bit ADC {cause} {share:.1%} of its "
            f"column sums (output error {tally.relative_error:.1%} RMS)")


def adc_json(layers: Sequence[AdcLayer]) -> list[dict]:
    return [{"name": layer.name, "display_name": layer.display_name, "adc_bits": layer.adc_bits,
             "adc_range": layer.adc_range, "conversions": layer.tally.conversions,
             "clipped_fraction": layer.tally.clipped_fraction, "rounded_fraction": layer.tally.rounded_fraction,
             "output_relative_error": layer.tally.relative_error} for layer in layers]


def _percent(fraction: float) -> str:
    if fraction == 0:
        return "0"
    return f"{fraction:.2%}" if fraction >= 1e-4 else f"{fraction:.1e}"
