"""The data layer, on the DB-API drivers (sqlite3, psycopg2).

driver      connections and what their errors mean
session     the per-user transaction: scoping, one message per transaction
runner      run(): retries, exactly once, the output-has-begun rule
faults      failures as one line for the user, with their exit codes
schema      the schema's revision: read, judged, reported, upgraded
migrations  Alembic (the only module here that imports SQLAlchemy)
sql         parameters, values and fragments that differ per backend
todos, listing, events, history, transfer, admin: the SQL of each job

Nothing here knows about Typer or Rich.
"""
