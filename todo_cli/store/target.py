"""What the store needs to know of where to connect and as whom.

A structural type, so the store imports no configuration: config.Settings
is one, and a test or a tool can hand over any object with these values.
The Protocols exist for the type checker alone (under TYPE_CHECKING), so
that no everyday command imports typing; import them the same way.
"""

from __future__ import annotations

from todo_cli.classes import dataclass
from todo_cli.dburl import DatabaseURL

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Named(Protocol):
        """A value and where it came from (`flag --user`), for messages."""

        @property
        def value(self) -> str: ...

        @property
        def source(self) -> str: ...

    class Target(Protocol):
        """The database, the user, and the budgets of a connection."""

        @property
        def url(self) -> DatabaseURL: ...

        @property
        def user(self) -> Named: ...

        # The unpooled endpoint for migrations and admin (DATABASE_URL_DIRECT).
        @property
        def direct_url(self) -> str | None: ...

        @property
        def connect_timeout(self) -> float: ...

        @property
        def retry_budget(self) -> float: ...


@dataclass(frozen=True)
class _Elsewhere:
    url: DatabaseURL
    user: Named
    direct_url: str | None
    connect_timeout: float
    retry_budget: float


def at(target: Target, url: DatabaseURL) -> Target:
    """target, connecting to url instead (the direct endpoint), so every
    message names the endpoint actually reached."""
    return _Elsewhere(
        url, target.user, target.direct_url, target.connect_timeout, target.retry_budget
    )
