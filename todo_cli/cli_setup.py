"""Setup commands: whoami, profiles, and the database schema."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from todo_cli import render
from todo_cli.cliapp import JsonOpt, app, config_path, db_app, env_of, profile_app
from todo_cli.errors import ExitCode

if TYPE_CHECKING:
    pass

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
    its schema is missing, behind, or newer than this todo: a smoke check for CI.
    """
    s = env_of(ctx).settings()
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
        from todo_cli.store import schema

        st = schema.status(s)
        state = schema.state(st.current)
        up_to_date = state == "up to date"
        data["check"] = {
            "server_version": st.server,
            "schema_revision": st.current,
            "head_revision": st.head,
            "ok": up_to_date,
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
            render.err(
                "warning",
                f"the database role {st.role} bypasses row-level security (superuser, BYPASSRLS "
                "or owner of the tables; Neon's console roles have BYPASSRLS): isolation rests "
                "on the application alone. Connect as a role granted todo_app (README: Isolation)",
            )
        if not up_to_date:
            code = ExitCode.SCHEMA
            problem = (
                schema.newer_message(st.current)
                if st.current is not None and state == "newer"
                else "the database schema is not at head; run: todo db upgrade"
            )
    if json_:
        render.emit_json(data)
    else:
        render.key_values(rows)
    if code != ExitCode.OK:
        render.err("error", problem)
        raise typer.Exit(code)


# --- profiles ------------------------------------------------------------------


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

    add_profile(config_path(), name, user=user, database_url=database_url, replace=force)
    render.out(f"Saved profile {name} (user {user}). Use it with: todo profile use {name}")


@profile_app.command("list")
def profile_list(json_: JsonOpt = False) -> None:
    """List profiles; * marks the current one."""
    from todo_cli.config import read_config
    from todo_cli.dburl import parse_database_url

    config = read_config(config_path())
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

    use_profile(config_path(), name)
    render.out(f"Now using profile {name}")


@profile_app.command("rm")
def profile_rm(name: Annotated[str, typer.Argument(help="Profile name.")]) -> None:
    """Delete a profile (its todos stay in the database)."""
    from todo_cli.config import remove_profile

    was_current = remove_profile(config_path(), name)
    render.out(f"Removed profile {name}" + (" (no profile is current now)" if was_current else ""))


# --- schema --------------------------------------------------------------------


@db_app.command("status")
def db_status(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Show the schema revision of the database next to the newest one."""
    from todo_cli.store import schema

    st = schema.status(env_of(ctx).settings())
    current, head, server = st.current, st.head, st.server
    state = schema.state(current)
    if json_:
        render.emit_json(
            {
                "current": current,
                "head": head,
                "up_to_date": current == head,
                "state": state,
                "server_version": server,
            }
        )
        return
    render.key_values(
        [("current", f"{current or 'none'} ({state})"), ("head", head), ("server", server)]
    )


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or upgrade the schema (over DATABASE_URL_DIRECT when set)."""
    from todo_cli.store import schema

    before, after = schema.upgrade(env_of(ctx).settings())
    if before == after:
        render.out(f"Schema already at head ({after})")
    else:
        render.out(f"Upgraded schema: {before or 'none'} -> {after}")
