"""The sweep result store and runner: round trip, resume, refusal of foreign files, SIGKILL."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from codesign.dse.runner import run_points
from codesign.dse.store import ResultStore, point_key, stable_hash
from codesign.errors import CodesignError

REPO_ROOT = Path(__file__).resolve().parents[2]
IDENTITY = stable_hash({"sweep": "test"})


def make_points(count):
    points = []
    for index in range(count):
        parameters = {"rows": index, "columns": 8}
        points.append({"key": point_key(parameters, "tiny_cnn"), "parameters": parameters,
                       "workload": "tiny_cnn"})
    return points


def evaluate_square(point):
    """A top-level evaluator (picklable); odd rows above 10 are infeasible."""
    rows = point["parameters"]["rows"]
    if rows > 10 and rows % 2:
        raise CodesignError(f"rows {rows} do not fit")
    return {"status": "ok", "metrics": {"energy": rows * rows}, "error": None}


def evaluate_buggy(point):
    raise ZeroDivisionError("a bug, not an infeasible point")


def test_round_trip(tmp_path):
    with ResultStore(tmp_path / "sweep.sqlite", IDENTITY) as store:
        assert store.add("k1", {"rows": 4}, "tiny_cnn", "ok", {"energy": 1.5})
        assert store.add("k2", {"rows": 5}, "tiny_cnn", "infeasible", {}, "too big")
    with ResultStore(tmp_path / "sweep.sqlite", IDENTITY) as store:
        rows = {row["key"]: row for row in store.rows()}
        assert store.done_keys() == {"k1", "k2"}
    assert rows["k1"]["parameters"] == {"rows": 4}
    assert rows["k1"]["metrics"] == {"energy": 1.5}
    assert rows["k2"]["status"] == "infeasible" and rows["k2"]["error"] == "too big"


def test_duplicates_impossible(tmp_path):
    with ResultStore(tmp_path / "sweep.sqlite", IDENTITY) as store:
        assert store.add("k1", {}, "w", "ok", {"energy": 1})
        assert not store.add("k1", {}, "w", "ok", {"energy": 2})
        assert len(store) == 1 and store.rows()[0]["metrics"] == {"energy": 1}
        with pytest.raises(ValueError):
            store.add("k3", {}, "w", "error", {})


def test_point_key_is_stable():
    assert point_key({"a": 1, "b": 2}, "w") == point_key({"b": 2, "a": 1}, "w")
    assert point_key({"a": 1}, "w") != point_key({"a": 1}, "w2")
    assert point_key({"a": 1}, "w", "arch-x") != point_key({"a": 1}, "w", "arch-y")


def _write_foreign_sqlite(path):
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (name TEXT)")
    connection.commit()
    connection.close()


def _write_other_sweep(path):
    ResultStore(path, stable_hash({"sweep": "another"})).close()


def _write_garbage(path):
    path.write_bytes(b"this is not a database\n" * 100)


def _write_truncated_store(path):
    _write_other_sweep(path)
    path.write_bytes(path.read_bytes()[:100] + b"\xff" * 5000)


@pytest.mark.parametrize("writer, reason", [
    (_write_foreign_sqlite, "foreign SQLite"),
    (_write_other_sweep, "different sweep"),
    (_write_garbage, "not a SQLite file"),
    (_write_truncated_store, ""),
])
def test_refuses_foreign_files_untouched(tmp_path, writer, reason):
    path = tmp_path / "sweep.sqlite"
    writer(path)
    before = path.read_bytes()
    with pytest.raises(CodesignError) as caught:
        ResultStore(path, IDENTITY)
    message = str(caught.value)
    assert str(path) in message and reason in message and "\n" not in message
    assert path.read_bytes() == before


def test_runner_resumes_and_marks_infeasible(tmp_path):
    store_path = tmp_path / "sweep.sqlite"
    points = make_points(20)
    first = run_points(points[:8], evaluate_square, store_path, IDENTITY, workers=2)
    assert (first.evaluated, first.skipped) == (8, 0)
    progress = []
    second = run_points(points, evaluate_square, store_path, IDENTITY, workers=2,
                        on_result=lambda done, total: progress.append((done, total)))
    assert (second.total, second.evaluated, second.skipped) == (20, 12, 8)
    assert second.infeasible == 5  # rows 11, 13, 15, 17, 19: all in the resumed part
    assert progress[0] == (8, 20) and progress[-1] == (20, 20) and len(progress) == 13
    with ResultStore(store_path, IDENTITY) as store:
        rows = store.rows()
    assert sorted(row["key"] for row in rows) == sorted(point["key"] for point in points)
    infeasible = {row["parameters"]["rows"] for row in rows if row["status"] == "infeasible"}
    assert infeasible == {11, 13, 15, 17, 19}


def test_runner_propagates_bugs_serial_and_pooled(tmp_path):
    for workers in (1, 2):
        with pytest.raises(ZeroDivisionError):
            run_points(make_points(3), evaluate_buggy, tmp_path / f"s{workers}.sqlite",
                       IDENTITY, workers=workers)


SWEEP_SCRIPT = """
import sys, time
sys.path.insert(0, {repo!r})
from codesign.dse.runner import run_points
from codesign.dse.store import point_key

def evaluate_slowly(point):
    time.sleep(0.05)
    return {{"status": "ok", "metrics": {{"value": point["parameters"]["index"]}}, "error": None}}

if __name__ == "__main__":
    points = [{{"key": point_key({{"index": i}}, "w"), "parameters": {{"index": i}},
               "workload": "w"}} for i in range(40)]
    summary = run_points(points, evaluate_slowly, sys.argv[1], "sigkill-sweep", workers=2)
    print(summary.evaluated, summary.skipped)
"""


def _stored_rows(store_path):
    try:
        connection = sqlite3.connect(store_path, timeout=5)
        try:
            return connection.execute("SELECT COUNT(*) FROM points").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.OperationalError:
        return 0  # the sweep has not created its table yet


def test_sigkill_then_resume_completes_exactly(tmp_path):
    script = tmp_path / "sweep.py"
    script.write_text(textwrap.dedent(SWEEP_SCRIPT.format(repo=str(REPO_ROOT))))
    store_path = tmp_path / "sweep.sqlite"
    command = [sys.executable, str(script), str(store_path)]
    # A new session so SIGKILL reaches the pool workers too, as kill -9 of the job would.
    sweep = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 15
    while _stored_rows(store_path) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(sweep.pid, signal.SIGKILL)
    sweep.wait()
    rows_after_kill = _stored_rows(store_path)
    assert 5 <= rows_after_kill < 40

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    evaluated, skipped = map(int, resumed.stdout.split())
    assert (evaluated, skipped) == (40 - rows_after_kill, rows_after_kill)
    connection = sqlite3.connect(store_path)
    keys = [key for (key,) in connection.execute("SELECT key FROM points")]
    indices = [value for (value,) in connection.execute(
        "SELECT json_extract(parameters, '$.index') FROM points")]
    connection.close()
    assert len(keys) == len(set(keys)) == 40
    assert sorted(indices) == list(range(40))
