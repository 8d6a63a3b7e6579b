"""Start-up of `codesign compile MODEL --arch ARCH` on a cached zoo ONNX file (target: < 1 s).

Prints one JSON document. Each run is a fresh `python` process running the CLI with a probe
around its compile progress bar; seconds are counted from just before the process starts to

- `to_mapping_start_s`: the compile starting to map layers (imports, reading the model and
  the spec done), the start-up the goal is about;
- `to_first_layer_s`: the first layer mapped (this includes the mapper's own work, and with
  a parallel compile its workers' start);
- `cpu_to_mapping_start_s`: the CPU seconds (user + system) the process spent until mapping
  starts, a figure other processes on the machine disturb less than the wall-clock ones.

`cold` runs first remove the model's entry from the graph cache (so the ONNX file is imported
with onnx and the entry written again); `warm` runs read it. Medians of --repeat runs, each
run's figures in `runs`. Also `codesign --help` and a bare `python -c pass`, for scale.

Bytecode: by default the runs write and read .pyc files under a temporary PYTHONPYCACHEPREFIX
(after one warm-up run), as an installed codesign does whatever PYTHONDONTWRITEBYTECODE says
here; `--bytecode as-is` leaves the environment alone.

    .venv/bin/python benchmarks/bench_startup.py [--model resnet18] [--arch eyeriss] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from codesign.frontend import graph_cache_directory, resolve_model_path
from codesign.frontend.cache import entry_name, import_key

PROBE = """
import contextlib, os, sys, time
import codesign.cli.compile as command
from codesign.cli import main

original = command._progress


@contextlib.contextmanager
def probe(label, total):
    mapping_start, cpu = time.perf_counter(), time.process_time()
    with original(label, total) as update:
        def first_layer(description, completed=None, total=None):
            if completed is not None:  # the first layer is mapped: report and stop
                os.write(1, f"\\nPROBE {mapping_start!r} {time.perf_counter()!r} {cpu!r}\\n".encode())
                os._exit(0)
            update(description, completed, total)
        yield first_layer


command._progress = probe
sys.exit(main(sys.argv[1:]))
"""


def run_probe(arguments: list[str], environment: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    finished = subprocess.run([sys.executable, "-c", PROBE, *arguments], capture_output=True, text=True,
                              env=environment, timeout=600)
    marker = [line for line in finished.stdout.splitlines() if line.startswith("PROBE ")]
    if finished.returncode != 0 or not marker:
        raise SystemExit(f"bench_startup: the probe run failed ({finished.returncode}): {finished.stderr.strip()}")
    mapping_start, first_layer, cpu = (float(text) for text in marker[-1].split()[1:])
    return {"to_mapping_start_s": round(mapping_start - start, 4), "to_first_layer_s": round(first_layer - start, 4),
            "cpu_to_mapping_start_s": round(cpu, 4)}


def wall_seconds(command: list[str], environment: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, env=environment, timeout=600)
    return round(time.perf_counter() - start, 4)


def summary(runs: list[dict[str, float]]) -> dict:
    return {**{name: round(statistics.median(run[name] for run in runs), 4) for name in runs[0]}, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet18",
                        help="A zoo name (exported first if not cached) or an ONNX file.")
    parser.add_argument("--arch", default="eyeriss")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bytecode", choices=["cached", "as-is"], default="cached")
    arguments = parser.parse_args()
    path = resolve_model_path(arguments.model)
    entry = graph_cache_directory() / entry_name(import_key(path, {}, False))
    command = ["compile", arguments.model, "--arch", arguments.arch]
    codesign = Path(sys.executable).with_name("codesign")
    help_command = [str(codesign)] if codesign.exists() else [sys.executable, "-m", "codesign.cli"]
    with tempfile.TemporaryDirectory(prefix="bench-startup-pyc-") as bytecode:
        environment = dict(os.environ)
        if arguments.bytecode == "cached":
            environment.pop("PYTHONDONTWRITEBYTECODE", None)
            environment["PYTHONPYCACHEPREFIX"] = bytecode
            run_probe(command, environment)  # warm-up: writes the bytecode (and the graph cache entry)
        cold, warm = [], []
        for _ in range(arguments.repeat):
            entry.unlink(missing_ok=True)
            cold.append(run_probe(command, environment))
        for _ in range(arguments.repeat):
            warm.append(run_probe(command, environment))
        help_seconds = [wall_seconds([*help_command, "--help"], environment) for _ in range(arguments.repeat)]
        python_seconds = [wall_seconds([sys.executable, "-c", "pass"], environment) for _ in range(arguments.repeat)]
    print(json.dumps({
        "benchmark": "startup", "model": arguments.model, "file_bytes": path.stat().st_size, "arch": arguments.arch,
        "machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
        "bytecode": arguments.bytecode, "repeat": arguments.repeat,
        "cold": summary(cold), "warm": summary(warm),
        "help_s": statistics.median(help_seconds), "python_s": statistics.median(python_seconds),
    }, indent=1))


if __name__ == "__main__":
    main()
