"""Design-space sweeps: the result store (store.py) and the runner that fills it (runner.py).

Every evaluated point is written to a SQLite store as soon as it finishes, so a sweep
that is killed resumes where it stopped and two sweeps never share one store by accident.
"""
