"""Administration with the owner's URL: per-user credentials (PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

import typer

from todo_cli.app import env_of
from todo_cli.commands.examples import epilog
from todo_cli.errors import ExitCode, InvalidInputError


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
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="NAME exists in shared-credential mode: give their todos and shares to the "
            "new role.",
        ),
    ] = False,
) -> None:
    """Create a login role that can reach only NAME's todos, and a ready profile.

    Run it again to issue a new password (the old one stops working).
    """
    from todo_cli.config import add_profile
    from todo_cli.store import admin

    env = env_of(ctx)
    settings = env.settings()
    added = admin.add_person(settings, name, adopt=adopt)
    role = added.role
    url = admin.url_for(settings, role, added.password)
    if added.replaced:
        done = "Disabled" if added.kept_disabled else "Dropped"
        env.out.note(f"{done} {name}'s previous role {added.replaced}: its URL no longer works.")
    if added.kept:
        env.out.note(
            f"{name}'s previous role {added.kept} no longer reaches this database; it was not "
            "made for it alone, so drop it yourself once no other database uses it."
        )
    if print_url:
        env.out.line(url)
        env.out.note(f"Role {role} can reach only {name}'s todos. This URL is shown once.")
        return
    target = profile or name
    add_profile(env.config_path(), target, user=name, database_url=url, replace=True)
    env.out.line(
        f"Created role {role} for {name} and saved profile {target} (mode 0600). "
        f"Hand it over, or: todo profile use {target}"
    )


def admin_user_rm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The todo user name.")],
    purge: Annotated[bool, typer.Option("--purge", help="Also delete the user's todos.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Drop NAME's login role. Their todos stay unless --purge."""
    from todo_cli.store import admin

    env = env_of(ctx)
    if purge and not yes:
        if not env.out.can_ask():
            raise InvalidInputError(
                "refusing to purge without confirmation (no terminal); pass --yes"
            )
        if not env.out.confirm(f"Delete {name}'s todos for good?"):
            env.out.note("Nothing deleted.")
            raise typer.Exit(ExitCode.NOT_FOUND)
    removed = admin.remove_person(env.settings(), name, purge=purge)
    done = f"; deleted {name} and their todos" if purge else ""
    if removed.outcome == "dropped":
        env.out.line(f"Dropped role {removed.role}{done}")
        return
    if removed.outcome == "disabled":
        env.out.line(f"Disabled role {removed.role} (it can no longer log in){done}")
        env.out.warn(
            f"{removed.role} still owns objects in another database of this server, so it "
            "was not dropped: there, run REASSIGN OWNED BY and DROP OWNED BY, then DROP ROLE"
        )
        return
    env.out.line(f"Unlinked role {removed.role} from {name}{done}")
    env.out.warn(f"{removed.role} was not made by todo for this database: it was not dropped")


def register(app: typer.Typer) -> None:
    admin_app = typer.Typer(
        help="Administration, with the database owner's URL.", no_args_is_help=True
    )
    users = typer.Typer(
        help="Per-user credentials: one PostgreSQL login role per user.", no_args_is_help=True
    )
    users.command("add", epilog=epilog("admin user add"))(admin_user_add)
    users.command("rm", epilog=epilog("admin user rm"))(admin_user_rm)
    admin_app.add_typer(users, name="user")
    app.add_typer(admin_app, name="admin")
