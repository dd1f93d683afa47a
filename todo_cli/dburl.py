"""Database URL parsing, normalisation and redaction.

Kept free of SQLAlchemy so that commands which never connect (whoami, profile)
can validate and show a URL without paying for the import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from todo_cli.errors import ConfigError

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
        for secret in {self.password, unquote(self.password)}:
            if secret:
                text = text.replace(secret, "***")
        return text

    def direct(self, direct_raw: str | None = None) -> DatabaseURL:
        """The unpooled endpoint for migrations.

        DATABASE_URL_DIRECT wins; otherwise Neon's pooled host
        (ep-x-pooler.region...) loses its -pooler suffix; otherwise this URL.
        """
        if direct_raw:
            return parse_database_url(direct_raw, source="DATABASE_URL_DIRECT")
        if self.backend != "postgresql" or not self.host:
            return self
        first, dot, rest = self.host.partition(".")
        if not first.endswith(_POOLER_SUFFIX):
            return self
        parts = urlsplit(self.raw)
        new_host = first[: -len(_POOLER_SUFFIX)] + dot + rest
        netloc = parts.netloc.rsplit("@", 1)
        hostport = netloc[-1].replace(self.host, new_host, 1)
        new_netloc = (netloc[0] + "@" + hostport) if len(netloc) == 2 else hostport
        return parse_database_url(urlunsplit(parts._replace(netloc=new_netloc)), source="")


def parse_database_url(raw: str, *, source: str) -> DatabaseURL:
    """Validate a database URL. Errors name the source, never the password."""
    where = f" (from {source})" if source else ""
    if not raw or raw != raw.strip():
        raise ConfigError(f"database URL{where} is empty or has surrounding spaces")
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", raw)
    if not match:
        raise ConfigError(
            f"database URL{where} is malformed: expected postgresql://user:pass@host/db "
            "or sqlite:///path"
        )
    scheme = match.group(1).lower()
    if scheme == "sqlite":
        path = raw[len("sqlite:///") :] if raw.startswith("sqlite:///") else None
        if path is None:
            raise ConfigError(f"database URL{where} is malformed: use sqlite:///path/to/file.db")
        return DatabaseURL(raw, "sqlite", None, None, path or None, None, None)
    if scheme not in _PG_SCHEMES:
        raise ConfigError(
            f"database URL{where} has unsupported scheme '{scheme}': use postgresql:// or sqlite:///"
        )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        # urlsplit's message can quote the netloc, which holds the password.
        raise ConfigError(f"database URL{where} is malformed: bad host or port") from None
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
