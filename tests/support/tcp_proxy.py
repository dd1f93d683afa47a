"""A small TCP proxy for tests: counts round trips, and can add latency or faults.

    with TCPProxy("127.0.0.1", 5432) as proxy:
        run_something(f"postgresql://postgres@127.0.0.1:{proxy.port}/db")
        proxy.wait_idle()
        assert proxy.round_trips == 5

A *round trip* is a burst of client->server data that follows server->client
data, or that opens the connection. However many TCP segments (or recv()
calls) a burst arrives in, it counts once; a client that pipelines several
messages before reading counts once too. That is the number of times a
client waits for the network, which is what latency multiplies. A final
burst that is never answered (PostgreSQL's Terminate message before close)
still counts: the definition is mechanical, and it costs the client nothing,
so compare counts with a floor measured through the same proxy.

Stdlib only: one accept thread plus one thread per connection, each
multiplexing both sockets with `selectors`, so the order in which the proxy
sees the two directions is the order it forwards them in. Direction changes
are recorded before the data is forwarded, so a reply can never be counted
ahead of the request that caused it. An orderly close by either side is
passed on as a half-close; a connection is done (see wait_idle) once both
sides have closed, or either side reset it.

Fault injection, for later tests (all attributes may be changed while the
proxy runs; a new value applies from the next connection or burst):

- delay_s: sleep this long before forwarding each client burst (simulated
  round-trip latency; only the connection concerned waits).
- hold_burst: if set, hold that burst of each connection (1-based) until
  release() is called, to stop a client at one known point however slow
  the machine is (a timed delay can expire before a starved test acts);
  the event `holding` is set once a burst is held.
- refuse_first: reset (RST) the first N connections as soon as they are
  accepted; counts again from zero after reset().
- cut_after_bursts: forward N client bursts on each connection, then reset
  both sides when the client starts burst N+1 (which is counted, not sent).
- lose_reply_after_bursts: forward N client bursts, then drop the server's
  reply to burst N and reset the client: the server did the work, the client
  never hears of it (a COMMIT whose outcome is unknown).
- faulty_connections: apply cut/lose only to the first N connections since
  reset() (None: all), so a retry on a new connection goes through.
- error_first / error_message / error_code: answer the first N connections
  like a PostgreSQL front end that cannot reach its database (Neon's proxy
  while a compute wakes: "Couldn't connect to compute node"): decline SSL,
  read the startup packet, reply with a FATAL ErrorResponse, close.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit, urlunsplit

_CHUNK = 65536
_POLL_S = 0.05  # how often idle threads look at the stop flag


@dataclass
class ConnectionStats:
    """Counters for one accepted connection (a snapshot when read via the proxy)."""

    index: int
    round_trips: int = 0
    bytes_up: int = 0  # client -> server
    bytes_down: int = 0  # server -> client
    refused: bool = False
    cut: bool = False
    closed: bool = False


class _Conn:
    """One proxied connection; all mutable state is guarded by the proxy's lock."""

    def __init__(self, stats: ConnectionStats, client: socket.socket) -> None:
        self.stats = stats
        self.client = client
        self.server: socket.socket | None = None
        self.client_spoke_last = False
        self.thread: threading.Thread | None = None


class TCPProxy:
    def __init__(
        self,
        target_host: str,
        target_port: int,
        *,
        listen_host: str = "127.0.0.1",
        delay_s: float = 0.0,
        hold_burst: int | None = None,
        refuse_first: int = 0,
        cut_after_bursts: int | None = None,
        lose_reply_after_bursts: int | None = None,
        faulty_connections: int | None = None,
        error_first: int = 0,
        error_message: str = "Couldn't connect to compute node",
        error_code: str = "XX000",
        connect_timeout: float = 10.0,
    ) -> None:
        self.target = (target_host, target_port)
        self.listen_host = listen_host
        self.delay_s = delay_s
        self.hold_burst = hold_burst
        self.holding = threading.Event()  # set once a burst is being held
        self._released = threading.Event()
        self.refuse_first = refuse_first
        self.cut_after_bursts = cut_after_bursts
        self.lose_reply_after_bursts = lose_reply_after_bursts
        self.faulty_connections = faulty_connections
        self.error_first = error_first
        self.error_message = error_message
        self.error_code = error_code
        self.connect_timeout = connect_timeout
        self.port = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._conns: list[_Conn] = []  # counted since the last reset()
        self._live: set[_Conn] = set()  # not yet closed, whatever reset() did
        self._round_trips = 0
        self._refused = 0
        self.errors: list[str] = []  # unexpected proxy-side failures, for debugging

    # --- lifecycle -----------------------------------------------------------

    def start(self) -> TCPProxy:
        if self._listener is not None:
            raise RuntimeError("proxy already started")
        listener = socket.create_server((self.listen_host, 0))
        listener.settimeout(_POLL_S)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._stop.clear()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"tcp-proxy-accept:{self.port}", daemon=True
        )
        self._accept_thread.start()
        return self

    def release(self) -> None:
        """Let held bursts (hold_burst) through, now and from now on."""
        self._released.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, cut every live connection, and join all threads."""
        self._stop.set()
        self._released.set()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            live = list(self._live)
        for conn in live:
            _shutdown(conn.client)
            if conn.server is not None:
                _shutdown(conn.server)
        deadline = time.monotonic() + timeout
        for conn in live:
            if conn.thread is not None:
                conn.thread.join(max(0.0, deadline - time.monotonic()))
        self._listener = None
        self._accept_thread = None

    def __enter__(self) -> TCPProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- counters ------------------------------------------------------------

    def reset(self) -> None:
        """Zero all counters (and the refuse_first budget). Connections still
        open keep counting into the totals, but not into `connection_stats`."""
        with self._lock:
            self._conns = []
            self._round_trips = 0
            self._refused = 0
            self.errors = []

    @property
    def round_trips(self) -> int:
        with self._lock:
            return self._round_trips

    @property
    def connections(self) -> int:
        """Connections accepted since the last reset, refused ones included."""
        with self._lock:
            return len(self._conns)

    @property
    def refused(self) -> int:
        with self._lock:
            return sum(c.stats.refused for c in self._conns)

    @property
    def per_connection(self) -> list[int]:
        """Round trips of each connection since the last reset, in accept order."""
        with self._lock:
            return [c.stats.round_trips for c in self._conns]

    @property
    def connection_stats(self) -> list[ConnectionStats]:
        with self._lock:
            return [ConnectionStats(**vars(c.stats)) for c in self._conns]

    @property
    def active(self) -> int:
        with self._lock:
            return len(self._live)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every connection has closed, so the counts are final.

        A client process can exit before the proxy has read its last bytes.
        """
        with self._idle:
            if not self._idle.wait_for(lambda: not self._live, timeout):
                raise TimeoutError(f"{len(self._live)} proxied connection(s) still open")

    # --- internals -------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            client.settimeout(None)
            with self._lock:
                stats = ConnectionStats(index=len(self._conns))
                conn = _Conn(stats, client)
                self._conns.append(conn)
                if self._refused < self.refuse_first:
                    self._refused += 1
                    stats.refused = stats.closed = True
                    _reset(client)
                    continue
                self._live.add(conn)
            conn.thread = threading.Thread(
                target=self._serve, args=(conn,), name=f"tcp-proxy-conn:{self.port}", daemon=True
            )
            conn.thread.start()

    def _serve(self, conn: _Conn) -> None:
        client = conn.client
        if conn.stats.index < self.error_first:
            self._answer_with_error(conn)
            return
        try:
            server = socket.create_connection(self.target, timeout=self.connect_timeout)
        except OSError as exc:
            self._note(f"connect to {self.target}: {exc}")
            _reset(client)
            self._finish(conn)
            return
        server.settimeout(None)
        server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            conn.server = server
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, "up")
        sel.register(server, selectors.EVENT_READ, "down")
        open_reads = 2
        try:
            while open_reads and not self._stop.is_set():
                for key, _ in sel.select(_POLL_S):
                    src: socket.socket = key.fileobj  # type: ignore[assignment]
                    dst = server if key.data == "up" else client
                    try:
                        data = src.recv(_CHUNK)
                    except OSError:  # reset by the peer: tear both sides down
                        return
                    if not data:  # orderly close: pass the half-close on
                        sel.unregister(src)
                        open_reads -= 1
                        with contextlib.suppress(OSError):
                            dst.shutdown(socket.SHUT_WR)
                        continue
                    if key.data == "up":
                        if not self._client_data(conn, len(data)):
                            return
                    else:
                        with self._lock:
                            conn.client_spoke_last = False
                            conn.stats.bytes_down += len(data)
                            lose = self.lose_reply_after_bursts
                            if (
                                lose is not None
                                and self._faulty(conn)
                                and conn.stats.round_trips >= lose
                            ):
                                conn.stats.cut = True
                                _reset(client)
                                return
                    try:
                        dst.sendall(data)
                    except OSError:
                        return
        finally:
            sel.close()
            client.close()
            server.close()
            self._finish(conn)

    def _client_data(self, conn: _Conn, size: int) -> bool:
        """Count client bytes; on a new burst apply cut/delay. False: cut the connection."""
        with self._lock:
            new_burst = not conn.client_spoke_last
            conn.client_spoke_last = True
            conn.stats.bytes_up += size
            if new_burst:
                conn.stats.round_trips += 1
                self._round_trips += 1
            cut_after, delay = self.cut_after_bursts, self.delay_s
            hold = new_burst and conn.stats.round_trips == self.hold_burst
            if (
                new_burst
                and cut_after is not None
                and self._faulty(conn)
                and conn.stats.round_trips > cut_after
            ):
                conn.stats.cut = True
                _reset(conn.client)
                if conn.server is not None:
                    _reset(conn.server)
                return False
        if new_burst and delay > 0:
            self._stop.wait(delay)
        if hold:
            self.holding.set()
            self._released.wait(60)
        return True

    def _answer_with_error(self, conn: _Conn) -> None:
        client = conn.client
        try:
            client.settimeout(10)
            while True:
                length = struct.unpack("!I", _recv_exact(client, 4))[0]
                body = _recv_exact(client, length - 4)
                with self._lock:
                    conn.stats.round_trips += 1
                    self._round_trips += 1
                code = struct.unpack("!I", body[:4])[0]
                if code in (80877103, 80877104):  # SSLRequest / GSSENCRequest: say no
                    client.sendall(b"N")
                    continue
                break
            fields = (
                b"".join(
                    tag + value.encode() + b"\0"
                    for tag, value in (
                        (b"S", "FATAL"),
                        (b"V", "FATAL"),
                        (b"C", self.error_code),
                        (b"M", self.error_message),
                    )
                )
                + b"\0"
            )
            client.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()
            self._finish(conn)

    def _faulty(self, conn: _Conn) -> bool:
        limit = self.faulty_connections
        return limit is None or conn.stats.index < limit

    def _finish(self, conn: _Conn) -> None:
        with self._idle:
            conn.stats.closed = True
            self._live.discard(conn)
            self._idle.notify_all()

    def _note(self, message: str) -> None:
        with self._lock:
            self.errors.append(message)


def proxied_url(url: str, port: int) -> str:
    """The same database URL with 127.0.0.1:port as its host, and
    sslmode=disable unless it names one (the proxy forwards plain TCP)."""
    parts = urlsplit(url)
    userinfo, at, _ = parts.netloc.rpartition("@")
    query = parts.query
    if "sslmode" not in dict(parse_qsl(query)):
        query = f"{query}&sslmode=disable" if query else "sslmode=disable"
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}127.0.0.1:{port}", query=query))


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("peer closed")
        data += chunk
    return data


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _reset(sock: socket.socket) -> None:
    """Close with RST rather than FIN: the peer sees 'connection reset'."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
