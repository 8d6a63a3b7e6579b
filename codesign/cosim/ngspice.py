"""Running ngspice netlists safely: PySpice's shared (in-process) mode, inside child processes.

Each worker child runs netlists one after another in its own ngspice (a fresh process per
netlist costs more than a small column's simulation), so a stuck solver never hangs codesign
and Monte Carlo runs use both cores. Every netlist has a time limit; a command can also set
an overall limit (`run_limits`, the CLI's --time-limit and --total-time-limit), past which no
further netlist starts and the running ones are killed. Failures become one-line
CodesignErrors naming the circuit and the analysis: ngspice missing, ngspice's own message
when a run does not converge, a vector that was not produced.

    waves = run_netlist(netlist_text, label="column N=16", analysis="transient")
    waves["out"], waves.time
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import multiprocessing
import multiprocessing.connection
import time
from collections import deque
from collections.abc import Iterator, Sequence
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


@dataclass(eq=False)
class _CommandLimits:
    """A command's limits (set by the user) and how far its netlists have got."""

    netlist_s: float | None
    total_s: float | None
    started_at: float = field(default_factory=time.monotonic)
    finished: int = 0

    def seconds_left(self) -> float:
        return math.inf if self.total_s is None else self.total_s - (time.monotonic() - self.started_at)


_LIMITS: contextvars.ContextVar[_CommandLimits | None] = contextvars.ContextVar("ngspice_limits", default=None)


def check_limit(value: float | None, option: str) -> float | None:
    """A user's limit in seconds: positive and finite (None: not set)."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise CodesignError(f"{option} must be a positive number of seconds (got {value:g})")
    return value


@contextlib.contextmanager
def run_limits(netlist_s: float | None = None, total_s: float | None = None) -> Iterator[None]:
    """Within the block, every netlist gets at most netlist_s (overriding what the caller passes)
    and all of them together at most total_s from entering the block."""
    token = _LIMITS.set(_CommandLimits(check_limit(netlist_s, "--time-limit"),
                                       check_limit(total_s, "--total-time-limit")))
    try:
        yield
    finally:
        _LIMITS.reset(token)


def run_netlist(netlist: str, label: str, analysis: str = "transient",
                time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> Waveforms:
    return run_netlists([netlist], label, analysis, time_limit_s, workers=1)[0]


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    connection: multiprocessing.connection.Connection
    job: int | None = None  # index of the netlist it is running
    started_at: float = 0.0


def run_netlists(netlists: Sequence[str], label: str, analysis: str = "transient",
                 time_limit_s: float = DEFAULT_TIME_LIMIT_S, workers: int = 2) -> list[Waveforms]:
    """Simulate the netlists in up to `workers` child processes; results in the order given."""
    limits = _LIMITS.get() or _CommandLimits(None, None)
    netlist_s = limits.netlist_s or time_limit_s
    results: list[Waveforms | None] = [None] * len(netlists)
    pending = deque(range(len(netlists)))
    pool = [_start_worker() for _ in range(min(max(1, workers), len(netlists)))]
    name = (lambda index: f"{label} (run {index})") if len(netlists) > 1 else (lambda index: label)
    try:
        while pending or any(worker.job is not None for worker in pool):
            for worker in pool:
                if worker.job is None and pending:
                    _check_total(limits, label, results)
                    worker.job, worker.started_at = pending.popleft(), time.monotonic()
                    worker.connection.send(netlists[worker.job])
            busy = [worker for worker in pool if worker.job is not None]
            deadline = min(min(worker.started_at for worker in busy) + netlist_s - time.monotonic(),
                           limits.seconds_left())
            ready = multiprocessing.connection.wait([worker.connection for worker in busy], max(0.0, deadline))
            for worker in busy:
                if worker.connection in ready:
                    results[worker.job] = _receive(worker, name(worker.job), analysis)
                    worker.job, limits.finished = None, limits.finished + 1
                elif time.monotonic() - worker.started_at >= netlist_s:
                    raise CodesignError(f"{name(worker.job)}: ngspice did not finish the {analysis} analysis "
                                        f"within {netlist_s:g} s (--time-limit)")
            _check_total(limits, label, results)
    finally:
        for worker in pool:
            _stop(worker)
    return results


def _check_total(limits: _CommandLimits, label: str, results: list) -> None:
    if limits.seconds_left() <= 0:
        done = sum(result is not None for result in results)
        raise CodesignError(f"{label}: stopped at the overall time limit of {limits.total_s:g} s "
                            f"(--total-time-limit) with {done} of {len(results)} netlists done here, "
                            f"{limits.finished} in the whole command")


def _start_worker() -> _Worker:
    parent, child = _CONTEXT.Pipe()
    process = _CONTEXT.Process(target=_serve, args=(child,), daemon=True)
    process.start()
    child.close()  # the worker holds its end: a dead worker reads as end-of-file here
    return _Worker(process, parent)


def _receive(worker: _Worker, label: str, analysis: str) -> Waveforms:
    try:
        kind, payload = worker.connection.recv()
    except EOFError:
        worker.process.join(timeout=5)
        raise CodesignError(f"{label}: ngspice crashed in the {analysis} analysis "
                            f"(exit code {worker.process.exitcode})") from None
    if kind == "error":
        raise CodesignError(f"{label}: {analysis} analysis failed: {payload}")
    return Waveforms(payload, label)


def _stop(worker: _Worker) -> None:
    if worker.job is None and worker.process.is_alive():
        with contextlib.suppress(OSError):
            worker.connection.send(None)  # finish cleanly
        worker.process.join(timeout=1)
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join(timeout=5)
    worker.connection.close()


def _serve(connection) -> None:
    """Child process: simulate each netlist received in one ngspice, send back its vectors."""
    ngspice = None
    while (netlist := connection.recv()) is not None:
        try:
            ngspice = ngspice or _new_ngspice()
            connection.send(("ok", _run_in_ngspice(ngspice, netlist)))
        except CodesignError as error:
            connection.send(("error", str(error)))
        except Exception as error:  # noqa: BLE001 -- anything ngspice/PySpice raises becomes one line
            text = str(error).strip().splitlines()
            connection.send(("error", f"{type(error).__name__}: {text[0] if text else ''}"))


def _new_ngspice():
    import logging

    logging.getLogger("PySpice").setLevel(logging.CRITICAL)  # its version warning and echoed errors are noise
    try:
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared

        return NgSpiceShared.new_instance()
    except (OSError, ImportError) as error:
        raise CodesignError(f"ngspice is not available ({error}); install it with scripts/setup.sh") from None


def _run_in_ngspice(ngspice, netlist: str) -> dict[str, numpy.ndarray]:
    try:
        ngspice.load_circuit(single_threaded(netlist))
        failed = False
        try:
            ngspice.run()
        except Exception:  # noqa: BLE001 -- PySpice raises a bare "Command 'run' failed": ngspice said why
            failed = True
        plot_name = ngspice.last_plot
        if failed or not plot_name or plot_name == "const":
            raise CodesignError(f"no convergence ({ngspice_message(ngspice.stderr.splitlines())})")
        plot = ngspice.plot(None, plot_name)
        return {name.lower(): numpy.asarray(vector.to_waveform() if hasattr(vector, "to_waveform") else vector,
                                            dtype=float) for name, vector in plot.items()}
    finally:
        with contextlib.suppress(Exception):  # noqa: BLE001 -- ready for the next netlist either way
            ngspice.remove_circuit()
            ngspice.destroy()


SINGLE_THREAD = ".options num_threads=1"
"""ngspice evaluates BSIM4 devices in OpenMP threads that spin when both cores are busy (two
netlists at once, or another job): a 16-cell column took 7.7 s instead of 0.07 s."""


def single_threaded(netlist: str) -> str:
    """`netlist` with SINGLE_THREAD before its final `.end` (our two workers are the parallelism)."""
    body, end, tail = netlist.rstrip().rpartition("\n.end")
    if not end or tail.strip():
        return netlist
    return f"{body}\n{SINGLE_THREAD}\n.end\n"


def ngspice_message(stderr: Sequence[str]) -> str:
    """ngspice's own reason for a failed analysis, e.g. 'TRAN: Timestep too small; time = 5.005e-10,
    timestep = 1.25e-24: trouble with node "out"', from what it wrote to stderr."""
    lines = [" ".join(line.split()) for line in stderr if line.strip()]
    for marker in ("doAnalyses:", "Error:"):
        found = [line for line in lines if line.startswith(marker)]
        if found:
            return found[0].removeprefix("doAnalyses:").strip()
    meaningful = [line for line in lines if "aborted" not in line and not line.startswith("Warning:")]
    return meaningful[-1] if meaningful else "ngspice gave no reason"
