"""The mapper against hand-written mappings of the dataflows the real chips were built for.

Row stationary on Eyeriss (Chen et al., ISCA 2016): filter rows down the PE columns,
output rows across, each PE sliding a filter row over an input row while its psum
scratchpad accumulates several filters. Weight stationary on Simba (Shao et al., MICRO
2019): each lane keeps an 8-wide weight vector in its register while output pixels stream.
The mapper must never do worse than these on the objective it optimises.
"""

import pytest

from codesign.arch import load_arch
from codesign.arch.energy import energy_table
from codesign.cost.dataflow import evaluate, feasible
from codesign.cost.hardware import hardware_of
from codesign.mapping.search import score, search
from tests.unit.dataflow_fixtures import mapping, problem


def real_hardware(name):
    arch = load_arch(name)
    return hardware_of(arch, energy_table(arch))


ROW_STATIONARY = {
    # AlexNet CONV3: K384 C256 P13 Q13 R3 S3
    "alexnet_conv3": (problem("conv3", K=384, C=256, P=13, Q=13, R=3, S=3), {
        "dram": {"K": 48, "C": 4}, "global_buffer": {"Q": 13, "C": 4}, "filter_buffer": {"C": 4},
        "psum_spad": {"S": 3, "K": 8},
    }, {"pe_array.y": {"R": 3, "C": 4}, "pe_array.x": {"P": 13}}, {"psum_spad": "SRCQPNKG"}),
    # AlexNet CONV4, one of its two groups: K192 C192 P13 Q13 R3 S3
    "alexnet_conv4": (problem("conv4", G=2, K=192, C=192, P=13, Q=13, R=3, S=3), {
        "dram": {"G": 2, "K": 24, "C": 4}, "global_buffer": {"Q": 13, "C": 4}, "filter_buffer": {"C": 3},
        "psum_spad": {"S": 3, "K": 8},
    }, {"pe_array.y": {"R": 3, "C": 4}, "pe_array.x": {"P": 13}}, {"psum_spad": "SRCQPNKG"}),
}

WEIGHT_STATIONARY = {
    # a ResNet 3x3 convolution: K64 C64 P56 Q56 R3 S3
    "resnet_3x3": (problem("conv3x3", K=64, C=64, P=56, Q=56, R=3, S=3), {
        "dram": {"K": 2, "P": 4, "Q": 7}, "input_buffer": {"C": 2}, "accumulation_buffer": {"R": 3, "S": 3},
        "weight_register": {"P": 14, "Q": 8},
    }, {"pe_array.y": {"K": 4}, "pe_array.x": {"C": 4}, "vector_lanes.lane": {"K": 8},
        "vector_width.element": {"C": 8}}, {"weight_register": "NPQSRCKG"}),
    # a ResNet 1x1 projection: K256 C64 P56 Q56
    "resnet_1x1": (problem("conv1x1", K=256, C=64, P=56, Q=56), {
        "dram": {"K": 8, "P": 4, "Q": 7}, "input_buffer": {"C": 2},
        "weight_register": {"P": 14, "Q": 8},
    }, {"pe_array.y": {"K": 4}, "pe_array.x": {"C": 4}, "vector_lanes.lane": {"K": 8},
        "vector_width.element": {"C": 8}}, {"weight_register": "NPQSRCKG"}),
}

CASES = [("eyeriss", name, case) for name, case in ROW_STATIONARY.items()]
CASES += [("simba", name, case) for name, case in WEIGHT_STATIONARY.items()]


@pytest.mark.parametrize("objective", ["energy", "edp"])
@pytest.mark.parametrize(("arch_name", "name", "case"), CASES, ids=[f"{a}-{n}" for a, n, _ in CASES])
def test_mapper_is_never_worse_than_the_hand_written_dataflow(arch_name, name, case, objective):
    layer, temporal, spatial, orders = case
    hardware = real_hardware(arch_name)
    hand = mapping(hardware, temporal, spatial, orders)
    assert (hand.factors[0].prod(axis=0) == layer.sizes).all(), "the hand-written loops must cover the layer"
    assert feasible(layer, hardware, hand)[0], f"the hand-written {name} mapping must fit {arch_name}"
    hand_score = score(evaluate(layer, hardware, hand), objective)[0]
    best_score = score(search(layer, hardware, objective).evaluation, objective)[0]
    assert best_score <= hand_score
