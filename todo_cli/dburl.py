"""Database URL parsing, normalisation and redaction.

Kept free of SQLAlchemy so that commands which never connect (whoami, profile)
can validate and show a URL without paying for the import; urllib.parse (and
the ipaddress it imports) only for a PostgreSQL URL: not on SQLite's way.
"""

from __future__ import annotations

import re

from todo_cli.classes import dataclass
from todo_cli.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    Backend = Literal["sqlite", "postgresql"]


_PG_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg2"}
_POOLER_SUFFIX = "-pooler"


@dataclass(frozen=True)
class DatabaseURL:
    raw: str
    backend: Backend
    host: str | None
    port: int | None
    database: str | None
    username: str | None
    password: str | None

    @property
    def sqlalchemy_url(self) -> str:
        """The URL SQLAlchemy should get.

        SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3, so name the
        driver; everything after the scheme (sslmode, channel_binding...)
        passes through untouched.
        """
        if self.backend == "sqlite":
            return self.raw
        _, rest = self.raw.split("://", 1)
        return "postgresql+psycopg2://" + rest

    def display(self) -> str:
        """Backend, host and database name: safe to print, never the password."""
        if self.backend == "sqlite":
            return f"sqlite {self.database or ':memory:'}"
        host = self.host or "localhost"
        port = f":{self.port}" if self.port else ""
        return f"postgresql {host}{port}/{self.database or ''}"

    def redact(self, text: str) -> str:
        """Remove this URL's password from arbitrary text (error messages, traces)."""
        if not self.password:
            return text
        from urllib.parse import unquote

        for secret in {self.password, unquote(self.password)}:
            if secret:
                text = text.replace(secret, "***")
        return text

    def direct(self, direct_raw: str | None = None) -> DatabaseURL:
        """The unpooled endpoint for migrations.

        DATABASE_URL_DIRECT wins; otherwise Neon's pooled host
        (ep-x-pooler.region...) loses its -pooler suffix; otherwise this URL.
        """
        if self.backend != "postgresql":  # an embedded database has no endpoints
            return self
        if direct_raw:
            return parse_database_url(direct_raw, source="DATABASE_URL_DIRECT")
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(self.raw)
        userinfo, at, hostport = parts.netloc.rpartition("@")
        first, dot, rest = hostport.partition(".")
        port = ""
        if not dot and ":" in first:  # a bare host with a port: ep-x-pooler:5432
            first, port = first.split(":", 1)
            port = ":" + port
        if not first.lower().endswith(_POOLER_SUFFIX):
            return self
        new_hostport = first[: -len(_POOLER_SUFFIX)] + port + dot + rest
        new_netloc = userinfo + at + new_hostport
        return parse_database_url(urlunsplit(parts._replace(netloc=new_netloc)), source="")


def parse_database_url(raw: str, *, source: str) -> DatabaseURL:
    """Validate a database URL. Errors name the source, never the password."""
    where = f" (from {source})" if source else ""
    if not raw or raw != raw.strip():
        raise ConfigError(f"database URL{where} is empty or has surrounding spaces")
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise ConfigError(f"database URL{where} contains control characters")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(f"database URL{where} is not valid UTF-8") from None
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", raw)
    if not match:
        raise ConfigError(
            f"database URL{where} is malformed: expected postgresql://user:pass@host/db "
            "or sqlite:///path"
        )
    scheme = match.group(1).lower()
    if scheme == "sqlite":
        path = raw[len("sqlite:///") :] if raw.startswith("sqlite:///") else None
        if not path:
            raise ConfigError(f"database URL{where} is malformed: use sqlite:///path/to/file.db")
        return DatabaseURL(raw, "sqlite", None, None, path or None, None, None)
    if scheme not in _PG_SCHEMES:
        raise ConfigError(
            f"database URL{where} has unsupported scheme '{scheme}': use postgresql:// or sqlite:///"
        )
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        # urlsplit's message can quote the netloc, which holds the password.
        raise ConfigError(f"database URL{where} is malformed: bad host or port") from None
    if "@" in parts.path or "@" in parts.fragment or "#" in raw:
        # An unencoded / or # in the password moves the password into the path.
        raise ConfigError(
            f"database URL{where} is malformed: percent-encode / ? # @ in the user name "
            "and password (e.g. / as %2F)"
        )
    database = unquote(parts.path.lstrip("/")) or None
    return DatabaseURL(
        raw=raw,
        backend="postgresql",
        host=parts.hostname,
        port=port,
        database=database,
        username=unquote(parts.username) if parts.username else None,
        password=parts.password,
    )
