"""Administration with the owner's URL: per-user credentials (PostgreSQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from todo_cli.errors import ExitCode, InvalidInputError, Stop

if TYPE_CHECKING:
    from todo_cli.context import Invocation


def admin_user_add(
    inv: Invocation, *, name: str, profile: str | None, print_url: bool, adopt: bool
) -> None:
    """Create a login role that can reach only NAME's todos, and a ready profile.

    Run it again to issue a new password (the old one stops working).
    """
    from todo_cli.profiles import add_profile
    from todo_cli.store import admin

    settings = inv.settings()
    added = admin.add_person(settings, name, adopt=adopt)
    role = added.role
    url = admin.url_for(settings, role, added.password)
    if added.replaced:
        done = "Disabled" if added.kept_disabled else "Dropped"
        inv.out.note(f"{done} {name}'s previous role {added.replaced}: its URL no longer works.")
    if added.kept:
        inv.out.note(
            f"{name}'s previous role {added.kept} no longer reaches this database; it was not "
            "made for it alone, so drop it yourself once no other database uses it."
        )
    if print_url:
        inv.out.line(url)
        inv.out.note(f"Role {role} can reach only {name}'s todos. This URL is shown once.")
        return
    target = profile or name
    add_profile(inv.config_path(), target, user=name, database_url=url, replace=True)
    inv.out.line(
        f"Created role {role} for {name} and saved profile {target} (mode 0600). "
        f"Hand it over, or: todo profile use {target}"
    )


def admin_user_rm(inv: Invocation, *, name: str, purge: bool, yes: bool) -> None:
    """Drop NAME's login role. Their todos stay unless --purge."""
    from todo_cli.store import admin

    if purge and not yes:
        if not inv.out.can_ask():
            raise InvalidInputError(
                "refusing to purge without confirmation (no terminal); pass --yes"
            )
        if not inv.out.confirm(f"Delete {name}'s todos for good?"):
            inv.out.note("Nothing deleted.")
            raise Stop(ExitCode.NOT_FOUND)
    removed = admin.remove_person(inv.settings(), name, purge=purge)
    done = f"; deleted {name} and their todos" if purge else ""
    if removed.outcome == "dropped":
        inv.out.line(f"Dropped role {removed.role}{done}")
        return
    if removed.outcome == "disabled":
        inv.out.line(f"Disabled role {removed.role} (it can no longer log in){done}")
        inv.out.warn(
            f"{removed.role} still owns objects in another database of this server, so it "
            "was not dropped: there, run REASSIGN OWNED BY and DROP OWNED BY, then DROP ROLE"
        )
        return
    inv.out.line(f"Unlinked role {removed.role} from {name}{done}")
    inv.out.warn(f"{removed.role} was not made by todo for this database: it was not dropped")
