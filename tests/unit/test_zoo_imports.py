"""The zoo's registry and cached exports cost no torch and no scikit-learn (seconds and
hundreds of MB): they are imported only to export or train a model. Checked in a fresh
interpreter, since this test process has long imported both."""

import subprocess
import sys
from pathlib import Path

from codesign.frontend import resolve_model_path

REPOSITORY = Path(__file__).resolve().parents[2]
REPORT_HEAVY = "import sys; print('heavy:', sorted(name for name in ('torch', 'sklearn') if name in sys.modules))"


def fresh_python(code: str) -> str:
    finished = subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY, capture_output=True, text=True,
                              timeout=300)
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


def test_importing_a_cached_zoo_model_needs_no_torch():
    resolve_model_path("digits_cnn")  # exported (and trained) here if the cache lacks it
    output = fresh_python("from codesign.frontend import load_model\n"
                          "graph = load_model('digits_cnn').graph\n"
                          "print('layers:', len(graph.compute_nodes))\n" + REPORT_HEAVY)
    assert "layers: 4" in output and "heavy: []" in output


def test_listing_the_zoo_needs_no_torch():
    output = fresh_python("from codesign.cli import main\n"
                          "code = main(['models', 'list'])\n"
                          "assert code == 0\n" + REPORT_HEAVY)
    assert "resnet18" in output and "bert_tiny" in output and "heavy: []" in output


def test_building_a_model_still_imports_its_definition():
    output = fresh_python("from models import zoo\n"
                          "print(type(zoo.get('vgg11').build()).__name__)\n" + REPORT_HEAVY)
    assert "heavy: ['torch']" in output
