# The two entry points of the README. Both set everything up first (idempotent).
.PHONY: setup demo test

setup:
	bash scripts/setup.sh

demo: setup
	mkdir -p out
	.venv/bin/codesign compile mobilenet_v3_large --arch simba -p fuse-layers --json out/mobilenet_v3_large-simba.json --plot out/plots

test: setup
	bash scripts/run_tests.sh
