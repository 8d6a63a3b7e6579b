# The two entry points of the README. Both set everything up first (idempotent).
.PHONY: setup demo test

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/codesign inspect mobilenet_v3_large

test: setup
	bash scripts/run_tests.sh
