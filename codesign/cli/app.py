"""The `codesign` group, its error handling, and what its commands share: the console,
option decorators and the progress bar."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from codesign import __version__
from codesign.errors import CodesignError

UNWRAPPED_WIDTH = 1000
"""The width tables are laid out in when stdout is not a terminal: wide enough that no row of
ours wraps or is cut with '…' (a table only takes the width it needs)."""

PROGRESS_SECONDS = float(os.environ.get("CODESIGN_PROGRESS_SECONDS", "5"))
"""How often long work prints a progress line on stderr when stderr is not a terminal."""


class _Console(Console):
    """A rich console that, written to a pipe or file, lays out at UNWRAPPED_WIDTH instead of 80
    columns (or the terminal's width of another stream), so piped output is never truncated."""

    @property
    def size(self):
        size = super().size
        if self._width is None and not self.is_terminal:
            return type(size)(UNWRAPPED_WIDTH, size.height)
        return size

    @size.setter
    def size(self, new_size) -> None:
        Console.size.fset(self, new_size)


console = _Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="codesign")
def app() -> None:
    """Hardware-software co-design compiler and simulator for NN accelerators."""


def model_options(command, required: bool = True):
    """MODEL plus the options every command that imports a model takes."""
    command = click.option("--allow-unknown", is_flag=True,
                           help="Import unknown op types as zero-cost opaque nodes instead of failing.")(command)
    command = click.option("--input-shape", "input_shapes", multiple=True, metavar="NAME=1x3x224x224",
                           help="Bind a dynamic graph input (repeatable).")(command)
    return click.argument("model", required=required)(command)


def optional_model_options(command):
    return model_options(command, required=False)


json_option = click.option("--json", "json_path", type=click.Path(path_type=Path), metavar="FILE",
                           help="Write the result as JSON to FILE.")


def mapper_options(command):
    """--objective, --seed and --jobs: how a command that compiles searches its mappings."""
    command = click.option("--jobs", type=click.IntRange(min=1), metavar="N",
                           help="Processes mapping distinct layer shapes at once [default: CODESIGN_WORKERS, else "
                                "one per core]; any N gives the same report.")(command)
    command = click.option("--seed", default=0, show_default=True,
                           help="Seed of the mapper's random loop orderings.")(command)
    return click.option("--objective", default="edp", show_default=True,
                        type=click.Choice(["edp", "energy", "latency", "dram"]),
                        help="What the mapper minimises per layer.")(command)



@contextlib.contextmanager
def _progress(label: str, total: int | None):
    """A transient progress bar; yields a callback taking a short description.

    On a terminal the bar is drawn (on stderr when stdout is piped); when stderr is not a terminal,
    a one-line summary ('compiling onto eyeriss: 12/54 (layer features.3.conv.1), 8.1 s') is printed
    there every PROGRESS_SECONDS while the work runs."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.description}")]
    if total is None:
        columns = [TextColumn(label), TimeElapsedColumn(), TextColumn("{task.description}")]
    bar_console = console if console.is_terminal or not _is_terminal(sys.stderr) else Console(stderr=True)
    with Progress(*columns, console=bar_console, transient=True, disable=not bar_console.is_terminal) as progress, \
            _progress_lines(label, sys.stderr) as line_state:
        task = progress.add_task("", total=total)

        def update(description: str, completed: int | None = None, total: int | None = None) -> None:
            if completed is not None:
                progress.update(task, completed=completed, total=total, description=description)
            else:
                progress.update(task, advance=1 if progress.tasks[0].total else 0, description=description)
            line_state.update(description=description, completed=int(progress.tasks[0].completed),
                              total=progress.tasks[0].total)
        yield update


@contextlib.contextmanager
def _progress_lines(label: str, stream):
    """While the block runs, a thread printing `label: completed/total (description), elapsed`
    on `stream` every PROGRESS_SECONDS, when `stream` is not a terminal; yields the state to update."""
    import threading
    import time

    state = {"description": "", "completed": 0, "total": None}
    if _is_terminal(stream) or PROGRESS_SECONDS <= 0:
        yield state
        return
    start, stop = time.monotonic(), threading.Event()

    def report() -> None:
        while not stop.wait(PROGRESS_SECONDS):
            completed, total, description = state["completed"], state["total"], state["description"]
            counted = f"{completed}/{int(total)}" if total else ""
            described = (f"{counted} ({description})" if counted and description else counted or description)
            parts = [part for part in (described, f"{time.monotonic() - start:.1f} s") if part]
            try:
                print(f"{label}: {', '.join(parts)}", file=stream, flush=True)
            except (OSError, ValueError):  # the stream closed under us
                return

    thread = threading.Thread(target=report, name="codesign-progress", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(timeout=1)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def print_spec_warnings(arch, spec) -> None:
    """One `codesign: warning:` line on stderr per implausible value of `arch`, loaded from `spec`
    (a name or a file); see codesign/arch/plausible.py for the ranges."""
    from codesign.arch import spec_path, spec_warnings
    from codesign.arch.yaml_files import shown

    for warning in spec_warnings(arch):
        print(f"codesign: warning: {shown(spec_path(spec))}: {warning}", file=sys.stderr)



def one_line(message: object) -> str:
    """`message` as one printable line: a last guard for the one-line-error promise, whatever
    text (a model's node name, a third-party message) an error carries."""
    text = " ".join(str(message).split())
    return "".join(character if character.isprintable() else repr(character)[1:-1] for character in text)


def print_import_warnings(warnings) -> None:
    """The model importer's warnings, one `codesign: warning:` line each on stderr."""
    for warning in warnings:
        print(f"codesign: warning: {one_line(warning)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to one line on stderr and an exit code."""
    try:
        app.main(args=argv, prog_name="codesign", standalone_mode=False)
    except CodesignError as error:
        print(f"codesign: error: {one_line(error)}", file=sys.stderr)
        return 2
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.exceptions.NoArgsIsHelpError as help_request:
        print(help_request.format_message())
        return 0
    except click.ClickException as error:
        print(f"codesign: error: {one_line(error.format_message())}", file=sys.stderr)
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt):
        print("codesign: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug in codesign, not the user's input
        if os.environ.get("CODESIGN_DEBUG"):
            raise
        print(f"codesign: internal error: {type(error).__name__}: {one_line(error)} "
              "(set CODESIGN_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
        return 1
    return 0


def entry_point() -> None:
    sys.exit(main())
