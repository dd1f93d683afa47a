"""Helpers the test suite and the bench share: the real `todo` in a
subprocess, scratch PostgreSQL databases, throwaway servers (PgBouncer, a
TLS/SCRAM cluster), a fault-injecting TCP proxy, and the real peers.

Imported as tests.support.<module> with the repository root on sys.path
(pytest puts it there; the bench runs as `python -m bench` from the root).
"""

import os

IN_CI = os.environ.get("CI", "").lower() == "true"
