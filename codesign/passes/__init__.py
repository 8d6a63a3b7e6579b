"""Passes: frozen dataclasses whose fields are their options, run as one flat pipeline.

    -p "fuse-layers{population=64,generations=200,seed=0}"
"""

from codesign.passes.pipeline import (
    PassResult,
    available_passes,
    make_pass,
    parse_pipeline,
    run_pipeline,
)

__all__ = ["PassResult", "available_passes", "make_pass", "parse_pipeline", "run_pipeline"]
