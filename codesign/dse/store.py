"""The result store: one SQLite file per sweep, one row per evaluated point.

Why SQLite: each point is committed on its own, so killing a sweep loses only the points
still in flight, and WAL mode plus a busy timeout lets a second process read (or a second
copy of the same sweep write) without corrupting the file. A store belongs to exactly one
sweep (its identity hash, in the `meta` table); any other file gets a one-line
CodesignError and is never overwritten.
"""

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

from codesign.errors import CodesignError

FORMAT_MARKER = "codesign-sweep-store"
FORMAT_VERSION = "1"
STATUSES = ("ok", "infeasible")
_SQLITE_HEADER = b"SQLite format 3\x00"
_BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE points (
    key TEXT PRIMARY KEY,
    parameters TEXT NOT NULL,
    workload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'infeasible')),
    metrics TEXT NOT NULL,
    error TEXT,
    evaluate_seconds REAL,
    finished_at REAL NOT NULL
);
"""


def stable_hash(value) -> str:
    """sha256 of `value` as canonical JSON (sorted keys), so equal inputs hash equally."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def point_key(parameters: dict, workload: str, identity=None) -> str:
    """The key of one point: a hash of everything that determines its result."""
    return stable_hash({"parameters": parameters, "workload": workload, "identity": identity})


class ResultStore:
    """The SQLite store of one sweep, identified by `identity` (a hash string)."""

    def __init__(self, path, identity: str):
        self.path = Path(path)
        self.identity = identity
        self._pid = None
        self._connection = None
        self._open()

    # -- opening and checking -------------------------------------------------------

    def _fail(self, why: str):
        raise CodesignError(f"{self.path}: {why}; refusing to use or overwrite it")

    def _open(self):
        # Check the header before SQLite touches the file: a garbage file must stay intact.
        if self.path.exists() and self.path.stat().st_size > 0:
            with open(self.path, "rb") as handle:
                if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                    self._fail("not a SQLite file (corrupted or foreign)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            self._initialise_or_check(connection)
            # Only after the checks: WAL mode is written into the file's header.
            connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as error:
            connection.close()
            self._fail(f"unreadable SQLite file ({error})")
        except CodesignError:
            connection.close()
            raise
        self._connection, self._pid = connection, os.getpid()

    def _initialise_or_check(self, connection):
        if not self._table_names(connection):
            # BEGIN IMMEDIATE serialises two sweeps creating the same store at once.
            connection.execute("BEGIN IMMEDIATE")
            try:
                if not self._table_names(connection):
                    self._create_schema(connection)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        self._check_meta(connection)

    @staticmethod
    def _table_names(connection) -> set:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {name for (name,) in rows}

    def _create_schema(self, connection):
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        meta = {"format": FORMAT_MARKER, "version": FORMAT_VERSION, "identity": self.identity}
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())

    def _check_meta(self, connection):
        if not {"meta", "points"} <= self._table_names(connection):
            self._fail("not a codesign sweep store (foreign SQLite database)")
        meta = dict(connection.execute("SELECT name, value FROM meta"))
        if meta.get("format") != FORMAT_MARKER:
            self._fail("not a codesign sweep store (no format marker)")
        if meta.get("version") != FORMAT_VERSION:
            self._fail(f"sweep store version {meta.get('version')}, expected {FORMAT_VERSION}")
        if meta.get("identity") != self.identity:
            self._fail("store of a different sweep (inputs differ); use another output directory")

    @property
    def connection(self):
        # One connection per process: a forked child must not share the parent's handle.
        if self._pid != os.getpid():
            self._open()
        return self._connection

    # -- reading and writing -------------------------------------------------------

    def done_keys(self) -> set:
        return {key for (key,) in self.connection.execute("SELECT key FROM points")}

    def add(self, key, parameters, workload, status, metrics, error=None,
            evaluate_seconds=None) -> bool:
        """Record one finished point; returns False when the key was already there."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        row = (key, json.dumps(parameters, sort_keys=True), str(workload), status,
               json.dumps(metrics or {}, sort_keys=True), error, evaluate_seconds, time.time())
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO points VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return cursor.rowcount == 1

    def rows(self) -> list:
        """Every stored point as a dict, oldest first."""
        cursor = self.connection.execute(
            "SELECT key, parameters, workload, status, metrics, error, evaluate_seconds,"
            " finished_at FROM points ORDER BY finished_at, key")
        return [_row_to_dict(row) for row in cursor]

    def records(self, keys) -> dict:
        """The stored points among `keys`, as {key: dict}; keys not stored are left out."""
        found = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):  # SQLite limits the number of bound parameters
            chunk = keys[start:start + 500]
            cursor = self.connection.execute(
                "SELECT key, parameters, workload, status, metrics, error, evaluate_seconds, finished_at"
                f" FROM points WHERE key IN ({', '.join('?' * len(chunk))})", chunk)
            found |= {row[0]: _row_to_dict(row) for row in cursor}
        return found

    def __len__(self):
        return self.connection.execute("SELECT COUNT(*) FROM points").fetchone()[0]

    def close(self):
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _row_to_dict(row) -> dict:
    key, parameters, workload, status, metrics, error, seconds, finished_at = row
    return {"key": key, "parameters": json.loads(parameters), "workload": workload,
            "status": status, "metrics": json.loads(metrics), "error": error,
            "evaluate_seconds": seconds, "finished_at": finished_at}
