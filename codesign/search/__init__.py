"""Search: a genetic-algorithm wrapper around DEAP (ga.py) for the layer-fusion scheduler."""
