"""The todo benchmark suite: `bench/run` (venv, PostgreSQL, Debian packages),
then `python -m bench` from the repository root.

    harness.py   commands, timing them (hyperfine -N, or a Python loop), tables, budgets
    pg.py        scratch PostgreSQL databases and plain statements
    seed.py      volume: 1,000,000 todos on PostgreSQL, 100,000 in a SQLite file
    plans.py     the default list's statement, its EXPLAIN, what its indexes buy
    report.py    RESULTS.md
    sections/    one module per section (adding one: see sections/__init__.py)
    loadgen.py   the load section's client processes (loadstats.py: their figures)
    baseline.py  a venv of an earlier revision, for --baseline REV
    refs/        the reference programs the tables compare todo with

Every timing is the median of repeated runs, and every budget is a ratio
against a reference measured in the same run, or a count: the figures compare
across machines even when the milliseconds do not.
"""
