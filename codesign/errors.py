"""Errors a user can cause. The CLI prints them as one line and exits with code 2.

Anything else that escapes is an internal error (exit code 1): a bug in codesign.
"""


class CodesignError(Exception):
    """Bad input: a missing file, a malformed model or spec, an impossible request."""


class ModelLoadError(CodesignError):
    """The model file cannot be read, parsed or checked."""


class UnsupportedOpError(CodesignError):
    """The model uses an ONNX op type the frontend does not import."""


class DynamicShapeError(CodesignError):
    """A graph input has a dimension that is not bound to a number."""


class ArchSpecError(CodesignError):
    """An architecture spec is missing, malformed or inconsistent."""


class UnknownNameError(CodesignError):
    """A zoo model, architecture, or pass name that does not exist."""
