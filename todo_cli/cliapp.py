"""The Typer app, its global options and the per-invocation Env.

Commands live in cli_todos.py (the todo commands) and cli_setup.py
(whoami, profiles, schema); cli.py wires them up and holds main().
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO, TypeVar

import typer

from todo_cli import __version__, render

if TYPE_CHECKING:
    from todo_cli.config import Settings
    from todo_cli.store.runner import Mode
    from todo_cli.store.session import Session

T = TypeVar("T")

EXAMPLES = """\
Examples:

\b
  todo add Call the bank          add a todo (prints its number)
  todo list                       open todos; --all, --done, --json
  todo done 3 4                   complete todos 3 and 4 (all or nothing)
  todo rm 2 --yes                 remove todo 2 without asking
  todo undo                       undo your last change (todo log lists them)
  todo import tasks.json          from `task export`, todo.txt or todo export
  todo whoami --check             who am I, which database, is it healthy?
  todo --user bob list            act as another user for one command
"""

GLOBAL_OPTIONS = {
    "--profile",
    "-P",
    "--user",
    "-u",
    "--database-url",
    "--debug",
    "--verbose",
    "-v",
}

app = typer.Typer(
    name="todo",
    help="A todo manager for people who share a PostgreSQL database.",
    epilog=EXAMPLES,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
profile_app = typer.Typer(help="Named profiles: a user and an optional database URL.")
db_app = typer.Typer(help="Database schema: status and upgrade.")
app.add_typer(profile_app, name="profile")
app.add_typer(db_app, name="db")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]


@dataclass
class Env:
    """What the global flags said; Settings are resolved on first use."""

    profile: str | None
    user: str | None
    database_url: str | None
    debug: bool
    verbose: bool = False
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            from todo_cli.config import load_settings

            self._settings = load_settings(
                profile=self.profile, user=self.user, database_url=self.database_url
            )
            for warning in self._settings.warnings:
                render.err("warning", warning)
        return self._settings

    def run(self, operation: Callable[[Session], T], *, mode: Mode) -> T:
        """One transaction against the database, retried through transient
        failures (store.runner: `mode` says what a retry may do)."""
        from todo_cli.store.runner import run

        return run(
            self.settings(),
            operation,
            mode=mode,
            on_retry=self._report_retry if self.verbose else None,
        )

    def stream(self, write: Callable[[Session, TextIO], T]) -> T:
        """A read whose output is written as rows arrive: once it has begun,
        a failure is not retried (it would print the first rows twice)."""
        from todo_cli.store.runner import run

        out = _Watched(sys.stdout)
        return run(
            self.settings(),
            lambda s: write(s, out),  # type: ignore[arg-type]
            mode="read",
            output=out,
            on_retry=self._report_retry if self.verbose else None,
        )

    @staticmethod
    def _report_retry(message: str) -> None:
        render.err("retry", message)


class _Watched:
    """A text stream that remembers whether anything was written to it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.started = stream, False

    def write(self, text: str) -> int:
        self.started = self.started or bool(text)
        return self.stream.write(text)


def config_path() -> Path:
    from todo_cli.config import config_dir, environment

    return config_dir(environment()) / "config.toml"


def env_of(ctx: typer.Context) -> Env:
    env = ctx.find_root().obj
    assert isinstance(env, Env)
    return env


def _version(value: bool) -> None:
    if value:
        render.out(f"todo {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    profile: Annotated[
        str | None, typer.Option("--profile", "-P", help="Profile to use [env: TODO_PROFILE].")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", "-u", help="Act as this user [env: TODO_USER].")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="Database URL [env: DATABASE_URL].", show_default=False
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Report connection retries on stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    ctx.obj = Env(profile, user, database_url, debug, verbose)
