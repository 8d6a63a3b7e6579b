"""Hostile and broken YAML (issue 11): specs, spaces and calibration files all go through one
reader, and each of these inputs gets one error line and exit code 2, promptly, from each."""

import os
import shutil
import time

import pytest
import yaml

from codesign.arch import ARCH_SPECS_DIRECTORY, load_arch
from codesign.arch.yaml_files import MOST_FILE_BYTES, show_value
from codesign.dse.space import load_space
from codesign.errors import ArchSpecError, CodesignError
from tests.unit.test_bad_input import assert_one_line_error, run
from tests.unit.test_spec_fuzz import BOMB, time_limit

PROMPTLY_S = 5.0  # every case below fails in well under a second; more means it walked the expansion

ALIAS_CHAIN = ''.join(f'a{level}: &a{level} ' + '[' * 40 + (f'*a{level - 1}' if level else 'x') + ']' * 40 + '\n'
                      for level in range(3))  # 40 levels per anchor, three anchors deep: 120 once expanded

HOSTILE = {
    'deep nesting': ('x: ' + '[' * 5000 + ']' * 5000 + '\n', 'nested more than 64 levels deep'),
    'a 5,000-digit integer': ('x: ' + '9' * 5000 + '\n', 'an integer of 5000 characters is too large'),
    'a 5,000-digit hexadecimal integer': ('x: 0x' + 'f' * 5000 + '\n', 'an integer of 5002 characters'),
    'billion laughs': (BOMB + 'x: *l8\n', 'aliases expand the document to more than 100000 values'),
    'an alias inside its own anchor': ('x: &loop [*loop]\n', 'alias *loop is inside the node it names'),
    'aliases nesting past the limit': (ALIAS_CHAIN, 'aliases nest the document more than 64 levels deep'),
    'bytes that are not UTF-8': (b'name: caf\xe9\n', 'not UTF-8 text (byte 0xe9 at offset 9)'),
}


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def refused_promptly(capsys, *argv):
    started = time.perf_counter()
    with time_limit(4 * PROMPTLY_S):
        outcome = run(capsys, *argv)
    assert time.perf_counter() - started < PROMPTLY_S
    return outcome[::2]


@pytest.mark.parametrize('case', HOSTILE)
def test_hostile_spec(capsys, tmp_path, case):
    content, expected = HOSTILE[case]
    spec = write(tmp_path / 'spec.yaml', content)
    assert_one_line_error(*refused_promptly(capsys, 'arch', 'show', str(spec)), 'spec.yaml: ', expected)


@pytest.mark.parametrize('case', HOSTILE)
def test_hostile_space(capsys, tmp_path, case):
    content, expected = HOSTILE[case]
    space = write(tmp_path / 'space.yaml', content)
    output = tmp_path / 'out'
    assert_one_line_error(*refused_promptly(capsys, 'sweep', str(space), '-o', str(output)), 'space.yaml: ', expected)
    assert not output.exists()  # refused before anything was written


@pytest.mark.parametrize('case', HOSTILE)
def test_hostile_calibration_file(capsys, tmp_path, case):
    # A copied calibrated spec reads the calibration file beside it before the shipped one.
    content, expected = HOSTILE[case]
    spec = tmp_path / 'crossbar_calibrated.yaml'
    shutil.copy(ARCH_SPECS_DIRECTORY / 'crossbar_calibrated.yaml', spec)
    write(tmp_path / 'calibration' / 'crossbar.yaml', content)
    assert_one_line_error(*refused_promptly(capsys, 'arch', 'show', str(spec)), 'calibration/crossbar.yaml: ', expected)


def test_an_integer_of_100_characters_still_reads(tmp_path):
    with pytest.raises(ArchSpecError, match=r"name: input should be a valid string \(got 1111"):
        load_arch(write(tmp_path / 'spec.yaml', 'name: ' + '1' * 100 + '\n'))


def test_devices_and_fifos_are_refused_without_reading(capsys, tmp_path):
    assert_one_line_error(*refused_promptly(capsys, 'arch', 'show', '/dev/zero'),
                          '/dev/zero: cannot read file (a character device, not a regular file)')
    fifo = tmp_path / 'spec.yaml'
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    assert_one_line_error(*refused_promptly(capsys, 'arch', 'show', str(fifo)), 'a FIFO, not a regular file')
    with time_limit(PROMPTLY_S), pytest.raises(CodesignError, match='a FIFO, not a regular file'):
        load_space(fifo)
    assert_one_line_error(*refused_promptly(capsys, 'arch', 'show', str(tmp_path)), 'a directory, not a regular file')


def test_a_file_over_the_size_limit_is_refused(capsys, tmp_path):
    spec = write(tmp_path / 'spec.yaml', '# padding\n' * (MOST_FILE_BYTES // 10 + 1))
    assert_one_line_error(*refused_promptly(capsys, 'arch', 'show', str(spec)), 'larger than 1 MiB')


def test_references_that_multiply_are_cut_off(capsys, tmp_path):
    # Ten references to a file of ten references to ...: a billion laughs made of files.
    write(tmp_path / 'level0.yaml', 'x: 1\n')
    for level in range(1, 7):
        write(tmp_path / f'level{level}.yaml', yaml.safe_dump({'x': [{'ref': f'level{level - 1}.yaml'}] * 10}))
    spec = write(tmp_path / 'spec.yaml', 'name: bomb\nhierarchy: [{ref: level6.yaml}]\n')
    assert_one_line_error(*refused_promptly(capsys, 'arch', 'show', str(spec)),
                          'references expand the spec to more than 100000 values')


def test_a_chain_of_references_too_long_is_cut_off(tmp_path):
    for index in range(80):
        write(tmp_path / f'link{index}.yaml', f'ref: link{index + 1}.yaml\n')
    write(tmp_path / 'link80.yaml', 'x: 1\n')
    with pytest.raises(ArchSpecError, match='references chain more than 64 files'):
        load_arch(write(tmp_path / 'spec.yaml', 'name: chain\nhierarchy: [{ref: link0.yaml}]\n'))


def test_quoting_a_huge_value_costs_only_what_is_shown():
    self_containing = []
    self_containing.append(self_containing)
    values = [list(range(10**6)), 1 << 20_000, self_containing, {'k': 'x' * 10**7}, ('a', 2)]
    started = time.perf_counter()
    shown = [show_value(value) for value in values]
    assert time.perf_counter() - started < 0.05  # repr() of the first alone takes longer
    assert shown[0] == repr(list(range(30)))[:57] + '...'
    assert shown[1] == '<an integer of 20001 bits>'  # repr() would refuse: more than 4,300 digits
    assert shown[2] == '[' * 57 + '...'
    assert shown[3] == ("{'k': " + repr('x' * 100))[:57] + '...'
    assert shown[4] == "('a', 2)"


def test_a_reference_naming_a_path_with_a_newline_stays_one_line(capsys, tmp_path):
    spec = tmp_path / 'spec.yaml'
    spec.write_text('name: {ref: "0\\nx.yaml"}\n')
    code, _, err = run(capsys, 'arch', 'show', str(spec))
    assert_one_line_error(code, err, 'referenced file not found', '0\\nx.yaml')
