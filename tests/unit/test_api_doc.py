"""docs/API.md cannot rot: every ```python block of the page runs, in order, in one namespace, in
a fresh working directory, and prints what the page says it prints, numbers aside (the block of
output after "prints" is compared with digits masked, so a cost-model change that moves a number
does not fail here, but a renamed field, a changed key or a missing line does)."""

import contextlib
import io
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "API.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def page_examples(text: str) -> list[tuple[str, str | None]]:
    """Each python block with the output block that follows it after "prints" (None if it says none)."""
    blocks = list(BLOCK.finditer(text))
    examples = []
    for index, block in enumerate(blocks):
        if block.group(1) != "python":
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        between = text[block.end():following.start()] if following else ""
        stated = following.group(2) if following and following.group(1) == "" and between.strip() == "prints" else None
        examples.append((block.group(2), stated))
    return examples


def shape(output: str) -> list[str]:
    """Lines with every number masked and runs of blanks collapsed (a wider number pads less)."""
    masked = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", output)
    return [" ".join(line.split()) for line in masked.strip().splitlines()]


def test_the_page_has_examples_with_stated_output():
    examples = page_examples(PAGE.read_text(encoding="utf-8"))
    assert len(examples) >= 8
    assert all(stated is not None for _, stated in examples), "every python block says what it prints"


def test_every_python_block_of_the_api_page_runs_and_prints_what_it_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODESIGN_WORKERS", "1")
    namespace: dict = {"__name__": "__api_doc__"}
    for number, (code, stated) in enumerate(page_examples(PAGE.read_text(encoding="utf-8")), 1):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            try:
                exec(compile(code, f"docs/API.md, python block {number}", "exec"), namespace)
            except Exception as error:  # name the block, not just the line inside it
                pytest.fail(f"docs/API.md python block {number} raised {type(error).__name__}: {error}\n{code}")
        assert shape(printed.getvalue()) == shape(stated), (
            f"docs/API.md python block {number} prints\n{printed.getvalue()}\nbut the page says\n{stated}")


def test_the_public_names_are_importable_from_codesign():
    import codesign

    for name in codesign.__all__:
        assert getattr(codesign, name) is not None, name
    assert set(codesign.__all__) <= set(dir(codesign))
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        codesign.no_such_name  # noqa: B018
