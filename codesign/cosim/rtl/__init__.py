"""RTL co-simulation: the Verilog in rtl/, simulated (Icarus, Verilator), synthesized (yosys),
measured (cycles, gate-level toggle activity, cell area) and fitted into calibrations."""
