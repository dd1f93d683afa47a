"""Reference: the round-trip floor. Raw psycopg2 doing the same insert:
connect, one INSERT ... RETURNING, commit, close.

    python psycopg2_add.py DATABASE_URL [TITLE]
"""

import sys

import psycopg2

conn = psycopg2.connect(sys.argv[1])
cur = conn.cursor()
cur.execute(
    "INSERT INTO naive_todo (title, done) VALUES (%s, FALSE) RETURNING id",
    (sys.argv[2] if len(sys.argv) > 2 else "Call the bank",),
)
print(cur.fetchone()[0])
conn.commit()
conn.close()
