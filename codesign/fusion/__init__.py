"""Layer fusion: the cost of running groups of layers depth-first with their intermediate
activations on chip, and the schedules (layer-by-layer, greedy, genetic) built from it."""
