"""Knowing we are offline, fast (README: Offline).

A name that does not resolve, a network or host that cannot be reached,
a port nothing listens on: offline at once. A server that sends nothing
at all (not even the first byte of a TLS or authentication reply) within
TODO_OFFLINE_AFTER seconds (default 3): offline. A Neon cold start is
never offline: its proxy answers at once and says what it waits for
("Couldn't connect to compute node", "the database system is starting
up"), and the runner retries it within the retry budget as before.
"""

from __future__ import annotations

from collections.abc import Mapping

from todo_cli.errors import DatabaseUnreachableError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from todo_cli.dburl import DatabaseURL

DEFAULT_OFFLINE_AFTER = 3.0

# libpq's words (lowercased) for a network that is not there.
_OFFLINE_MARKERS = (
    "could not translate host name",
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "no address associated with hostname",
    "network is unreachable",
    "no route to host",
    "host is unreachable",
    "connection refused",
    "no answer from the server",  # driver.SILENT
)
# Never offline, whatever else the message says: the server is there.
_COLD_START = (
    "couldn't connect to compute node",
    "the database system is starting up",
    "the database system is in recovery mode",
    "too many",
)


class OfflineError(DatabaseUnreachableError):
    """The server cannot be reached now (exit 4 where a command cannot work
    offline); a change is queued, a read answers from the copy."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def is_offline(message: str) -> bool:
    lowered = message.lower()
    if any(marker in lowered for marker in _COLD_START):
        return False
    return any(marker in lowered for marker in _OFFLINE_MARKERS)


_YES = ("1", "true", "yes", "on", "y")
_NO = ("", "0", "false", "no", "off", "n")


def offline_after(
    environ: Mapping[str, str], *, online_flag: bool, profile_online: bool = False
) -> float | None:
    """Seconds a silent server gets before we are offline; None when
    offline is an error (--online, TODO_ONLINE=1, a profile's online =
    true; TODO_ONLINE=0 overrides the profile): then nothing changes.
    TODO_ONLINE takes the usual spellings of yes and no; any other value is
    a config error, never "offline allowed" (a CI job that set
    TODO_ONLINE=on must not queue its changes)."""
    online = environ.get("TODO_ONLINE", "").strip().lower()
    if online not in _YES + _NO:
        from todo_cli.errors import ConfigError

        raise ConfigError(
            f"TODO_ONLINE={environ['TODO_ONLINE']!r} must be 1, true, yes, on or y "
            "(offline is an error), or 0, false, no, off, n or empty"
        )
    if online_flag or online in _YES or (profile_online and not online):
        return None
    raw = environ.get("TODO_OFFLINE_AFTER", "")
    if not raw:
        return DEFAULT_OFFLINE_AFTER
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 60:
        from todo_cli.errors import ConfigError

        raise ConfigError(f"TODO_OFFLINE_AFTER={raw!r} must be a number of seconds (0-60]")
    return value


def probe(
    url: DatabaseURL, budget: float, environ: Mapping[str, str] | None = None
) -> OfflineError | None:
    """A bare TCP connect to the server (no driver, no bytes sent): an
    OfflineError if the name does not resolve or nothing can be reached
    within budget, else None (then the real connection decides). Used only
    after a command found the network gone: online, it would cost a round
    trip."""
    import _socket as socket  # socket.py's enums cost an offline command 5-10 ms

    host, port = url.host, url.port or 5432
    query = url.raw.partition("?")[2].lower()
    elsewhere = ("host", "port", "service")  # in the query (hostaddr too), or libpq's variables
    if (
        not host
        or host.startswith("/")
        or "," in host
        or any(word in query for word in elsewhere)
        or any(f"PG{word.upper()}" in (environ or {}) for word in (*elsewhere, "hostaddr"))
    ):
        return None  # a Unix socket, several hosts, a host or port given elsewhere: libpq decides
    where = url.display()
    try:
        addresses = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = f'could not translate host name "{host}" to address: {exc}'
        return OfflineError(f"cannot reach {where} (offline): {reason}", reason)
    failure = "no answer from the server"
    for family, kind, proto, _, address in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(budget)
            sock.connect(address)
        except TimeoutError:
            continue
        except OSError as exc:
            failure = exc.strerror or str(exc)
            continue
        finally:
            sock.close()
        return None
    return OfflineError(f"cannot reach {where} (offline): {failure}", failure)
