"""Throwaway servers for the Neon-like tests: PgBouncer in transaction mode,
and a private PostgreSQL cluster with TLS, SCRAM and a small max_connections
that tests may restart or stop without disturbing anything else.

Both run as the `postgres` OS user (neither will run as root) from a
temporary directory, on free loopback ports, and are torn down at the end.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

PG_BIN = Path(
    subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
    or "/usr/lib/postgresql/15/bin"
)
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
SERVICE_USER = "postgres"
# As root, the servers run as SERVICE_USER (PostgreSQL refuses root). runuser
# is in sbin, which a plain user's PATH may lack.
AS_SERVICE_USER = (
    [shutil.which("runuser") or "/usr/sbin/runuser", "-u", SERVICE_USER, "--"]
    if os.geteuid() == 0
    else []
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)  # between polls of the port, not a wait for an outcome
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _as_service_user(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AS_SERVICE_USER, *cmd], check=check, capture_output=True, text=True, timeout=120
    )


def _service_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(path, SERVICE_USER, SERVICE_USER)
    return path


@dataclass
class PgBouncer:
    """PgBouncer in transaction pooling mode in front of a PostgreSQL server."""

    target_port: int = 5432
    pool_size: int = 20
    # "scram-sha-256": clients prove postgres's password (PgBouncer's own
    # messages for a wrong one differ from PostgreSQL's).
    auth_type: str = "trust"
    password: str = ""
    port: int = 0
    directory: Path = field(default_factory=lambda: Path())
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> PgBouncer:
        self.directory = _service_dir("todo-pgbouncer-")
        self.port = free_port()
        ini = self.directory / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={self.target_port}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            f"unix_socket_dir = {self.directory}\n"
            f"auth_type = {self.auth_type}\n"
            f"auth_file = {self.directory / 'users.txt'}\n"
            "pool_mode = transaction\n"
            "max_client_conn = 500\n"
            f"default_pool_size = {self.pool_size}\n"
            "server_reset_query =\n"
            f"logfile = {self.directory / 'pgbouncer.log'}\n"
        )
        (self.directory / "users.txt").write_text(f'"postgres" "{self.password}"\n')
        for path in self.directory.iterdir():
            path.chmod(0o644)
        self.process = subprocess.Popen(
            [*AS_SERVICE_USER, PGBOUNCER, str(ini)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def url(self, database: str, user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def allow(self, database: str, *users: str) -> None:
        """Let these roles through too (auth_file, reloaded), and return once
        each can log in to database through PgBouncer."""
        with (self.directory / "users.txt").open("a") as f:
            f.writelines(f'"{u}" ""\n' for u in users)
        # The process may be runuser's child: signal pgbouncer by its config.
        subprocess.run(["pkill", "-HUP", "-f", str(self.directory / "pgbouncer.ini")], check=False)
        # The reload is asynchronous: until it is done, "no such user".
        deadline = time.monotonic() + 20
        for user in users:
            while True:
                try:
                    psycopg2.connect(self.url(database, user), connect_timeout=10).close()
                    break
                except psycopg2.OperationalError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)  # between polls of PgBouncer, not a wait for an outcome

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)


_INITIALISED: list[Path] = []


def _initialised() -> Path:
    """A data directory fresh from initdb, with a TLS key and certificate:
    made once a process and copied for each Cluster (initdb costs about a
    second of CPU, a copy a few milliseconds)."""
    if not _INITIALISED:
        data = _service_dir("todo-initdb-") / "data"
        _as_service_user(
            str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        _as_service_user(
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-keyout", str(data / "server.key"),
            "-out", str(data / "server.crt"),
        )  # fmt: skip
        atexit.register(shutil.rmtree, data.parent, True)
        _INITIALISED.append(data)
    return _INITIALISED[0]


# The login that must use SCRAM over TLS on a Cluster, and its password: a
# throwaway cluster's, made here, and named once (tests and the bench use these).
SCRAM_USER = "scram_user"
SCRAM_PASSWORD = "scram-secret"


@dataclass
class Cluster:
    """A private PostgreSQL cluster: TLS on, SCRAM for `scram_user` over TLS,
    trust for everything else on loopback, and a small max_connections."""

    max_connections: int = 20
    port: int = 0
    directory: Path = field(default_factory=lambda: Path())

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def start_fresh(self) -> Cluster:
        self.directory = _service_dir("todo-cluster-")
        self.port = free_port()
        _as_service_user("cp", "-a", str(_initialised()), str(self.data))
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.directory}'\n"
                f"max_connections = {self.max_connections}\n"
                "superuser_reserved_connections = 2\n"
                "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "password_encryption = 'scram-sha-256'\n"
            )
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\n"
            "hostssl all scram_user 127.0.0.1/32 scram-sha-256\n"
            "host all scram_user 127.0.0.1/32 reject\n"
            "host all all 127.0.0.1/32 trust\n"
        )
        self.start()
        self.psql(f"CREATE ROLE {SCRAM_USER} LOGIN PASSWORD '{SCRAM_PASSWORD}'")
        self.psql(f"CREATE DATABASE todo OWNER {SCRAM_USER}")
        return self

    def _pg_ctl(self, *args: str) -> None:
        _as_service_user(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
            "-w", "-t", "60", *args,
        )  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")
        wait_for_port(self.port)

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")
        wait_for_port(self.port)

    def psql(self, sql: str, database: str = "postgres") -> str:
        return _as_service_user(
            str(PG_BIN / "psql"), "-h", str(self.directory), "-p", str(self.port),
            "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql,
        ).stdout  # fmt: skip

    def url(
        self, database: str = "todo", user: str = "postgres", query: str = "sslmode=disable"
    ) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}?{query}"

    def destroy(self) -> None:
        _as_service_user(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "stop", "-m", "immediate", check=False
        )
        shutil.rmtree(self.directory, ignore_errors=True)
