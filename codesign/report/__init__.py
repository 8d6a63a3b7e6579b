"""Reports: tables for the terminal, JSON for machines, plots for people."""
