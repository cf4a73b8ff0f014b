"""Studies: tecton run on the peer's (pysystemtrade's) shared data, with recorded results.

Each study is a runnable module (``uv run python -m studies.<name>``) that builds, or reuses, a
data home holding the peer's markets (:mod:`studies.peer_data`) and prints its tables; the
figures of a full run are recorded in ``studies/README.md``.
"""
