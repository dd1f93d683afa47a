"""The Typer app, its global options, and what one invocation works with.

Environment is everything a command touches outside the database: the
three streams and whether each is a terminal, the environment variables,
the working directory, the terminal's size and the clock. main() builds the
real one; tests hand in their own and run the real main() in-process
(httpie's Environment and MockEnvironment are the model). Env is one
invocation: the global options, the settings resolved from them, the
output, and the database run.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer

from todo_cli import __version__
from todo_cli.output import Output

if TYPE_CHECKING:
    from todo_cli.config import Settings
    from todo_cli.offline import Hook, OfflineError
    from todo_cli.store.runner import Mode
    from todo_cli.store.session import Session

T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Environment:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path.cwd)
    clock: Callable[[], datetime] = _now
    # (columns, lines); None: from COLUMNS/LINES, else 80 x 50
    terminal: Callable[[], tuple[int, int]] | None = None

    @classmethod
    def from_process(cls) -> Environment:
        """The real streams. One closed by the shell (`todo add x >&-`) is
        None in Python: stdin then reads as empty, and a write to stdout or
        stderr fails as writing to a closed file does (Output says so)."""
        stdin = sys.stdin or io.StringIO("")
        stdout = _usable(sys.stdout)
        stderr = _usable(sys.stderr)

        def size() -> tuple[int, int]:
            import shutil

            columns, lines = shutil.get_terminal_size(fallback=(80, 50))
            return columns, lines

        return cls(
            stdin,
            stdout,
            stderr,
            stdin_isatty=_isatty(stdin),
            stdout_isatty=_isatty(stdout),
            stderr_isatty=_isatty(stderr),
            environ=os.environ,
            cwd=Path.cwd(),
            terminal=size,
        )

    def size(self) -> tuple[int, int]:
        """The terminal's (columns, lines): COLUMNS and LINES win, as for `ls`."""
        columns, lines = self.terminal() if self.terminal else (80, 50)
        return _number(self.environ.get("COLUMNS"), columns), _number(
            self.environ.get("LINES"), lines
        )


def _number(raw: str | None, default: int) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else default


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


class _ClosedStream(io.TextIOBase):
    """Stands in for a stream the shell closed: writing fails like it."""

    def write(self, text: str) -> int:  # noqa: ARG002  (nothing can be written)
        raise OSError(errno.EBADF, "Bad file descriptor")

    def isatty(self) -> bool:
        return False


def _usable(stream: TextIO | None) -> TextIO:
    if stream is None:
        return _ClosedStream()  # type: ignore[return-value]
    # An encoding that cannot show a title (PYTHONIOENCODING=ascii) shows "?"
    # instead of failing; JSON escapes what it cannot write (Output).
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(errors="replace")
    return stream


@dataclass
class Env:
    """One invocation: what the global flags said, and what follows from it."""

    environment: Environment
    profile: str | None = None
    user: str | None = None
    database_url: str | None = None
    debug: bool = False
    verbose: bool = False
    online: bool = False  # --online: offline is an error (issue 22)
    out: Output = field(init=False)
    _settings: Settings | None = field(default=None, repr=False)
    # What a change saved, for a message if its output cannot be written.
    saved: str | None = None
    _offline: Hook | bool | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.out = Output(self.environment)

    def settings(self) -> Settings:
        if self._settings is None:
            from todo_cli.config import environment, load_settings

            env = environment(self.environment.cwd, self.environment.environ)
            self._settings = load_settings(
                profile=self.profile, user=self.user, database_url=self.database_url, env=env
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
        offline: Callable[[OfflineError], T] | None = None,
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
            return hook.run(operation, mode=mode, fallback=offline, forget=forget)
        return self.run_online(operation, mode=mode)

    def offline_hook(self) -> Hook | None:
        """OFFLINE: offline mode for this invocation (None: not on SQLite,
        nor with --online)."""
        from todo_cli.offline import Hook, hook

        if self._offline is None:
            self._offline = hook(self) or False
        return self._offline if isinstance(self._offline, Hook) else None

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
        from todo_cli.config import config_dir, environment

        return config_dir(environment(self.environment.cwd, self.environment.environ)) / (
            "config.toml"
        )


def env_of(ctx: typer.Context) -> Env:
    env = ctx.find_root().obj
    assert isinstance(env, Env)
    return env


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
    "--online",
}

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]


def build() -> typer.Typer:
    """The app with every command registered (commands.register: help order)."""
    from todo_cli import commands

    app = typer.Typer(
        name="todo",
        help="A todo manager for people who share a PostgreSQL database.",
        epilog=EXAMPLES,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    commands.register(app)
    return app


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        env = ctx.obj if isinstance(ctx.obj, Env) else None
        if env is not None:
            env.out.line(f"todo {__version__}")
        raise typer.Exit()


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
    online: Annotated[
        bool,
        typer.Option(
            "--online", help="Never work offline: no server is an error [env: TODO_ONLINE=1]."
        ),
    ] = False,
    version: Annotated[  # noqa: ARG001  (its callback prints the version and exits)
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    env = ctx.obj
    assert isinstance(env, Env)
    env.profile, env.user, env.database_url = profile, user, database_url
    env.debug, env.verbose = debug, verbose
    env.online = online  # OFFLINE
