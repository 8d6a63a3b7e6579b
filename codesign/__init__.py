"""codesign: hardware-software co-design simulator and compiler for NN accelerators.

Pipeline (the package layout follows it): frontend -> ir -> passes -> mapping/cost -> report.
"""

__version__ = "0.1.0"
