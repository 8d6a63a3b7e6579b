"""Running ngspice netlists safely: PySpice's shared (in-process) mode, inside a child process.

The child gives every simulation a hard time limit (a stuck solver never hangs codesign) and
lets Monte Carlo runs use both cores. Failures become one-line CodesignErrors naming the
circuit and the analysis: ngspice missing, no convergence, a vector that was not produced.

    waves = run_netlist(netlist_text, label="column N=16", analysis="transient")
    waves["out"], waves.time
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy

from codesign.errors import CodesignError

DEFAULT_TIME_LIMIT_S = 60.0
_CONTEXT = multiprocessing.get_context("fork")  # the child inherits the imported PySpice


@dataclass(frozen=True, eq=False)
class Waveforms:
    """The vectors of one analysis, by lower-case ngspice name ('out', 'v1#branch', 'time')."""

    vectors: dict[str, numpy.ndarray] = field(default_factory=dict)
    label: str = ""

    def __getitem__(self, name: str) -> numpy.ndarray:
        key = name.lower()
        if key not in self.vectors:
            raise CodesignError(f"{self.label}: ngspice produced no vector '{name}' "
                                f"(have: {', '.join(sorted(self.vectors))})")
        return self.vectors[key]

    @property
    def time(self) -> numpy.ndarray:
        return self["time"]


def run_netlist(netlist: str, label: str, analysis: str = "transient",
                time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> Waveforms:
    return run_netlists([netlist], label, analysis, time_limit_s, workers=1)[0]


def run_netlists(netlists: Sequence[str], label: str, analysis: str = "transient",
                 time_limit_s: float = DEFAULT_TIME_LIMIT_S, workers: int = 2) -> list[Waveforms]:
    """Simulate each netlist in a child process, at most `workers` at a time, in order."""
    results: list[Waveforms | None] = [None] * len(netlists)
    pending = list(enumerate(netlists))
    running: list[tuple[int, multiprocessing.Process, multiprocessing.Queue]] = []
    while pending or running:
        while pending and len(running) < max(1, workers):
            index, netlist = pending.pop(0)
            channel = _CONTEXT.Queue()
            process = _CONTEXT.Process(target=_simulate, args=(netlist, channel), daemon=True)
            process.start()
            running.append((index, process, channel))
        index, process, channel = running.pop(0)
        results[index] = _collect(process, channel, f"{label}" + (f" (run {index})" if len(netlists) > 1 else ""),
                                  analysis, time_limit_s)
    return results


def _collect(process, channel, label: str, analysis: str, time_limit_s: float) -> Waveforms:
    try:
        outcome = channel.get(timeout=time_limit_s)
    except queue.Empty:
        process.kill()
        raise CodesignError(f"{label}: ngspice did not finish the {analysis} analysis within {time_limit_s:g} s") \
            from None
    finally:
        process.join(timeout=5)
    kind, payload = outcome
    if kind == "error":
        raise CodesignError(f"{label}: {analysis} analysis failed: {payload}")
    return Waveforms(payload, label)


def _simulate(netlist: str, channel) -> None:
    """Child process: run one netlist in ngspice's shared library, send back its vectors."""
    try:
        vectors = _run_in_ngspice(netlist)
        channel.put(("ok", vectors))
    except CodesignError as error:
        channel.put(("error", str(error)))
    except Exception as error:  # noqa: BLE001 -- anything ngspice/PySpice raises becomes one line
        channel.put(("error", f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error) else ''}"))


def _run_in_ngspice(netlist: str) -> dict[str, numpy.ndarray]:
    import logging

    logging.getLogger("PySpice").setLevel(logging.ERROR)  # its version warning is noise here
    try:
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared

        ngspice = NgSpiceShared.new_instance()
    except (OSError, ImportError) as error:
        raise CodesignError(f"ngspice is not available ({error}); install it with scripts/setup.sh") from None
    ngspice.load_circuit(netlist)
    ngspice.run()
    stderr = [line for line in ngspice.stderr.splitlines() if line.strip()] if hasattr(ngspice, "stderr") else []
    plot_name = ngspice.last_plot
    if not plot_name or plot_name == "const":
        reason = next((line for line in stderr if "converge" in line.lower() or "timestep" in line.lower()),
                      stderr[-1] if stderr else "no results")
        raise CodesignError(f"no convergence ({reason})")
    plot = ngspice.plot(None, plot_name)
    return {name.lower(): numpy.asarray(vector.to_waveform() if hasattr(vector, "to_waveform") else vector,
                                        dtype=float) for name, vector in plot.items()}
