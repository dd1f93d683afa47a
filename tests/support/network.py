"""A TCP forwarder whose network can be cut, for offline mode's tests:

    with Network(5432) as net:
        url = net.url(pg_url)      # the same URL whatever the mode
        net.mode = "refuse"        # nothing listens: connection refused
        net.mode = "blackhole"     # accepts, then never answers a byte
        net.mode = "up"            # forwards to the server again

A change of mode cuts every live connection, as a network going away does.
Stdlib only: one accept thread plus one thread per connection.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

_POLL_S = 0.05


class Network:
    def __init__(
        self, target_port: int, target_host: str = "127.0.0.1", bind: str = "127.0.0.1"
    ) -> None:
        """bind: the loopback address it listens on (127.0.0.2: a host
        where nothing else listens, not even PostgreSQL's port)."""
        self.target = (target_host, target_port)
        self.bind = bind
        self._mode = "up"
        self._lock = threading.Lock()
        self._live: list[socket.socket] = []
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        with socket.socket() as probe:
            probe.bind((bind, 0))
            self.port = int(probe.getsockname()[1])
        self._listen()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        user = parts.netloc.rpartition("@")[0]
        netloc = f"{user}@{self.bind}:{self.port}" if user else f"{self.bind}:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        assert value in ("up", "refuse", "blackhole")
        with self._lock:
            self._mode = value
            live, self._live = self._live, []
            listener = self._listener
            if value == "refuse":
                self._listener = None
        for sock in live:
            _close(sock)
        if value == "refuse" and listener is not None:
            _close(listener)
        elif value != "refuse" and listener is None:
            self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.bind, self.port))
        listener.listen(64)
        listener.settimeout(_POLL_S)
        with self._lock:
            self._listener = listener

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                listener = self._listener
            if listener is None:
                self._stop.wait(_POLL_S)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                mode = self._mode
                self._live.append(client)
            if mode == "up":
                threading.Thread(target=self._forward, args=(client,), daemon=True).start()
            # blackhole: kept open, never read, never answered

    def _forward(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            _close(client)
            return
        with self._lock:
            self._live.append(server)
        sel = selectors.DefaultSelector()
        try:
            # A change of mode may have closed either already (ValueError).
            sel.register(client, selectors.EVENT_READ, server)
            sel.register(server, selectors.EVENT_READ, client)
            while not self._stop.is_set():
                for key, _ in sel.select(_POLL_S):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            sel.close()
            _close(client)
            _close(server)

    def close(self) -> None:
        self._stop.set()
        self.mode = "refuse"
        self._thread.join(5)

    def __enter__(self) -> Network:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


# The offline budget of the offline tests' machines (TODO_OFFLINE_AFTER;
# todo's own is 3 s): a refused connection is offline at once whatever it
# is, and only a silent one ("blackhole") waits it out. 0.5 s was too short
# for a connection through the proxy on a loaded 2-core machine: once in
# CI, `todo list` with the network up took the server for gone.
OFFLINE_AFTER = "2"


def machine_env(
    tmp_path: Path, name: str, url: str, user: str = "alice", **env: str
) -> tuple[Path, dict[str, str], Path]:
    """A machine of its own for offline tests: a HOME, its environment (a
    short offline budget) and a working directory, to run todo in."""
    from tests.support.processes import clean_env

    home = tmp_path / name
    (home / "work").mkdir(parents=True)
    extra = {"DATABASE_URL": url, "TODO_USER": user, "TODO_OFFLINE_AFTER": OFFLINE_AFTER, **env}
    return home, clean_env(home, **extra), home / "work"


def copy_folder(source: Path, target: Path) -> None:
    """A backup (or a restore, over what is there) of an offline folder, as
    a user makes one between two commands. The in-process runs leave their connections to
    the file for the collector, whose closing checkpoints and deletes the
    -wal and -shm: collected first, as a process's end would, so that no
    file vanishes while it is copied."""
    import gc
    import shutil

    gc.collect()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
