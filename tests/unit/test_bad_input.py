"""Bad input: one line on stderr, exit code 2, no traceback, nothing overwritten."""

import subprocess
import sys

import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codesign.cli import main
from tests.onnx_builders import conv_bn_relu, model, save


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code, err, *fragments):
    assert code == 2, err
    assert err.startswith("codesign: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


def test_missing_file(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "inspect", str(tmp_path / "absent.onnx"))[::2], "absent.onnx: no such file")


def test_unknown_model_name(capsys):
    assert_one_line_error(*run(capsys, "inspect", "resnet9000")[::2], "neither a file nor a zoo model", "resnet50")


def test_text_file_is_not_onnx(capsys, tmp_path):
    path = tmp_path / "notes.onnx"
    path.write_text("these are not the weights you are looking for\n")
    assert_one_line_error(*run(capsys, "inspect", str(path))[::2], "notes.onnx")


def test_truncated_onnx(capsys, tmp_path):
    data = conv_bn_relu().SerializeToString()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(data[: len(data) // 2])
    assert_one_line_error(*run(capsys, "inspect", str(path))[::2], "truncated.onnx")


def test_model_failing_the_checker(capsys, tmp_path):
    broken = conv_bn_relu()
    broken.graph.node[0].input[1] = "no_such_weight"
    assert_one_line_error(*run(capsys, "inspect", str(save(broken, tmp_path)))[::2], "ONNX checker rejects")


def test_dynamic_shape_without_binding(capsys, tmp_path):
    dynamic = conv_bn_relu()
    dynamic.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
    dynamic.graph.output[0].type.tensor_type.shape.dim[0].dim_param = "N"
    path = str(save(dynamic, tmp_path))
    assert_one_line_error(*run(capsys, "inspect", path)[::2], "input 'x' has a dynamic shape", "--input-shape x=")
    code, out, _ = run(capsys, "inspect", path, "--input-shape", "x=2x3x32x32")
    assert code == 0 and "2x16x16x16" in out
    assert_one_line_error(*run(capsys, "inspect", path, "--input-shape", "x=2xthree")[::2], "--input-shape expects")


def test_unknown_op(capsys, tmp_path):
    from onnx import helper

    path = str(save(model([helper.make_node("Celu", ["x"], ["y"], name="strange")],
                          [("x", [1, 4])], [("y", [1, 4])]), tmp_path))
    assert_one_line_error(*run(capsys, "inspect", path)[::2], "'Celu'", "'strange'")
    code, out, _ = run(capsys, "inspect", path, "--allow-unknown")
    assert code == 0 and "Opaque" in out


def test_unknown_option_and_missing_argument(capsys):
    assert_one_line_error(*run(capsys, "inspect", "--bogus")[::2], "--bogus")
    assert_one_line_error(*run(capsys, "inspect")[::2], "MODEL")


def test_json_into_a_missing_directory(capsys, tmp_path):
    path = str(save(conv_bn_relu(), tmp_path))
    assert_one_line_error(*run(capsys, "inspect", path, "--json", str(tmp_path / "no" / "r.json"))[::2],
                          "does not exist")


def test_export_refuses_to_overwrite(capsys, tmp_path):
    target = tmp_path / "mine.onnx"
    target.write_text("precious")
    assert_one_line_error(*run(capsys, "models", "export", "digits_cnn", "-o", str(target))[::2], "already exists")
    assert target.read_text() == "precious"
    assert_one_line_error(*run(capsys, "models", "export", "nope", "-o", str(tmp_path / "x.onnx"))[::2], "nope")


def test_installed_command_prints_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "codesign.cli", "inspect", str(tmp_path / "gone.onnx")],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == f"codesign: error: {tmp_path / 'gone.onnx'}: no such file"


VALID = conv_bn_relu().SerializeToString()


def _mutate(data: bytes, positions: list[int], values: list[int], cut: int) -> bytes:
    mutable = bytearray(data)
    for position, value in zip(positions, values):
        mutable[position % len(mutable)] = value
    return bytes(mutable[: max(cut, 1)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2048))
def test_random_bytes_never_escape(capsys, tmp_path, data):
    path = tmp_path / "random.onnx"
    path.write_bytes(data)
    code, _, err = run(capsys, "inspect", str(path))
    assert code in (0, 2), err
    assert "Traceback" not in err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, len(VALID) - 1), max_size=8), st.lists(st.integers(0, 255), max_size=8),
       st.integers(1, len(VALID)))
def test_mutated_models_never_escape(capsys, tmp_path, positions, values, cut):
    path = tmp_path / "mutated.onnx"
    path.write_bytes(_mutate(VALID, positions, values, cut))
    code, _, err = run(capsys, "inspect", str(path))
    assert code in (0, 2), err


@pytest.mark.parametrize("field", ["op_type", "attribute", "dims"])
def test_semantic_mutations_never_escape(capsys, tmp_path, field):
    """Mutations that keep the protobuf valid but break the model's meaning."""
    broken = conv_bn_relu()
    if field == "op_type":
        broken.graph.node[1].op_type = "Conv"
    elif field == "attribute":
        broken.graph.node[0].attribute[0].ints[:] = [-3, 1, 1, 1]
    else:
        broken.graph.initializer[0].dims[:] = [16, 3, 3]
    onnx.save(broken, str(tmp_path / "m.onnx"))
    code, _, err = run(capsys, "inspect", str(tmp_path / "m.onnx"))
    assert code == 2, err


@pytest.mark.parametrize("case", ["missing field", "wrong type", "negative size", "unknown kind"])
def test_bad_arch_spec_through_the_cli(capsys, tmp_path, case):
    from tests.unit.test_arch import BAD_SPECS, write

    spec, expected = BAD_SPECS[case]
    path = write(tmp_path / "bad.yaml", spec)
    assert_one_line_error(*run(capsys, "arch", "show", str(path))[::2], "bad.yaml", expected)


def test_arch_spec_referencing_a_missing_file_through_the_cli(capsys, tmp_path):
    from tests.unit.test_arch import tiny_spec, write

    spec = tiny_spec()
    spec["hierarchy"][1] = {"ref": "parts/gone.yaml"}
    path = write(tmp_path / "spec.yaml", spec)
    assert_one_line_error(*run(capsys, "arch", "show", str(path))[::2], "spec.yaml", "gone.yaml")
    assert_one_line_error(*run(capsys, "arch", "show", "no_such_arch")[::2], "eyeriss", "simba")


def test_names_that_are_not_utf8(capsys, tmp_path):
    """Found by fuzzing: protobuf returns bytes for such names, which nothing downstream expects."""
    path = tmp_path / "latin.onnx"
    path.write_bytes(conv_bn_relu().SerializeToString().replace(b"relu", b"\xffelu"))
    assert_one_line_error(*run(capsys, "inspect", str(path))[::2], "not UTF-8")


def test_output_names_the_os_rejects_are_bad_input(capsys, tmp_path):
    too_long = tmp_path / ("a" * 300 + ".onnx")
    assert_one_line_error(*run(capsys, "models", "export", "digits_cnn", "-o", str(too_long))[::2],
                          "cannot be written (File name too long)")
    assert_one_line_error(*run(capsys, "compile", "digits_cnn", "--arch", "simba",
                               "--json", str(too_long.with_suffix(".json")))[::2], "cannot be written")
