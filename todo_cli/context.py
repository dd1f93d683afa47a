"""One invocation of todo: what the global options said, the settings that
follow from them, the output, and the database run.

Both ways of parsing a command line (the fast path for everyday commands,
and Typer for the rest: cli.py) hand the command the same Invocation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from todo_cli.environment import Environment
from todo_cli.output import Output

if TYPE_CHECKING:
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

    def run(self, operation: Callable[[Session], T], *, mode: Mode) -> T:
        """One transaction against the database, retried through transient
        failures (store.runner: `mode` says what a retry may do)."""
        from todo_cli.store.runner import run

        return run(
            self.settings(),
            operation,
            mode=mode,
            on_retry=self.out.retry if self.verbose else None,
            output=self.out,
            clock=self.environment.clock,
            on_sql=self.out.sql if self.environment.environ.get("TODO_DEBUG_SQL") else None,
        )

    def config_path(self) -> Path:
        from todo_cli.config import config_dir, variables

        return config_dir(variables(self.environment.cwd, self.environment.environ)) / (
            "config.toml"
        )
