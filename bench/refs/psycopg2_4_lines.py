"""Reference: the shortest psycopg2 insert (connect, INSERT in autocommit, close).

python psycopg2_4_lines.py DATABASE_URL TITLE
"""

import sys

import psycopg2

conn = psycopg2.connect(sys.argv[1])
conn.autocommit = True
conn.cursor().execute("INSERT INTO bench_insert (title) VALUES (%s)", (sys.argv[2],))
conn.close()
