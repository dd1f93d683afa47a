"""whoami, profiles, and the database schema."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from todo_cli import render
from todo_cli.app import env_of
from todo_cli.commands.args import JsonOpt
from todo_cli.commands.examples import epilog
from todo_cli.errors import InvalidInputError, SchemaError

# --- identity ------------------------------------------------------------------


def whoami(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Also connect: server version and schema revision.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Show the user, profile and database in use, and where each came from.

    --check connects too, and exits 4 if the database is unreachable and 5 if
    its schema is missing, behind, or newer than this todo: a smoke check for CI.
    """
    env = env_of(ctx)
    out = env.out.use_json(json_)
    s = env.settings()
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
    problem = None
    if check:
        from todo_cli.store import schema

        st = schema.status(s)
        state = schema.state(st.current)
        data["check"] = {
            "server_version": st.server,
            "schema_revision": st.current,
            "head_revision": st.head,
            "ok": state == "up to date",
            "role": st.role,
            "role_bypasses_rls": st.bypasses_rls,
        }
        rows += [
            ("server", st.server),
            ("schema", f"{st.current or 'none'} (head {st.head}, {state})"),
        ]
        if st.role is not None:
            rows.append(
                ("role", st.role + ("  (bypasses row-level security)" if st.bypasses_rls else ""))
            )
        if st.bypasses_rls:
            out.warn(
                f"the database role {st.role} bypasses row-level security (superuser, BYPASSRLS "
                "or owner of the tables; Neon's console roles have BYPASSRLS): isolation rests "
                "on the application alone. Connect as a role granted todo_app (README: Isolation)",
            )
        if state != "up to date":
            problem = (
                schema.newer_message(st.current)
                if st.current is not None and state == "newer"
                else "the database schema is not at head; run: todo db upgrade"
            )
    render.key_values(out, rows, data)
    if problem:
        raise SchemaError(problem)


# --- profiles ------------------------------------------------------------------


def profile_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Profile name.")],
    user: Annotated[str, typer.Option("--user", "-u", help="The user this profile acts as.")],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Database URL (default: embedded SQLite).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing profile.")] = False,
) -> None:
    """Create a profile. Switch to it with: todo profile use NAME"""
    from todo_cli.config import add_profile

    env = env_of(ctx)
    add_profile(env.config_path(), name, user=user, database_url=database_url, replace=force)
    env.out.line(f"Saved profile {name} (user {user}). Use it with: todo profile use {name}")


def profile_list(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List profiles; * marks the current one."""
    from todo_cli.config import read_config
    from todo_cli.dburl import parse_database_url

    env = env_of(ctx)
    out = env.out.use_json(json_)
    config = read_config(env.config_path())
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
    if out.mode == "json":
        out.json(items)
    elif not items:
        out.note("No profiles. Create one with: todo profile add NAME --user USER")
    else:
        out.lines(
            f"{'*' if i['current'] else ' '} {i['name']}\t{i['user']}\t{i['database']}"
            for i in items
        )


def profile_use(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Profile name.")]
) -> None:
    """Make a profile the current one."""
    from todo_cli.config import use_profile

    env = env_of(ctx)
    use_profile(env.config_path(), name)
    env.out.line(f"Now using profile {name}")


def profile_rm(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Profile name.")]
) -> None:
    """Delete a profile (its todos stay in the database)."""
    from todo_cli.config import remove_profile

    env = env_of(ctx)
    was_current = remove_profile(env.config_path(), name)
    env.out.line(
        f"Removed profile {name}" + (" (no profile is current now)" if was_current else "")
    )


# --- schema --------------------------------------------------------------------


def db_status(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Show the schema revision of the database next to the newest one."""
    from todo_cli.store import schema

    env = env_of(ctx)
    out = env.out.use_json(json_)
    st = schema.status(env.settings())
    state = schema.state(st.current)
    data = {
        "current": st.current,
        "head": st.head,
        "up_to_date": st.current == st.head,
        "state": state,
        "server_version": st.server,
    }
    rows = [("current", f"{st.current or 'none'} ({state})"), ("head", st.head)]
    render.key_values(out, [*rows, ("server", st.server)], data)


def db_upgrade(ctx: typer.Context) -> None:
    """Create or upgrade the schema (over DATABASE_URL_DIRECT when set)."""
    from todo_cli.store import schema

    env = env_of(ctx)
    before, after, notes = schema.upgrade(env.settings())
    for note in notes:
        env.out.note(f"todo: {note}")
    if before == after:
        env.out.line(f"Schema already at head ({after})")
    else:
        env.out.line(f"Upgraded schema: {before or 'none'} -> {after}")


def completion(
    ctx: typer.Context,
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Commands, options, your open todo numbers (with their titles in zsh and
    fish) and your tags complete on TAB. zsh: eval "$(todo completion zsh)"
    in ~/.zshrc, after compinit; fish: todo completion fish >
    ~/.config/fish/completions/todo.fish
    """
    from todo_cli.completion import SCRIPTS

    env = env_of(ctx)
    if shell not in SCRIPTS:
        raise InvalidInputError(f"no completion for {shell!r}: use bash, zsh or fish")
    env.out.write(SCRIPTS[shell])


def complete_words(
    ctx: typer.Context,
    words: Annotated[list[str] | None, typer.Argument()] = None,
) -> None:
    """The candidates a completion script asks for (todo __complete SHELL CWORD WORDS...)."""
    from todo_cli.completion import candidates

    env = env_of(ctx)
    args = words or []
    if len(args) >= 2 and args[1].isdigit():
        env.out.write("".join(f"{line}\n" for line in candidates(args[0], args[2:], int(args[1]))))


def register(app: typer.Typer) -> None:
    app.command(epilog=epilog("whoami"))(whoami)
    app.command(epilog=epilog("completion"))(completion)
    app.command("__complete", hidden=True, context_settings={"ignore_unknown_options": True})(
        complete_words
    )
    profiles = typer.Typer(
        help="Named profiles: a user and an optional database URL.", no_args_is_help=True
    )
    profiles.command("add", epilog=epilog("profile add"))(profile_add)
    profiles.command("list", epilog=epilog("profile list"))(profile_list)
    profiles.command("use", epilog=epilog("profile use"))(profile_use)
    profiles.command("rm", epilog=epilog("profile rm"))(profile_rm)
    app.add_typer(profiles, name="profile")
    db = typer.Typer(help="Database schema: status and upgrade.", no_args_is_help=True)
    db.command("status", epilog=epilog("db status"))(db_status)
    db.command("upgrade", epilog=epilog("db upgrade"))(db_upgrade)
    app.add_typer(db, name="db")
