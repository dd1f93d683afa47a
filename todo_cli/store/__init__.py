"""The data layer, on the DB-API drivers (sqlite3, psycopg2).

target      what the store needs of the settings (config.Settings is one)
driver      connections and what their errors mean
session     the per-user transaction: scoping, one message per transaction
runner      run(): retries, exactly once, the output-has-begun rule
faults      failures as one line for the user, with their exit codes
revision    the schema's revision, read and judged without Alembic; HEAD
embedded    the SQLite file's first use (sqlite.sql) and self-upgrade
schema      the schema commands: status and upgrade
migrations  Alembic (the only module here that imports SQLAlchemy)
sql         parameters, values and fragments that differ per backend
rows        the select list of a todo and its decoding, by field name
todo_columns the columns of todos and their kinds, from sqlite.sql
todos, changes, editing, recurring, sharing, listing, events, history,
journal, transfer, admin, completing, stats: the SQL of each job
outbox      offline mode's local file (outbox, provisional names, the copy)
replaying   what replaying an offline change asks the server

Nothing here knows about Typer or Rich, nor imports the configuration or
the JSON shapes. The commands pass owner= (whose todos), not SQL.
"""
