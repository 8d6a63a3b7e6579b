"""Test-wide settings: no periodic progress lines on stderr (codesign/cli/app.py), so that on a
slow machine a command that runs longer than their period does not add lines to the stderr a test
reads; tests of the progress lines set the period themselves."""

import os

os.environ["CODESIGN_PROGRESS_SECONDS"] = "0"
