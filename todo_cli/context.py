"""One invocation of todo: what the global options said, the settings that
follow from them, the output, and the database run.

Both ways of parsing a command line (the fast path for everyday commands,
and Typer for the rest: cli.py) hand the command the same Invocation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from todo_cli.environment import Environment
from todo_cli.output import Output

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TypeVar

    from todo_cli.config import Settings
    from todo_cli.store.runner import Mode
    from todo_cli.store.session import Session

    T = TypeVar("T")


class Invocation:
    """One run of a command: the global options, and what follows from them
    (a plain class: see Environment)."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.profile: str | None = None
        self.user: str | None = None
        self.database_url: str | None = None
        self.debug = False
        self.verbose = False
        self.online = False  # --online: offline is an error (issue 22)
        # OFFLINE: what makes this invocation's offline mode (todo_cli.offline.hook,
        # set by cli.main from above; None: never offline), and what it made.
        self.offline_mode: Callable[[Invocation], Any] | None = None
        self._offline: Any = None
        self.out = Output(environment)
        self._settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            from todo_cli.config import load_settings, variables

            found = variables(self.environment.cwd, self.environment.environ)
            self._settings = load_settings(
                profile=self.profile, user=self.user, database_url=self.database_url, env=found
            )
            for warning in self._settings.warnings:
                self.out.warn(warning)
        return self._settings

    def now(self) -> datetime:
        return self.environment.clock()

    def run(
        self,
        operation: Callable[[Session], T],
        *,
        mode: Mode,
        offline: Callable[[Any], T] | None = None,
        forget: bool = False,
    ) -> T:
        """One transaction against the database, retried through transient
        failures (store.runner: `mode` says what a retry may do).
        OFFLINE (todo_cli/offline): on PostgreSQL, what waits in the outbox
        is replayed first; offline, `offline` answers a read (else
        OfflineError); the todos read or changed (`forget`: removed) keep
        the offline copy current."""
        hook = self.offline_hook()
        if hook is not None:
            result: T = hook.run(operation, mode=mode, fallback=offline, forget=forget)
            return result
        return self.run_online(operation, mode=mode)

    def offline_hook(self) -> Any:
        """OFFLINE: offline mode for this invocation, a todo_cli.offline.Hook
        (None on SQLite, or when nothing set offline_mode)."""
        if self._offline is None:
            made = self.offline_mode(self) if self.offline_mode is not None else None
            self._offline = made if made is not None else False
        return self._offline or None

    def run_online(
        self, operation: Callable[[Session], T], *, mode: Mode, offline_after: float | None = None
    ) -> T:
        from todo_cli.store.runner import run

        return run(
            self.settings(),
            operation,
            mode=mode,
            on_retry=self.out.retry if self.verbose else None,
            output=self.out,
            clock=self.environment.clock,
            on_sql=self.out.sql if self.environment.environ.get("TODO_DEBUG_SQL") else None,
            offline_after=offline_after,
        )

    def config_path(self) -> Path:
        from todo_cli.config import config_dir, variables

        return config_dir(variables(self.environment.cwd, self.environment.environ)) / (
            "config.toml"
        )
