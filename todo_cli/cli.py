"""The `todo` command line: parse, call the data layer, render.

No SQL here. Commands that touch the database import the data layer inside
the command, so `todo --help`, `whoami` and `profile` never load SQLAlchemy.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from todo_cli import __version__, render
from todo_cli.errors import ExitCode, InvalidInputError, TodoError

if TYPE_CHECKING:
    from todo_cli.config import Settings
    from todo_cli.db import Session
    from todo_cli.todos import Todo

T = TypeVar("T")

EXAMPLES = """\
Examples:

\b
  todo add Call the bank          add a todo (prints its number)
  todo list                       open todos; --all, --done, --json
  todo done 3 4                   complete todos 3 and 4 (all or nothing)
  todo rm 2 --yes                 remove todo 2 without asking
  todo whoami --check             who am I, which database, is it healthy?
  todo --user bob list            act as another user for one command
"""

_GLOBAL_OPTIONS = {
    "--profile",
    "-P",
    "--user",
    "-u",
    "--database-url",
    "--debug",
    "--verbose",
    "-v",
}
_MAX_NUMBER = 2**31 - 1
_MAX_RANGE = 10_000

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

    def run(self, operation: Callable[[Session], T], *, retry_unknown_commit: bool = False) -> T:
        """One transaction against the database, retried through transient failures."""
        from todo_cli import db

        return db.run(
            self.settings(),
            operation,
            retry_unknown_commit=retry_unknown_commit,
            on_retry=self._report_retry if self.verbose else None,
        )

    @staticmethod
    def _report_retry(message: str) -> None:
        render.err("retry", message)


def _env(ctx: typer.Context) -> Env:
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


# --- todos ---------------------------------------------------------------------


@app.command()
def add(
    ctx: typer.Context,
    title: Annotated[
        list[str],
        typer.Argument(
            metavar="TITLE...", help="The title; words are joined with spaces. - reads stdin."
        ),
    ],
    json_: JsonOpt = False,
) -> None:
    """Add a todo and print its number.

    With - as the title, read one title per line from stdin (blank lines are
    skipped) and add them all in one transaction: all or nothing.

    Use -- before a title that starts with a dash: todo add -- -5 degrees
    """
    import uuid

    from todo_cli import todos

    titles = _stdin_titles() if title == ["-"] else [todos.clean_title(" ".join(title))]
    # One id for every attempt: a retry after a lost COMMIT finds the first
    # attempt's todos instead of adding them twice.
    request_id = uuid.uuid4().hex
    added = _env(ctx).run(
        lambda s: todos.add_many(s, titles=titles, request_id=request_id),
        retry_unknown_commit=True,
    )
    if json_:
        render.emit_json(
            [render.todo_dict(t) for t in added] if title == ["-"] else render.todo_dict(added[0])
        )
    elif not render.stdout_is_tty():
        render.out("\n".join(str(t.number) for t in added))
    elif len(added) == 1:
        render.out(f"Added {added[0].number}: {added[0].title}")
    else:
        render.out(f"Added {len(added)} todos: {added[0].number}-{added[-1].number}")


def _stdin_titles() -> list[str]:
    from todo_cli.todos import clean_title

    titles = []
    for n, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            titles.append(clean_title(line.rstrip("\r\n")))
        except InvalidInputError as exc:
            raise InvalidInputError(f"stdin line {n}: {exc.message}") from None
    if not titles:
        raise InvalidInputError("no titles on stdin (one per line); nothing was added")
    return titles


@app.command("list")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Open and done todos.")] = False,
    done: Annotated[bool, typer.Option("--done", help="Only done todos.")] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            help="Show at most N (0: no limit). Default: a screenful; --json: everything.",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """List your open todos (a table on a terminal, tab-separated lines in a pipe)."""
    if all_ and done:
        raise InvalidInputError("--all and --done cannot be combined")
    from todo_cli import todos

    status: todos.Status = "all" if all_ else "done" if done else "open"
    env = _env(ctx)
    if json_:
        # Streamed: a long list never sits in memory; a script gets all of it
        # unless it asked for --limit.
        env.run(
            lambda s: _stream_json(todos.iter_todos(s, status=status, limit=limit or None)),
            retry_unknown_commit=True,
        )
        return
    shown = limit or None if limit is not None else render.screenful()
    if shown is None:
        items = env.run(lambda s: todos.list_todos(s, status=status), retry_unknown_commit=True)
        total = len(items)
    else:
        items, total = env.run(
            lambda s: todos.page(s, status=status, limit=shown), retry_unknown_commit=True
        )
    if items:
        render.todo_list(items, show_status=status != "open")
    elif render.stdout_is_tty():
        empty = {"open": "No open todos.", "done": "No done todos.", "all": "No todos."}
        sys.stderr.write(empty[status] + "\n")
    if total > len(items):
        sys.stderr.write(
            f"… and {total - len(items)} more (todo list --limit 0 shows all; --json too)\n"
        )


def _stream_json(items: Iterator[Todo]) -> None:
    """Write a JSON array as rows arrive. Once output has begun, a dropped
    connection must not be retried (the retry would print rows twice)."""
    from sqlalchemy.exc import DBAPIError

    from todo_cli.errors import DatabaseUnreachableError

    started = False
    try:
        for item in items:
            render.json_array_item(render.todo_dict(item), first=not started)
            started = True
    except DBAPIError as exc:
        if not started:
            raise
        raise DatabaseUnreachableError(
            "lost the connection while listing; the JSON output above is incomplete"
        ) from exc
    render.json_array_end(empty=not started)


@app.command()
def done(
    ctx: typer.Context,
    numbers: Annotated[
        list[str], typer.Argument(metavar="NUMBERS...", help="Todo numbers: 3, 3 4, 1-3,7.")
    ],
    json_: JsonOpt = False,
) -> None:
    """Mark todos done. All or nothing: if any number is missing, nothing changes."""
    from todo_cli import todos

    wanted = parse_numbers(numbers)
    # Completing is idempotent, so a retry after a lost COMMIT is harmless.
    results = _env(ctx).run(lambda s: todos.complete(s, numbers=wanted), retry_unknown_commit=True)
    if json_:
        render.emit_json([render.todo_dict(t) for t, _ in results])
        return
    for todo, newly in results:
        render.out(f"{'Completed' if newly else 'Already done'} {todo.number}: {todo.title}")


@app.command()
def rm(
    ctx: typer.Context,
    numbers: Annotated[
        list[str], typer.Argument(metavar="NUMBERS...", help="Todo numbers: 3, 3 4, 1-3,7.")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Remove todos. Asks first on a terminal; in a script, pass --yes."""
    from todo_cli import todos

    wanted = parse_numbers(numbers)
    env = _env(ctx)
    if not yes:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise InvalidInputError(
                "refusing to remove without confirmation (no terminal); pass --yes"
            )
        found = env.run(lambda s: todos.find(s, numbers=wanted), retry_unknown_commit=True)
        for todo in found:
            sys.stderr.write(f"  {todo.number}: {todo.title}\n")
        noun = "this todo" if len(found) == 1 else f"these {len(found)} todos"
        if not typer.confirm(f"Remove {noun}?", default=False, err=True):
            sys.stderr.write("Nothing removed.\n")
            raise typer.Exit(ExitCode.NOT_FOUND)
    removed = env.run(lambda s: todos.remove(s, numbers=wanted))
    if json_:
        render.emit_json([render.todo_dict(t) for t in removed])
        return
    for todo in removed:
        render.out(f"Removed {todo.number}: {todo.title}")


def parse_numbers(args: Sequence[str]) -> list[int]:
    """'3', '3 4', '1-3,7' -> [1, 2, 3, 7]; anything else is exit 2."""
    result: list[int] = []
    for arg in args:
        for part in arg.split(","):
            lo, sep, hi = part.strip().partition("-")
            if sep and lo:
                first, last = _number(lo, part), _number(hi, part)
                if last < first or last - first >= _MAX_RANGE:
                    raise InvalidInputError(f"bad range {part!r}: use LOW-HIGH, e.g. 1-3")
                result.extend(range(first, last + 1))
            else:
                result.append(_number(part.strip(), part))
    return result


def _number(text: str, whole: str) -> int:
    if (
        not (text.isascii() and text.isdigit())
        or len(text) > 10
        or not 1 <= int(text) <= _MAX_NUMBER
    ):
        raise InvalidInputError(
            f"{whole!r} is not a todo number: use positive whole numbers like 3, 3 4 or 1-3,7"
        )
    return int(text)


# --- identity ------------------------------------------------------------------


@app.command()
def whoami(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Also connect: server version and schema revision.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Show the user, profile and database in use, and where each came from.

    --check connects too, and exits 4 if the database is unreachable and 5 if
    its schema is missing or behind: a smoke check for CI.
    """
    s = _env(ctx).settings()
    url = s.url
    data: dict[str, Any] = {
        "user": {"name": s.user.value, "source": s.user.source},
        "profile": {"name": s.profile.value, "source": s.profile.source},
        "database": {
            "backend": url.backend,
            "host": url.host,
            "port": url.port,
            "name": url.database,
            "source": s.database.source,
        },
        "config_file": str(s.config_path),
    }
    rows = [
        ("user", f"{s.user.value}  ({s.user.source})"),
        ("profile", f"{s.profile.value}  ({s.profile.source})"),
        ("database", f"{url.display()}  ({s.database.source})"),
        ("config", str(s.config_path)),
    ]
    code = ExitCode.OK
    if check:
        from todo_cli import db

        current, head, server = db.schema_status(s)
        up_to_date = current == head
        data["check"] = {
            "server_version": server,
            "schema_revision": current,
            "head_revision": head,
            "ok": up_to_date,
        }
        state = "up to date" if up_to_date else "missing" if current is None else "behind"
        rows += [("server", server), ("schema", f"{current or 'none'} (head {head}, {state})")]
        if not up_to_date:
            code = ExitCode.SCHEMA
    if json_:
        render.emit_json(data)
    else:
        render.key_values(rows)
    if code != ExitCode.OK:
        render.err("error", "the database schema is not at head; run: todo db upgrade")
        raise typer.Exit(code)


# --- profiles ------------------------------------------------------------------


def _config_path() -> Any:
    from todo_cli.config import config_dir, environment

    return config_dir(environment()) / "config.toml"


@profile_app.command("add")
def profile_add(
    name: Annotated[str, typer.Argument(help="Profile name.")],
    user: Annotated[str, typer.Option("--user", "-u", help="The user this profile acts as.")],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Database URL (default: embedded SQLite).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing profile.")] = False,
) -> None:
    """Create a profile. Switch to it with: todo profile use NAME"""
    from todo_cli.config import add_profile

    add_profile(_config_path(), name, user=user, database_url=database_url, replace=force)
    render.out(f"Saved profile {name} (user {user}). Use it with: todo profile use {name}")


@profile_app.command("list")
def profile_list(json_: JsonOpt = False) -> None:
    """List profiles; * marks the current one."""
    from todo_cli.config import read_config
    from todo_cli.dburl import parse_database_url

    config = read_config(_config_path())
    items = []
    for p in sorted(config.profiles.values(), key=lambda p: p.name):
        shown = (
            parse_database_url(p.database_url, source=f"profile {p.name}").display()
            if p.database_url
            else "sqlite (embedded default)"
        )
        items.append(
            {"name": p.name, "user": p.user, "database": shown, "current": p.name == config.current}
        )
    if json_:
        render.emit_json(items)
    elif not items:
        sys.stderr.write("No profiles. Create one with: todo profile add NAME --user USER\n")
    else:
        for item in items:
            mark = "*" if item["current"] else " "
            render.out(f"{mark} {item['name']}\t{item['user']}\t{item['database']}")


@profile_app.command("use")
def profile_use(name: Annotated[str, typer.Argument(help="Profile name.")]) -> None:
    """Make a profile the current one."""
    from todo_cli.config import use_profile

    use_profile(_config_path(), name)
    render.out(f"Now using profile {name}")


@profile_app.command("rm")
def profile_rm(name: Annotated[str, typer.Argument(help="Profile name.")]) -> None:
    """Delete a profile (its todos stay in the database)."""
    from todo_cli.config import remove_profile

    was_current = remove_profile(_config_path(), name)
    render.out(f"Removed profile {name}" + (" (no profile is current now)" if was_current else ""))


# --- schema --------------------------------------------------------------------


@db_app.command("status")
def db_status(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Show the schema revision of the database next to the newest one."""
    from todo_cli import db

    current, head, server = db.schema_status(_env(ctx).settings())
    if json_:
        render.emit_json(
            {
                "current": current,
                "head": head,
                "up_to_date": current == head,
                "server_version": server,
            }
        )
        return
    render.key_values([("current", current or "none"), ("head", head), ("server", server)])


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or upgrade the schema (over DATABASE_URL_DIRECT when set)."""
    from todo_cli import db

    before, after = db.upgrade_schema(_env(ctx).settings())
    if before == after:
        render.out(f"Schema already at head ({after})")
    else:
        render.out(f"Upgraded schema: {before or 'none'} -> {after}")


# --- entry point ---------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv) or ["--help"]
    debug = "--debug" in (args[: args.index("--")] if "--" in args else args)
    try:
        rv = app(args=args, prog_name="todo", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        if code == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into Exit(130)
            render.err("error", "interrupted; the transaction was rolled back")
        return code
    except TodoError as exc:
        if debug:
            traceback.print_exc()
        render.err("error", exc.message)
        return int(exc.exit_code)
    except typer.TyperException as exc:  # Click's own errors: usage mistakes and the like
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # `todo profile` alone: show its help
            sys.stderr.write(exc.format_message() + "\n")
        else:
            message = exc.format_message()
            hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
            if message.split(": ")[-1] in _GLOBAL_OPTIONS:
                hint = " (global options go before the command: todo --user bob list)"
            render.err("error", message + hint)
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        render.err("error", "interrupted; the transaction was rolled back")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (todo list | head): not an error worth a message.
        sys.stdout = None
        return 0
    except Exception as exc:
        if debug:
            traceback.print_exc()
        render.err(
            "error",
            f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
            "(run with --debug for the traceback, and please report it)",
        )
        return 1
