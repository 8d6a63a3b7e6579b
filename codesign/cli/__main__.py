"""`python -m codesign.cli`."""

from codesign.cli.app import entry_point

entry_point()
