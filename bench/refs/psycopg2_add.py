"""Reference: raw psycopg2 doing the same insert.

By default as psycopg2 does it out of the box: connect, BEGIN, one
INSERT ... RETURNING, COMMIT, close (5 round trips, Terminate included).
With --one-message, in autocommit: connect, the INSERT alone (which the
server runs as an implicit transaction), close: 3, the floor every
everyday `todo` command meets.

    python psycopg2_add.py DATABASE_URL [TITLE] [--one-message]
"""

import sys

import psycopg2

args = [a for a in sys.argv[1:] if a != "--one-message"]
conn = psycopg2.connect(args[0])
conn.autocommit = "--one-message" in sys.argv
cur = conn.cursor()
cur.execute(
    "INSERT INTO naive_todo (title, done) VALUES (%s, FALSE) RETURNING id",
    (args[1] if len(args) > 1 else "Call the bank",),
)
print(cur.fetchone()[0])
conn.commit()
conn.close()
