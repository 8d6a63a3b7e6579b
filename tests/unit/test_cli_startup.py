"""What the command line imports before it does any work: each command loads only what it
uses, so that `codesign --help` answers in a tenth of a second and a compile of a model
imported before starts mapping well within a second (benchmarks/bench_startup.py). Checked
in a fresh interpreter, since this test process has long imported everything."""

import subprocess
import sys
from pathlib import Path

from codesign.cli.rtl import DESIGN_NAMES
from codesign.cosim.rtl.designs import DESIGN_NAMES as COSIM_DESIGN_NAMES

REPOSITORY = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "onnx", "ml_dtypes", "torch", "sklearn", "networkx", "matplotlib", "scipy", "pydantic",
         "codesign.accuracy", "codesign.cosim.rtl.designs", "codesign.frontend.onnx")


def imported_after(code: str) -> list[str]:
    report = f"import sys; print(sorted(name for name in {HEAVY!r} if name in sys.modules))"
    finished = subprocess.run([sys.executable, "-c", f"{code}\n{report}"], cwd=REPOSITORY, capture_output=True,
                              text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    return eval(finished.stdout.strip().splitlines()[-1])


def test_the_rtl_command_knows_the_designs_cosim_knows():
    assert DESIGN_NAMES == COSIM_DESIGN_NAMES


def test_help_imports_nothing_heavy():
    assert imported_after("from codesign.cli import main; assert main(['--help']) == 0") == []


def test_the_command_modules_import_nothing_heavy():
    """Registering the commands (every command's start-up) costs click and rich, not the
    libraries the commands use."""
    assert imported_after("import codesign.cli") == []


def test_the_frontend_imports_onnx_only_to_import_a_file():
    assert imported_after("import codesign.frontend") == ["numpy"]
    assert "onnx" in imported_after("from codesign.frontend import load_onnx")
