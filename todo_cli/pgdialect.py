"""The psycopg2 dialect todo uses for PostgreSQL (see LeanPGDialect)."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2


class LeanPGDialect(PGDialect_psycopg2):
    """psycopg2 dialect without the first-connect probes.

    Stock SQLAlchemy runs four to five queries on every new connection
    (version, current_schema, standard_conforming_strings, isolation level,
    hstore OIDs). With NullPool that is every command, and on Neon each is a
    network round trip. The server already reports the version and
    standard_conforming_strings in its startup ParameterStatus messages, and
    nothing here reflects schemas or changes isolation level.
    """

    supports_statement_cache = True

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        v = connection.connection.dbapi_connection.server_version
        return (v // 10000, v % 10000) if v >= 100000 else (v // 10000, v // 100 % 100, v % 100)

    def _get_default_schema_name(self, connection: Any) -> str:
        return "public"

    def get_default_isolation_level(self, dbapi_conn: Any) -> Literal["READ COMMITTED"]:
        return "READ COMMITTED"

    def _check_max_identifier_length(self, connection: Any) -> None:
        return None

    def _set_backslash_escapes(self, connection: Any) -> None:
        status = connection.connection.dbapi_connection.get_parameter_status(
            "standard_conforming_strings"
        )
        self._backslash_escapes = status == "off"
