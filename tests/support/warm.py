"""Warm connections: within one test, a connection this process opened to
the suite's server is kept when closed and handed to the next connect to
the same address, as a session pool (PgBouncer's session mode) would.

Why: a command's connection is most of its cost on the server. A fresh
backend spends about 15 ms of CPU on a `todo list` (its catalog caches,
its policies and functions), a warm one 3 ms; the suite opens some 4,000
such connections in-process, on a machine whose 2 cores it keeps busy.

What a kept connection keeps: only the server's caches. Before it is
handed out again it is reset with DISCARD ALL (settings, role, prepared
plans, temporary tables, advisory locks, as PgBouncer resets a session)
and its psycopg2 session defaults are restored. One that is closed, broken
or inside a transaction is really closed. A command therefore meets what
a fresh connection gives it, save for the time.

Not kept: connections through PgBouncer, the fault proxies and the
private clusters (other ports), so the pgbouncer backend and every fault
test still connect for real; and every connection of a test marked
`fresh_connections`. The installed `todo` in a subprocess always connects
afresh."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import psycopg2
import psycopg2.extensions

Connect = Callable[..., Any]

_UNPOOLED = [0]


@contextlib.contextmanager
def unpooled() -> Iterator[None]:
    """Connections opened within are not kept: for scratch databases and
    templates, which CREATE DATABASE ... TEMPLATE copies only when nobody is
    connected to them."""
    _UNPOOLED[0] += 1
    try:
        yield
    finally:
        _UNPOOLED[0] -= 1


class _Kept(psycopg2.extensions.connection):  # type: ignore[misc]  # psycopg2 has no stubs
    """A real psycopg2 connection whose close() may hand it back."""

    pool: WarmPool | None = None
    key: tuple[str, ...] = ()

    def close(self) -> None:
        pool = self.pool
        if pool is not None and pool.keep(self):
            return
        super().close()


class WarmPool:
    def __init__(self, real: Connect, host: str, port: str) -> None:
        self._real = real
        self._address = (host, port)
        self._idle: dict[tuple[str, ...], list[_Kept]] = {}
        self._lock = threading.Lock()
        self.opened = 0
        self.reused = 0

    @classmethod
    def for_server(cls, admin_url: str) -> WarmPool:
        """A pool of connections to admin_url's server, made by psycopg2.connect."""
        admin = psycopg2.extensions.parse_dsn(admin_url)
        return cls(psycopg2.connect, admin.get("host", ""), admin.get("port", "5432"))

    def connect(self, dsn: str | None = None, connection_factory: Any = None, **kwargs: Any) -> Any:
        if (
            _UNPOOLED[0]
            or connection_factory is not None
            or kwargs.get("cursor_factory") is not None
        ):
            return self._real(dsn, connection_factory=connection_factory, **kwargs)
        params = psycopg2.extensions.parse_dsn(psycopg2.extensions.make_dsn(dsn, **kwargs))
        if (params.get("host"), params.get("port", "5432")) != self._address:
            return self._real(dsn, **kwargs)
        # connect_timeout follows what is left of a command's budget: not an
        # identity of the session.
        params.pop("connect_timeout", None)
        key = tuple(f"{k}={v}" for k, v in sorted(params.items()))
        while (conn := self._take(key)) is not None:
            if _reset(conn):
                self.reused += 1
                return conn
        conn = self._real(dsn, connection_factory=_Kept, **kwargs)
        conn.key = key
        conn.pool = self
        self.opened += 1
        return conn

    def _take(self, key: tuple[str, ...]) -> _Kept | None:
        with self._lock:
            idle = self._idle.get(key)
            return idle.pop() if idle else None

    def keep(self, conn: _Kept) -> bool:
        """True if conn was kept for the next connect; False: close it."""
        if (
            conn.closed
            or conn.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE
        ):
            return False
        with self._lock:
            idle = self._idle.setdefault(conn.key, [])
            if conn not in idle:  # closed twice: handed out once
                idle.append(conn)
        return True

    def close_all(self) -> None:
        with self._lock:
            kept = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for conn in kept:
            conn.pool = None
            conn.close()


def _reset(conn: _Kept) -> bool:
    """conn as a fresh connection would be, or False (it is closed)."""
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("DISCARD ALL")
        conn.set_session(
            isolation_level="DEFAULT", readonly="DEFAULT", deferrable="DEFAULT", autocommit=False
        )
        del conn.notices[:]
        del conn.notifies[:]
        return True
    except psycopg2.Error:
        conn.pool = None
        conn.close()
        return False
