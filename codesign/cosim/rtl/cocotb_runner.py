"""Running a cocotb bench on Icarus or Verilator through cocotb's Python runner.

Builds are cached per (top, parameters, simulator) under the build root, so a second bench on
the same design (or a rebuilt Verilator model) costs about a second.

    results = run_cocotb(["mac.v"], "mac", {"OPERAND_BITS": 8, ...}, Path("sim/rtl/mac_bench.py"), "icarus")
"""

from __future__ import annotations

import hashlib
import os
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from codesign.cosim.rtl.tools import require_simulator, rtl_source, tool_environment
from codesign.errors import CodesignError

DEFAULT_BUILD_ROOT = Path(os.environ.get("CODESIGN_RTL_BUILD", Path.home() / ".cache" / "codesign" / "rtl"))


@dataclass(frozen=True)
class BenchResults:
    """Outcome of one cocotb run: test names that passed and failed (with their messages)."""

    passed: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        return bool(self.passed) and not self.failed


def run_cocotb(sources: Sequence[str], top: str, parameters: Mapping[str, int], bench: Path,
               simulator: str, extra_env: Mapping[str, str] | None = None, build_root: Path | None = None,
               testcase: str | None = None, waves: bool = False) -> BenchResults:
    """Build `sources` (names in rtl/) with `parameters` and run the cocotb tests in the module file
    `bench` (its folder goes on PYTHONPATH, with this interpreter's import path)."""
    from cocotb_tools.runner import get_runner

    require_simulator(simulator)
    build_dir = _build_directory(build_root or DEFAULT_BUILD_ROOT, sources, top, parameters, simulator)
    saved_environment, saved_path = dict(os.environ), list(sys.path)
    os.environ.update(tool_environment())  # the runner finds the tools on PATH
    # Under pytest the runner exits on a failing bench instead of returning its results; and
    # rewriting the asserts of every imported module (numpy, codesign) costs over a second a run.
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    os.environ.setdefault("COCOTB_REWRITE_ASSERTION_FILES", "*_bench.py")
    sys.path.insert(0, str(bench.resolve().parent))  # the runner hands sys.path to the bench as PYTHONPATH
    try:
        runner = get_runner(simulator)
        build_args = ["-Wno-fatal", "-j", "2"] if simulator == "verilator" else []
        if simulator == "verilator" and waves:
            build_args.append("--trace")
        runner.build(sources=[rtl_source(name) for name in sources], hdl_toplevel=top,
                     parameters=dict(parameters), build_dir=build_dir, build_args=build_args,
                     timescale=("1ns", "1ps"), waves=waves, log_file=build_dir / "build.log")
        results_xml = runner.test(test_module=bench.stem, hdl_toplevel=top, build_dir=build_dir,
                                  test_dir=build_dir, extra_env=dict(extra_env or {}), testcase=testcase,
                                  parameters=dict(parameters), waves=waves, seed=1,
                                  log_file=build_dir / "test.log", timescale=("1ns", "1ps"))
    except SystemExit as exit_:  # the runner exits on a build failure
        raise CodesignError(f"{top}: {simulator} build failed: {_first_error(build_dir / 'build.log')}") from exit_
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)
        sys.path[:] = saved_path
    if not Path(results_xml).is_file():
        raise CodesignError(f"{top}: the {simulator} run of {bench.name} ended without results: "
                            f"{_first_error(build_dir / 'test.log')}")
    return _results(Path(results_xml))


def _build_directory(root: Path, sources: Sequence[str], top: str, parameters: Mapping[str, int],
                     simulator: str) -> Path:
    contents = "".join(rtl_source(name).read_text() for name in sources)
    # the interpreter's prefix too: a build's make rules name cocotb's files by absolute path, so a
    # build left by a checkout elsewhere (another virtual environment) must not be reused
    text = f"{top}{sorted(parameters.items())}{simulator}{sys.prefix}{contents}"
    key = hashlib.sha256(text.encode()).hexdigest()[:12]
    directory = root / f"{top}-{simulator}-{key}"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _first_error(log: Path) -> str:
    if not log.is_file():
        return "no build log"
    for line in log.read_text(errors="replace").splitlines():
        if "error" in line.lower():
            return line.strip()
    return f"see {log}"


def _results(path: Path) -> BenchResults:
    passed, failed = [], []
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if failure is None:
            passed.append(case.get("name", "?"))
        else:
            failed.append((case.get("name", "?"), failure.get("message", "") or (failure.text or "")))
    return BenchResults(tuple(passed), tuple(failed))
