"""Cycle agreement between the systolic array's RTL and the dataflow cost model: the cycles the
model gives a GEMM tile on a spec describing the array (arch_specs/systolic_4x4.yaml, resized to
the user's rows and columns), for `codesign rtl pe-array --json` and the agreement test."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy

from codesign.cosim.rtl.trace import RtlOptions



def systolic_arch(rows: int, cols: int):
    """arch_specs/systolic_4x4.yaml with a rows x cols array."""
    from codesign.arch import load_arch

    arch = load_arch("systolic_4x4")
    if (rows, cols) == (4, 4):
        return arch
    hierarchy = []
    for item in arch.hierarchy:
        if getattr(item, "systolic", False):
            axes = (item.axes[0].model_copy(update={"size": rows}), item.axes[1].model_copy(update={"size": cols}))
            item = item.model_copy(update={"axes": axes})
        hierarchy.append(item)
    return arch.model_copy(update={"name": f"systolic_{rows}x{cols}", "hierarchy": tuple(hierarchy)})


def model_gemm_cycles(m: int, k: int, n: int, rows: int, cols: int) -> int:
    """The dataflow cost model's cycles for Y[m x n] = X[m x k] W[k x n] on a rows x cols array."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from codesign.frontend import load_model
    from codesign.target import target_for
    from codesign.target.contract import MapperSettings

    weights = numpy_helper.from_array(numpy.ones((k, n), dtype=numpy.float32), "W")
    graph = helper.make_graph([helper.make_node("MatMul", ["X", "W"], ["Y"], name="tile")], "gemm_tile",
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, [m, k])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])], [weights])
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "gemm_tile.onnx"
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
        imported = load_model(str(path))
    graph_ir = getattr(imported, "graph", imported)
    node = next(node for node in graph_ir.nodes if node.macs)
    target = target_for(systolic_arch(rows, cols), MapperSettings("latency", 0))
    return int(target.map_layer(node).cost.cycles)


def rtl_gemm_cycles(m: int, k: int, n: int, rows: int, cols: int, simulator: str = "icarus",
                    bits: int = 8, seed: int = 0) -> int:
    """Cycles rtl/gemm_tile.v (rows x cols, `bits`-bit operands) takes for one random tile
    Y[m x n] = X[m x k] W[k x n], from the edge that samples `start` to the edge after which `done`
    reads 1, with every operand and result handshake ready; the results are checked too."""
    from codesign.cosim.rtl.gatesim import simulate_gates
    from codesign.cosim.rtl.golden_gemm import (PE_ARRAY_DESIGN, accumulator_bits, gemm_reference, pack_row, pad,
                                                unpack_row, weight_load_order)
    from codesign.cosim.rtl.tools import rtl_source

    options = RtlOptions(bits=bits, rows=rows, cols=cols)
    rng = numpy.random.default_rng(seed)
    low, high = -(1 << (bits - 1)), 1 << (bits - 1)
    x, w = rng.integers(low, high, size=(m, k)), rng.integers(low, high, size=(k, n))
    idle = {"rst": 0, "start": 0, "m_count": 0, "weight_row": 0, "weight_valid": 0, "activation_row": 0,
            "in_valid": 0, "out_ready": 1}
    inputs = [{**idle, "rst": 1}, {**idle, "start": 1, "m_count": m}]
    inputs += [{**idle, "weight_row": pack_row(row, bits), "weight_valid": 1}
               for row in weight_load_order(pad(w, rows, cols))]
    inputs += [{**idle, "activation_row": pack_row(row, bits), "in_valid": 1} for row in pad(x, m, rows)]
    inputs += [dict(idle)] * (2 * rows + cols + 4)
    with tempfile.TemporaryDirectory(prefix="codesign-gemm-") as directory:
        sources = [rtl_source(name) for name in PE_ARRAY_DESIGN.sources]
        run = simulate_gates(sources, PE_ARRAY_DESIGN.top, PE_ARRAY_DESIGN.ports_in(options),
                             PE_ARRAY_DESIGN.ports_out(options), inputs, simulator, Path(directory),
                             PE_ARRAY_DESIGN.parameters(options))
    accumulator = accumulator_bits(bits, rows)
    results = [unpack_row(sample["result_row"], cols, accumulator)[:n] for sample in run.outputs if sample["out_valid"]]
    expected = gemm_reference(x, w, accumulator).tolist()
    if results != expected:
        raise AssertionError(f"gemm_tile {m}x{k}x{n} on {rows}x{cols}: results {results} differ from {expected}")
    done = next(cycle for cycle, sample in enumerate(run.outputs) if sample["done"])
    return done - 1  # `start` is sampled at edge 1
