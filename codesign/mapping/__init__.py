"""Per-layer mapping search for the dataflow targets (Eyeriss-like, SIMBA-like)."""
