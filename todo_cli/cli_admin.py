"""Administration with the owner's URL: per-user credentials (PostgreSQL)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from todo_cli import render
from todo_cli.cliapp import app, env_of
from todo_cli.errors import InvalidInputError

admin_app = typer.Typer(help="Administration, with the database owner's URL.")
user_app = typer.Typer(help="Per-user credentials: one PostgreSQL login role per user.")
admin_app.add_typer(user_app, name="user")
app.add_typer(admin_app, name="admin")


@user_app.command("add")
def admin_user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The todo user name.")],
    profile: Annotated[
        str | None,
        typer.Option("--profile-name", help="Profile to write (default: the user name)."),
    ] = None,
    print_url: Annotated[
        bool,
        typer.Option("--print-url", help="Print the connection string once; write no profile."),
    ] = False,
) -> None:
    """Create a login role that can reach only NAME's todos, and a ready profile.

    Run it again to issue a new password (the old one stops working).
    """
    from todo_cli.cliapp import config_path
    from todo_cli.config import add_profile
    from todo_cli.store import admin

    settings = env_of(ctx).settings()
    role, password = admin.add_person(settings, name)
    url = admin.url_for(settings, role, password)
    if print_url:
        render.out(url)
        sys.stderr.write(f"Role {role} can reach only {name}'s todos. This URL is shown once.\n")
        return
    target = profile or name
    add_profile(config_path(), target, user=name, database_url=url, replace=True)
    render.out(
        f"Created role {role} for {name} and saved profile {target} (mode 0600). "
        f"Hand it over, or: todo profile use {target}"
    )


@user_app.command("rm")
def admin_user_rm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The todo user name.")],
    purge: Annotated[bool, typer.Option("--purge", help="Also delete the user's todos.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Drop NAME's login role. Their todos stay unless --purge."""
    from todo_cli.store import admin

    if purge and not yes:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise InvalidInputError(
                "refusing to purge without confirmation (no terminal); pass --yes"
            )
        if not typer.confirm(f"Delete {name}'s todos for good?", default=False, err=True):
            raise typer.Exit(1)
    role = admin.remove_person(env_of(ctx).settings(), name, purge=purge)
    render.out(f"Dropped role {role}" + (f"; deleted {name} and their todos" if purge else ""))
