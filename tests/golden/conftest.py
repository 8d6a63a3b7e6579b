"""Golden files: outputs compared with stored references in tests/golden/data/.

After an intended change, regenerate them and review the diff:
    CODESIGN_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden
"""

import os
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REGENERATE = os.environ.get("CODESIGN_REGENERATE_GOLDEN") == "1"


class Golden:
    def check_text(self, name: str, actual: str) -> None:
        path = DATA / name
        if REGENERATE:
            path.write_text(actual)
        assert path.exists(), f"{path} is missing; regenerate with CODESIGN_REGENERATE_GOLDEN=1"
        expected = path.read_text()
        if actual != expected:
            expected_lines, actual_lines = expected.splitlines(), actual.splitlines()
            first = next((i for i, (a, b) in enumerate(zip(expected_lines, actual_lines)) if a != b),
                         min(len(expected_lines), len(actual_lines)))
            pytest.fail(f"{name} differs from the golden file at line {first + 1}:\n"
                        f"  expected: {expected_lines[first] if first < len(expected_lines) else '<end>'}\n"
                        f"  actual:   {actual_lines[first] if first < len(actual_lines) else '<end>'}")


@pytest.fixture
def golden() -> Golden:
    return Golden()
