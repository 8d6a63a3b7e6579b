"""Seeded mutation fuzzing of the shipped specs, components, calibration files and spaces.

Each case breaks one shipped YAML file (deleted and misspelled keys, values of the wrong type,
huge, negative, NaN and infinite numbers, deep nesting, aliases, long strings, bytes that are
not UTF-8, truncation) and loads it as a user would: `codesign arch show` in-process for specs
and the files they reference, load_space() and space_warnings() (what `codesign sweep` does
before its first point) for spaces. Every case must end in exit code 0 or 2 with at most one
error line on stderr, within a time limit.

The suite runs a few hundred cases; for thousands:
    .venv/bin/python -m tests.unit.test_spec_fuzz 5000 [SEED]
"""

import contextlib
import copy
import io
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import yaml

from codesign.arch import ARCH_SPECS_DIRECTORY
from codesign.arch.yaml_files import read_yaml
from codesign.cli import main
from codesign.dse.space import load_space
from codesign.dse.space_warnings import space_warnings
from codesign.errors import CodesignError

CASE_SECONDS = 10  # a case slower than this is a hang
SEED_FILES = sorted(path.relative_to(ARCH_SPECS_DIRECTORY) for path in ARCH_SPECS_DIRECTORY.rglob('*.yaml'))
WRONG_TYPES = [None, True, 'text', '', [], {}, [1, 2], {'a': 1}, 0, -1, 3.5, 'K', 'dram', ['weight', 'weight'],
               'a/' + 'x' * 5000 + '.onnx', 'x' * 300 + '.yaml', '/dev/zero', '../simba.yaml', 'simba', 'a\x00b']
BAD_NUMBERS = [10**10, 10**30, 10**99, 2**63, -5, 0, -0.0, float('nan'), float('inf'), float('-inf'),
               1e-300, 1e308, 1.5, 5e-324,
               1e-30, 1e30, 2**20, 2**40, 2**50, 1, 64, 1e-12]  # the schema's bounds: legal, and extreme
REFERENCES = [{'ref': 'components/lpddr4_dram.yaml'}, {'ref': 'nosuch.yaml'}, {'ref': '/dev/zero'},
              {'ref': ''}, {'ref': 5}, {'extends': 'simba'}, {'extends': 'simba.yaml', 'name': 'x'},
              {'ref': 'components/lpddr4_dram.yaml', 'override': {'capacty_bytes': 1}}]
BOMB = ''.join(f'l{level}: &l{level} [{", ".join([f"*l{level - 1}" if level else "x"] * 9)}]\n' for level in range(9))


class CaseTimedOut(BaseException):
    """Raised by the alarm: a BaseException, so that the CLI's `except Exception` cannot swallow it."""


# ---- mutations of the parsed data ----

def locations(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from locations(child, prefix + (key,))


def parent_and_key(data, location):
    parent = data
    for key in location[:-1]:
        parent = parent[key]
    return parent, location[-1]


def misspelled(word, rng: random.Random) -> str:
    word = str(word)
    position = rng.randrange(len(word) + 1)
    choice = rng.randrange(3)
    if choice == 0 and word:  # a dropped letter: capacty_bytes
        return word[:max(position - 1, 0)] + word[max(position, 1):]
    if choice == 1 and len(word) > 1:  # two letters swapped
        position = min(position, len(word) - 2)
        return word[:position] + word[position + 1] + word[position] + word[position + 2:]
    return word[:position] + rng.choice('abcxyz_') + word[position:]  # a letter too many


def mutate_data(data, rng: random.Random):
    spots = list(locations(data))[1:]
    if not spots:
        return rng.choice(WRONG_TYPES)
    location = rng.choice(spots)
    parent, key = parent_and_key(data, location)
    operation = rng.randrange(9)
    if operation == 0:
        del parent[key]
    elif operation == 1 and isinstance(parent, dict):
        parent[misspelled(key, rng)] = parent.pop(key)
    elif operation == 2:
        parent[key] = copy.deepcopy(rng.choice(WRONG_TYPES))
    elif operation == 3:
        parent[key] = rng.choice(BAD_NUMBERS)
    elif operation == 4:
        parent[key] = 'x' * rng.choice([1000, 100_000])
    elif operation == 5:
        nested = parent[key]
        for _ in range(rng.choice([70, 150])):  # deeper: mutate_text's 5,000 brackets
            nested = [nested] if rng.random() < 0.5 else {'k': nested}
        parent[key] = nested
    elif operation == 6 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))  # a duplicate item
    elif operation == 7:
        parent[key] = copy.deepcopy(rng.choice(REFERENCES))
    else:
        parent[key] = copy.deepcopy(data)  # the whole document again, inside itself
    return data


# ---- mutations of the text ----

def mutate_text(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True) or ['\n']
    line = rng.randrange(len(lines))
    operation = rng.randrange(10)
    if operation == 0:
        return text.encode()[:rng.randrange(len(text.encode()) + 1)]  # truncated, maybe inside a character
    if operation == 1:
        at = rng.randrange(len(text) + 1)
        return text[:at].encode() + rng.choice([b'\xff', b'\x00', b'\x1b', b'\t', bytes(rng.randrange(256)
                                                for _ in range(8))]) + text[at:].encode()
    if operation == 2:
        return (BOMB + text).encode()
    if operation == 3:
        return ('loop: &loop [*loop]\n' + text).encode()
    if operation == 4:
        key = lines[line].split(':')[0]
        return ''.join(lines[:line] + [f'{key}: {"9" * rng.choice([101, 5000])}\n'] + lines[line + 1:]).encode()
    if operation == 5:
        return ('x: ' + '[' * 5000 + ']' * 5000 + '\n' + text).encode()
    if operation == 6:
        return ''.join(lines[:line + 1] + [lines[line]] + lines[line + 1:]).encode()  # a duplicated line
    if operation == 7:
        return ''.join(lines[:line] + lines[line + 1:]).encode()
    if operation == 8:
        return (text + '\nname: é\n').encode(rng.choice(['latin-1', 'utf-16']))
    anchor_line = lines[line].rstrip('\n')
    if ': ' in anchor_line and not anchor_line.rstrip().endswith(':'):  # `key: &a value`, then aliased elsewhere
        key, value = anchor_line.split(': ', 1)
        lines[line] = f'{key}: &anchor {value}\n'
        lines.append('extra: [*anchor, *anchor]\n')
    return ''.join(lines).encode()


def mutated_file(original: bytes, rng: random.Random) -> bytes:
    text = original.decode()
    if rng.random() < 0.6:
        data = yaml.load(text, Loader=yaml.SafeLoader)
        for _ in range(rng.randint(1, 3)):
            data = mutate_data(data, rng)
        try:
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        except RecursionError:  # PyYAML's writer recurses too: nestings stacked up past what it can write
            pass
    return mutate_text(text, rng) if rng.random() < 0.5 else text.encode()


# ---- running a case ----

def consumer(relative: Path) -> tuple[str, Path]:
    """How a user meets the file: ('space', it), or ('spec', the top-level spec that reads it)."""
    if relative.parts[0] == 'spaces':
        return 'space', relative
    if len(relative.parts) == 1:
        return 'spec', relative
    for spec in sorted(ARCH_SPECS_DIRECTORY.glob('*.yaml')):
        if str(relative) in spec.read_text() or f'{relative.parent}/{relative.stem}' in spec.read_text():
            return 'spec', spec.relative_to(ARCH_SPECS_DIRECTORY)
    return 'spec', Path('simba.yaml')


def run_case(kind: str, path: Path) -> tuple[int, str]:
    """(exit code, stderr) of loading `path` as a user would."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        if kind == 'spec':
            code = main(['arch', 'show', str(path)])
        else:
            code = load_space_like_the_cli(path)
    return code, stderr.getvalue()


def load_space_like_the_cli(path: Path) -> int:
    try:
        space = load_space(path)
        for warning in space_warnings(space, path):
            print(f'codesign: warning: {warning}', file=sys.stderr)
    except CodesignError as error:
        print(f'codesign: error: {error}', file=sys.stderr)
        return 2
    except Exception as error:  # as the CLI reports a bug
        print(f'codesign: internal error: {type(error).__name__}: {error}'[:1000], file=sys.stderr)
        return 1
    return 0


def problem(code: int, stderr: str) -> str | None:
    """What is wrong with the outcome of a case, or None."""
    lines = stderr.splitlines()
    errors = [line for line in lines if not line.startswith('codesign: warning: ')]
    if code not in (0, 2) or 'Traceback' in stderr:
        return f'exit {code}: {stderr.strip()[-400:]}'
    if code == 2 and (len(errors) != 1 or not errors[0].startswith('codesign: error: ') or lines[-1] != errors[0]):
        return f'exit 2 without one error line last: {stderr[-400:]!r}'
    if code == 0 and errors:
        return f'exit 0 with error output: {stderr[-400:]!r}'
    return None


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise CaseTimedOut in the main thread once `seconds` have passed inside the block."""
    def on_alarm(signum, frame):
        raise CaseTimedOut()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def fuzz(cases: int, seed: int, work: Path) -> tuple[list[str], float]:
    """Run `cases` seeded cases in a copy of arch_specs/ under `work`; (problems found, seconds)."""
    tree = work / 'arch_specs'
    shutil.copytree(ARCH_SPECS_DIRECTORY, tree, ignore=shutil.ignore_patterns('*.py', '__pycache__'))
    originals = {relative: (ARCH_SPECS_DIRECTORY / relative).read_bytes() for relative in SEED_FILES}
    for space in sorted((ARCH_SPECS_DIRECTORY / 'spaces').glob('*.yaml')):
        load_space(space)  # imports torch and the passes once, before any case is timed
    rng = random.Random(seed)
    found, started = [], time.perf_counter()
    for case in range(cases):
        relative = rng.choice(SEED_FILES)
        (tree / relative).write_bytes(mutated_file(originals[relative], rng))
        kind, target = consumer(relative)
        try:
            with time_limit(CASE_SECONDS):
                outcome = problem(*run_case(kind, tree / target))
        except CaseTimedOut:
            outcome = f'no answer within {CASE_SECONDS} s'
        if outcome:
            found.append(f'case {case} (seed {seed}, {relative}): {outcome}')
            shutil.copy(tree / relative, work / f'failing_{case}_{relative.name}')
        (tree / relative).write_bytes(originals[relative])
    return found, time.perf_counter() - started


def test_mutated_shipped_yaml_never_crashes_or_hangs(tmp_path):
    found, seconds = fuzz(cases=300, seed=11, work=tmp_path)
    assert not found, '\n'.join(found[:10])
    assert seconds < 60, f'300 cases took {seconds:.0f} s'


def test_the_seed_files_load_unchanged(tmp_path):
    # The fuzzer's baseline: unmutated, every seed file loads cleanly through the same path.
    tree = tmp_path / 'arch_specs'
    shutil.copytree(ARCH_SPECS_DIRECTORY, tree)
    for relative in SEED_FILES:
        kind, target = consumer(relative)
        assert run_case(kind, tree / target) == (0, ''), relative
    assert read_yaml(ARCH_SPECS_DIRECTORY / 'simba.yaml')['name'] == 'simba'


if __name__ == '__main__':
    import tempfile

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    fuzz_seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    directory = Path(tempfile.mkdtemp(prefix='codesign_fuzz_'))  # kept: it holds the failing inputs
    problems, elapsed = fuzz(count, fuzz_seed, directory)
    print(f'{count} cases in {elapsed:.1f} s, {len(problems)} problems; failing inputs in {directory}')
    for line in problems:
        print(line)
