"""The `codesign` command: a thin shim over the public API.

Conventions every command keeps: MODEL is an ONNX path or a zoo name; --arch NAME|FILE;
--json FILE; --plot DIR; --seed N. Exit codes: 0 success, 2 bad input (one line on
stderr), 1 internal error.
"""

# Importing the command modules registers their commands on `app`.
from codesign.cli import catalog, compare, compile, rtl, spice, sweep  # noqa: A004, F401
from codesign.cli.app import app, console, entry_point, json_option, main, model_options, optional_model_options

__all__ = ["app", "console", "entry_point", "json_option", "main", "model_options", "optional_model_options"]
