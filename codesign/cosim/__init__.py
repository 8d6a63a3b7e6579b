"""Co-simulation below the models: ngspice (through PySpice) for cells and columns, cocotb for RTL."""
