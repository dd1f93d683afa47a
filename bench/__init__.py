"""The todo benchmark suite: `bench/run` (venv, PostgreSQL, Debian packages),
then `python -m bench` from the repository root.

    harness.py   commands, timing them (hyperfine -N, or a Python loop), tables, budgets
    pg.py        scratch PostgreSQL databases and plain statements
    seed.py      volume: 1,000,000 todos on PostgreSQL, 100,000 in a SQLite file
    plans.py     the default list's statement, its EXPLAIN, what its indexes buy
    report.py    RESULTS.md
    sections/    one module per section (adding one: see sections/__init__.py)
    loadgen.py   the load section's client processes (`python -m bench.loadgen`);
                 loadclients.py their clients, loadstats.py their figures
    baseline.py  a venv of an earlier revision, for --baseline REV
    refs/        the reference programs the tables compare todo with

Every timing is the median of repeated runs, and every budget is a ratio
against a reference measured in the same run, or a count (round trips, rows,
bytes, MB), so the figures compare across machines even when the milliseconds
do not; two budgets the issues gave in absolute terms are kept as given (the
10,000-line batch within 3 s, the load's p95 under 200 ms).
"""
